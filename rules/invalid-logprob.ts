import { createRule } from '../src/engine/rule.js';
import { compensatedSum } from '../src/reference/math.js';
import { LOGPROB_CEILING, TOPK_MASS_FLOOR } from '../src/reference/precision.js';
import type { RecordContext } from '../src/engine/record-context.js';
import type { Diagnosis } from '../src/engine/rule.js';
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

/**
 * The step's token in its own top-k list when the list names it unambiguously: by id when both
 * sides have ids, else by a text that one entry alone holds and that is a whole character
 * sequence (a byte-fallback piece decodes to U+FFFD, which several ids share, and an API's
 * token → log-prob map keeps one of them).
 */
function ownEntry(list: readonly TopLogprob[], id: number | undefined, token: string | undefined): TopLogprob | undefined {
  if (id !== undefined && list.length > 0 && list[0].id !== undefined) return list.find((e) => e.id === id);
  if (token === undefined || token.includes('\uFFFD')) return undefined;
  let hit: TopLogprob | undefined;
  for (const e of list) {
    if (e.token !== token) continue;
    if (hit) return undefined;
    hit = e;
  }
  return hit;
}

/**
 * How far apart the server's two statements of one log-prob may be: both print the same number,
 * so only their digits (and a half-precision model's rounding, at most 2^-7 of it) part them.
 */
function apart(ctx: RecordContext, a: number, b: number): boolean {
  return Math.abs(a - b) > 1e-3 + 2 ** -7 * Math.abs(b) + ctx.listedResolution(a) + ctx.listedResolution(b);
}

/**
 * Steps whose log-prob is exactly 0 with an empty top-k list, in a reply where another step lists
 * alternatives (so the request asked for them): p = 1 filled in for a token the server never
 * scored. llama-server sends every token out of its speculative decoding loop so
 * (`result.prob = 1.0f; // set later`, never set; ggml-org/llama.cpp#27972). An honest 0 (a
 * near-certain token) comes with its step's alternatives, as any computed value does.
 */
function placeholderSteps(server: readonly (number | null)[], lists: readonly (readonly TopLogprob[] | null)[]): { first: number; count: number; listed: number } | null {
  let listed = -1;
  let first = -1;
  let count = 0;
  const steps = Math.min(server.length, lists.length);
  for (let i = 0; i < steps; i++) {
    const list = lists[i];
    if (!list) continue;
    if (list.length > 0) {
      if (listed < 0) listed = i;
    } else if (server[i] === 0) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first >= 0 && listed >= 0 ? { first, count, listed } : null;
}

function placeholderFinding(ctx: RecordContext, server: readonly (number | null)[], lists: readonly (readonly TopLogprob[] | null)[]): Diagnosis | null {
  const ph = placeholderSteps(server, lists);
  if (!ph) return null;
  const k = lists[ph.listed]!.length;
  return {
    messageId: 'placeholder',
    data: { step: ph.first, token: ctx.token(ph.first), listed: ph.listed, k, count: ph.count, n: server.length },
    recorded: 0,
    expected: null,
    evidence: { step: ph.first, token: ctx.token(ph.first), placeholders: ph.count, listedStep: ph.listed, k },
  };
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
    summary: "NaN, ±Infinity, a positive log-prob, a top-k list with more than all the probability, a server's log-prob its own top-k list contradicts or that it filled in as 0 without scoring the token, or an API sentinel / null summed as a number",
    messages: {
      nonFiniteValue: 'the value at step {{step}} ({{token|json}}) is {{value}}, which no log-prob can be',
      sentinelSummed: `the score sums the API's "not in the top-k" sentinel {{sentinel}} at step {{step}} ({{token|json}}) as if it were a log-prob`,
      nullSummed: 'step {{step}} has no log-prob (null), yet the score is the sum of the others as if it were 0',
      scoreNaN: 'the recorded score is NaN',
      scoreInfinite: 'the recorded score is +Infinity',
      serverValue: "the server's log-prob at step {{step}} ({{token|json}}) is {{value}}",
      serverProbabilities: "the server's log-probs all lie in [0, 1] (step {{step}}, {{token|json}}: {{value}}): they are probabilities sent as log-probs, which are ≤ 0",
      serverTopk: "the server's log-prob at step {{step}} ({{token|json}}) is {{value}}, but its own top-k list gives that token {{listed}}: one of the two was read at the wrong place",
      logitsRow: 'logits row {{row}} holds NaN or +Infinity: no distribution can be read from it',
      topkEntry: 'the top-k list at step {{step}} gives {{token|json}} the log-prob {{value}}',
      placeholder: "the server's log-prob at step {{step}} ({{token|json}}) is 0 with no top-k list, where step {{listed}} lists {{k}}: a placeholder for a token the server did not score, not a computed value ({{count}} of the {{n}} steps; servers under speculative decoding fill in p = 1 so: llama-server, vLLM V0)",
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
            const messageId = !Number.isNaN(v) && server.length > 1 && server.every((x) => x === null || (x >= 0 && x <= 1)) ? 'serverProbabilities' : 'serverValue';
            return { messageId, data: { step: i, token: ctx.token(i), value: v }, recorded: v, evidence: { step: i } };
          }
        }
        // The server states each token's log-prob twice, as the token's and in its step's top-k
        // list: a step where the two disagree read one of them at the wrong place.
        const lists = ctx.record.top_logprobs;
        if (lists && ctx.ref.level === 'server') {
          const ids = ctx.record.token_ids;
          const steps = Math.min(server.length, lists.length);
          for (let i = 0; i < steps; i++) {
            const v = server[i];
            const list = lists[i];
            if (v === null || !Number.isFinite(v) || !list || list.length === 0) continue;
            const own = ownEntry(list, ids?.[i], ctx.token(i));
            if (own && Number.isFinite(own.logprob) && apart(ctx, own.logprob, v)) {
              return {
                messageId: 'serverTopk',
                data: { step: i, token: ctx.token(i), value: v, listed: own.logprob },
                recorded: v,
                expected: own.logprob,
                evidence: { step: i, token: ctx.token(i), listed: own.logprob },
              };
            }
          }
          const placeholder = placeholderFinding(ctx, server, lists);
          if (placeholder) return placeholder;
        }
      } else if (ctx.record.distribution === 'processed' && ctx.record.logprobs && ctx.record.top_logprobs) {
        // A server's sampler-processed numbers (llama.cpp post_sampling_probs: prob 1.0 and top_probs []).
        const placeholder = placeholderFinding(ctx, ctx.record.logprobs, ctx.record.top_logprobs);
        if (placeholder) return placeholder;
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
