import { createRule } from '../src/engine/rule.js';
import { fmt, tok } from '../src/engine/evidence.js';
import { compensatedSum } from '../src/reference/math.js';
import { LOGPROB_CEILING, TOPK_MASS_FLOOR, printedResolution } from '../src/reference/precision.js';
import type { RecordContext } from '../src/engine/record-context.js';
import type { TopLogprob } from '../src/types.js';

/**
 * How far above 1 a top-k list's mass may honestly come: its entries' own rounding (each p_j moves
 * by p_j·Δl_j, Δl_j the entry's storage rounding at the widest precision allowed, or its printed
 * digits), over a floor for float32 lists.
 */
function massSlack(ctx: RecordContext, list: readonly TopLogprob[]): number {
  const u = ctx.widest.u;
  let s = TOPK_MASS_FLOOR;
  for (const e of list) s += Math.exp(e.logprob) * (u * Math.abs(e.logprob) + printedResolution(e.logprob));
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
    scope: 'record',
    evidence: 'per-token values, score, top-k lists',
    summary: 'NaN, ±Infinity, a positive log-prob, a top-k list with more than all the probability, or an API sentinel / null summed as a number',
  },
  (ctx) => {
    const { values, score } = ctx;
    const sentinel = ctx.record.sentinel;
    if (values) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (ctx.record.logprobs![i] === null) continue;
        if (Number.isNaN(v) || v === Infinity) {
          return {
            message: `the value at step ${i} (${tok(ctx.token(i))}) is ${fmt(v)}, which no log-prob can be`,
            recorded: v,
            evidence: { step: i, token: ctx.token(i) },
          };
        }
        if (sentinel !== undefined && v === sentinel && scoreSumsValues(ctx)) {
          const clean = compensatedSum(values.filter((x) => x !== sentinel));
          return {
            message: `the score sums the API's "not in the top-k" sentinel ${sentinel} at step ${i} (${tok(ctx.token(i))}) as if it were a log-prob`,
            recorded: score,
            expected: null,
            evidence: { step: i, token: ctx.token(i), sentinel, sumWithoutSentinels: clean },
          };
        }
      }
      if (ctx.nulls > 0 && score !== undefined && Number.isFinite(score) && scoreSumsValues(ctx)) {
        const step = ctx.record.logprobs!.indexOf(null);
        return {
          message: `step ${step} has no log-prob (null), yet the score is the sum of the others as if it were 0`,
          recorded: score,
          evidence: { step, nulls: ctx.nulls },
        };
      }
    }
    if (score !== undefined && Number.isNaN(score)) {
      return { message: 'the recorded score is NaN', recorded: score, expected: Number.isNaN(ctx.ref.total) ? null : ctx.ref.total };
    }
    if (score === Infinity) {
      return { message: 'the recorded score is +Infinity', recorded: score };
    }
    const server = ctx.record.reference_logprobs;
    if (server) {
      for (let i = 0; i < server.length; i++) {
        const v = server[i];
        if (v !== null && (Number.isNaN(v) || v > LOGPROB_CEILING)) {
          return { message: `the server's log-prob at step ${i} (${tok(ctx.token(i))}) is ${fmt(v)}`, recorded: v, evidence: { step: i } };
        }
      }
    }
    // Non-finite evidence: a logits row whose log-sum-exp is not finite, a NaN in a top-k list.
    const lse = ctx.ref.lse;
    if (lse) {
      for (let i = 0; i < lse.length; i++) {
        if (!Number.isFinite(lse[i])) {
          return { message: `logits row ${i} holds NaN or +Infinity: no distribution can be read from it`, recorded: lse[i], evidence: { row: i } };
        }
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
            return {
              message: `the top-k list at step ${i} gives ${tok(e.token)} the log-prob ${fmt(e.logprob)}`,
              recorded: e.logprob,
              evidence: { step: i, token: e.token },
            };
          }
        }
        if (mass > 1 + massSlack(ctx, list)) {
          return {
            message: `the top-${list.length} list at step ${i} holds probability ${fmt(mass)} > 1: these are not log-probs of one distribution`,
            recorded: mass,
            expected: 1,
            evidence: { step: i, mass },
          };
        }
      }
    }
    return null;
  },
);
