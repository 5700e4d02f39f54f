import { createRule } from '../src/engine/rule.js';
import { compensatedSum } from '../src/reference/math.js';
import { LOGPROB_CEILING, TOPK_MASS_FLOOR } from '../src/reference/precision.js';
import type { RecordContext } from '../src/engine/record-context.js';
import type { TopLogprob } from '../src/types.js';

/**
 * How far above 1 a top-k list's mass may honestly come: its entries' own rounding (each p_j moves
 * by p_j·Δl_j, Δl_j the entry's storage rounding at the widest precision allowed, or its printed
 * digits: a listed -0.0 the lists' own, round(-0.003, 2)), over a floor for float32 lists.
 */
function massSlack(ctx: RecordContext, list: readonly TopLogprob[]): number {
  const u = ctx.widest.u;
  let s = TOPK_MASS_FLOOR;
  for (const e of list) s += Math.exp(e.logprob) * (u * Math.abs(e.logprob) + ctx.listedResolution(e.logprob));
  return s;
}

/** The recorded score is the plain sum of the recorded values (sentinels and nulls included as numbers). */
function scoreSumsValues(ctx: RecordContext): boolean {
  return ctx.score !== undefined && Math.abs(ctx.score - ctx.valuesTotal) <= ctx.sumTol(ctx.valuesAbs, ctx.values!.length) + ctx.scoreResolution;
}

export default createRule(
  {
    id: 'invalid-logprob',
    defaultSeverity: 'error',
    evidence: 'per-token values, score, top-k lists',
    summary: 'NaN, ±Infinity, a positive log-prob, a top-k list with more than all the probability, or an API sentinel / null summed as a number',
    messages: {
      nonFiniteValue: 'the value at step {{step}} ({{token|json}}) is {{value}}, which no log-prob can be',
      sentinelSummed: `the score sums the API's "not in the top-k" sentinel {{sentinel}} at step {{step}} ({{token|json}}) as if it were a log-prob`,
      nullSummed: 'step {{step}} has no log-prob (null), yet the score is the sum of the others as if it were 0',
      scoreNaN: 'the recorded score is NaN',
      scoreInfinite: 'the recorded score is +Infinity',
      serverValue: "the server's log-prob at step {{step}} ({{token|json}}) is {{value}}",
      logitsRow: 'logits row {{row}} holds NaN or +Infinity: no distribution can be read from it',
      topkEntry: 'the top-k list at step {{step}} gives {{token|json}} the log-prob {{value}}',
      topkMass: 'the top-{{k}} list at step {{step}} holds probability {{mass}} > 1: these are not log-probs of one distribution',
    },
  },
  {
    record(ctx) {
      const { values, score } = ctx;
      const sentinel = ctx.record.sentinel;
      if (values) {
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (ctx.record.logprobs![i] === null) continue;
          if (Number.isNaN(v) || v === Infinity) {
            return {
              messageId: 'nonFiniteValue',
              data: { step: i, token: ctx.token(i), value: v },
              recorded: v,
              evidence: { step: i, token: ctx.token(i) },
            };
          }
          if (sentinel !== undefined && v === sentinel && scoreSumsValues(ctx)) {
            const clean = compensatedSum(values.filter((x) => x !== sentinel));
            return {
              messageId: 'sentinelSummed',
              data: { sentinel, step: i, token: ctx.token(i) },
              recorded: score,
              expected: null,
              evidence: { step: i, token: ctx.token(i), sentinel, sumWithoutSentinels: clean },
            };
          }
        }
        if (ctx.nulls > 0 && score !== undefined && Number.isFinite(score) && scoreSumsValues(ctx)) {
          const step = ctx.record.logprobs!.indexOf(null);
          return { messageId: 'nullSummed', data: { step }, recorded: score, evidence: { step, nulls: ctx.nulls } };
        }
      }
      if (score !== undefined && Number.isNaN(score)) {
        return { messageId: 'scoreNaN', recorded: score, expected: Number.isNaN(ctx.ref.total) ? null : ctx.ref.total };
      }
      if (score === Infinity) return { messageId: 'scoreInfinite', recorded: score };
      const server = ctx.record.reference_logprobs;
      if (server) {
        for (let i = 0; i < server.length; i++) {
          const v = server[i];
          if (v !== null && (Number.isNaN(v) || v > LOGPROB_CEILING)) {
            return { messageId: 'serverValue', data: { step: i, token: ctx.token(i), value: v }, recorded: v, evidence: { step: i } };
          }
        }
      }
      // Non-finite evidence: a logits row whose log-sum-exp is not finite, a NaN in a top-k list.
      const lse = ctx.ref.lse;
      if (lse) {
        for (let i = 0; i < lse.length; i++) {
          if (!Number.isFinite(lse[i])) return { messageId: 'logitsRow', data: { row: i }, recorded: lse[i], evidence: { row: i } };
        }
      }
      // A top-k list: no entry may be NaN or above 0, and the entries cannot hold more than all the
      // probability. The masses come with the reference; only a suspect list is looked through.
      const top = ctx.record.top_logprobs;
      const masses = ctx.ref.topMass;
      if (top && masses) {
        for (let i = 0; i < top.length; i++) {
          const list = top[i];
          if (!list || list.length === 0) continue;
          const mass = masses[i];
          if (!(Number.isNaN(mass) || mass > 1 + TOPK_MASS_FLOOR || ctx.ref.top1[i] > LOGPROB_CEILING)) continue;
          for (const e of list) {
            if (Number.isNaN(e.logprob) || e.logprob > LOGPROB_CEILING) {
              return { messageId: 'topkEntry', data: { step: i, token: e.token, value: e.logprob }, recorded: e.logprob, evidence: { step: i, token: e.token } };
            }
          }
          if (mass > 1 + massSlack(ctx, list)) {
            return { messageId: 'topkMass', data: { k: list.length, step: i, mass }, recorded: mass, expected: 1, evidence: { step: i, mass } };
          }
        }
      }
      return null;
    },
  },
);
