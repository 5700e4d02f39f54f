import { createRule, type Diagnosis } from '../src/engine/rule.js';
import { logitRow } from '../src/engine/hypotheses.js';
import { findInTop } from '../src/reference/sequence.js';
import type { RecordContext } from '../src/engine/record-context.js';
import { FLOAT64_SUM_REL, SEPARATION, UNIT_ROUNDOFF } from '../src/reference/precision.js';
import { anyPrintResolution, shortPrintResolution } from '../src/reference/storage.js';

/** The recorded values cover a different number of steps than the continuation has tokens. */
function countMismatch(ctx: RecordContext): Diagnosis | null {
  const v = ctx.values;
  // Without tokens (or ids) the count is only inferred from the values themselves.
  const declared = ctx.record.tokens !== undefined || ctx.record.token_ids !== undefined;
  if (!v || v.length === ctx.n || (ctx.n === 0 && !declared)) return null;
  const m = v.length;
  return {
    messageId: m === ctx.n + 1 ? 'oneValueMore' : m === ctx.n - 1 ? 'oneValueFewer' : 'countsDisagree',
    data: { values: m, tokens: ctx.n },
    recorded: ctx.score ?? ctx.valuesTotal,
    expected: Number.isNaN(ctx.ref.total) ? null : ctx.ref.total,
    evidence: { values: m, tokens: ctx.n },
  };
}

/**
 * The score sums a shifted window of the token sequence: the full sequence is the context's
 * log-probs, the continuation's, then any trailing (generated) ones; the right window is the
 * continuation alone.
 */
function windowMismatch(ctx: RecordContext): Diagnosis | null {
  const base = ctx.base;
  // Windows are sums of log-probs: values that cannot be log-probs belong to other rules, and a
  // positive score is no sum of log-probs, however small (an empty window sums to exactly 0).
  if (!base || !base.logprobs || ctx.score === undefined || !Number.isFinite(ctx.score) || ctx.score > 0 || ctx.n === 0) return null;
  const n = ctx.n;
  const { total, abs, fromValues } = base;
  // Within tolerance of the right window, a wrong window can still fit far better: a float32
  // score one rounding away from Σ-without-the-last-token but several away from Σ.
  // That needs the very numbers the scorer summed: the recorded values, or a server's own.
  const tight = ctx.scoreIs(total, abs, n, fromValues);
  if (tight && !((fromValues || ctx.ref.level === 'server') && ctx.kind === 'logprob')) return null;
  // Below the spacing the score was stored or printed with no window can be told from another.
  const rounding = scoreRounding(ctx.score, abs);
  // The common case first, without looking at how the score was stored: it fits the right window to its own rounding.
  if (tight && Math.abs(ctx.score - total) <= Math.max(2, 0.5 * Math.sqrt(n)) * rounding) return null;
  // A score of 0 may be a print (ZERO_PRINT_RESOLUTION): no window within it is told from the right one.
  const scoreUlp = Math.max(ctx.scoreUlp, ctx.zeroPrint);
  const ulp = Math.max(rounding, scoreUlp);
  // A float32 score with few digits (-691, -222.5) is taken as stored, but may be a print (or a
  // float16 value whose digits cannot show it): a wrong window is told from the right one only
  // beyond that print's spacing too. -691.02 stored in float16 is -691, and so is -691.02 without
  // its last token (-0.019).
  const apart = Math.max(ulp, 2 * shortPrintResolution(ctx.score));
  const tol = fromValues ? ctx.sumTol(abs, n) : ctx.totalTol(abs);
  // An honest float32 running sum drifts like √n roundings: only a misfit beyond that is evidence.
  // A half-precision accumulator drifts by its own tolerance. Summands printed with fewer digits
  // than the score was computed with (values printed to 4 decimals, a score from the model's
  // numbers) leave the right window's sum uncertain by their printed resolutions.
  const printed = fromValues ? ctx.valuesResolution : ctx.refResolution;
  const drift = Math.max(Math.max(2, 0.5 * Math.sqrt(n)) * apart + printed, ctx.accU > UNIT_ROUNDOFF.float32 ? tol : 0);
  if (tight && Math.abs(ctx.score - total) <= drift) return null; // the right window fits to rounding
  const ctxLp = ctx.record.context_logprobs;
  const lastCtx = ctxLp && ctxLp.length > 0 ? ctxLp[ctxLp.length - 1] : null;
  const trailing = ctx.record.trailing_logprobs?.[0] ?? null;
  const first = base.values[0];
  const last = base.values[n - 1];
  // Each wrong window: its sum, its message id, and what it changed (evidence, and the value the message names).
  const candidates: [number, string, Record<string, unknown>][] = [];
  // With one token, dropping it leaves the empty sum: exactly 0, what `lp[..., :-1].sum()` returns.
  candidates.push([n >= 2 ? total - last : 0, 'lastDropped', { dropped: 'last', value: last }]);
  if (lastCtx !== null && Number.isFinite(lastCtx)) {
    candidates.push([total + lastCtx, 'contextIncluded', { included: 'context', value: lastCtx }]);
    if (n >= 2) candidates.push([total + lastCtx - last, 'startsEarly', { shifted: -1 }]);
  }
  if (trailing !== null && Number.isFinite(trailing)) {
    candidates.push([total + trailing, 'generatedIncluded', { included: 'generated', value: trailing }]);
    if (n >= 2) candidates.push([total - first + trailing, 'startsLate', { shifted: 1 }]);
  }
  if (n >= 2) candidates.push([total - first, 'firstDropped', { dropped: 'first', value: first }]);
  for (const [t, messageId, evidence] of candidates) {
    if (tight) {
      // The wrong window must fit to rounding and stand clear of the right one by more than
      // rounding, or honest drift could land a score next to it.
      if (!(Math.abs(ctx.score - t) <= ulp && Math.abs(t - total) > 2 * apart)) continue;
    } else if (Math.abs(t - total) <= SEPARATION * tol + Math.max(scoreUlp, apart)) continue; // indistinguishable from the right window
    if (tight || ctx.scoreIs(t, abs + Math.abs(t - total), n, fromValues)) {
      const d: Diagnosis = {
        messageId,
        data: { score: ctx.score, value: evidence.value },
        recorded: ctx.score,
        expected: Number.isNaN(ctx.ref.total) ? total : ctx.ref.total,
        evidence,
      };
      // A score with few digits (-71.94, -23.953) may be a print of a half-precision sum the right
      // window fits as well as this one fits float32: the file's other records tell which.
      if (ctx.firstTier && anyPrintResolution(ctx.score) > 0 && ctx.nullFitsWidest) d.unlessHalfRun = true;
      return d;
    }
  }
  return null;
}

/**
 * The rounding a recorded score carries: a float32 score (exactly representable in float32) is
 * off by up to one float32 spacing; a float64 one, summed in float64, by ~1e-12 relative.
 */
function scoreRounding(x: number, absSum: number): number {
  const a = Math.abs(x);
  if (Math.fround(x) === x) return a === 0 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
  return FLOAT64_SUM_REL * (absSum + 1);
}

/** The one-step shift forgotten: token i was read from the distribution that predicts token i+1. */
function shiftForgotten(ctx: RecordContext): Diagnosis | null {
  const { values, ref, record } = ctx;
  const ids = record.token_ids;
  if (!values || values.length !== ctx.n || ctx.n === 0 || !ctx.disagrees) return null;
  let hits = 0;
  if (ref.level === 'logits' && ids) {
    for (let i = 0; i < ctx.n; i++) {
      const r = logitRow(ctx, i + 1);
      if (!r) continue;
      const p = r.row[ids[i]] - r.lse;
      if (!(Math.abs(values[i] - p) <= ctx.tolFor(i + 1, p))) return null;
      hits++;
    }
  } else if (ref.level === 'topk' && record.top_logprobs) {
    const top = record.top_logprobs;
    for (let i = 0; i < ctx.n && i + 1 < top.length; i++) {
      const list = top[i + 1];
      if (!list || list.length === 0) continue;
      const hit = findInTop(list, ids?.[i], record.tokens?.[i]);
      if (hit) {
        if (!(Math.abs(values[i] - hit.logprob) <= ctx.tolFor(i + 1, hit.logprob))) return null;
        hits++;
      } else {
        let last = Infinity;
        for (const e of list) last = Math.min(last, e.logprob);
        if (values[i] > last + ctx.tolFor(i + 1, last)) return null;
      }
    }
  }
  if (hits === 0) return null;
  let clear = false;
  for (let i = 0; i < ctx.n && !clear; i++) clear = ctx.standsClear(i);
  if (!clear) return null;
  return {
    messageId: 'shiftForgotten',
    data: { hits },
    recorded: ctx.score ?? ctx.valuesTotal,
    expected: Number.isNaN(ref.total) ? null : ref.total,
    evidence: { stepsReproduced: hits },
  };
}

export default createRule(
  {
    id: 'length-mismatch',
    defaultSeverity: 'error',
    evidence: 'per-token values and tokens, or a score with per-token values / a reference',
    summary: 'the scored window is wrong: counts disagree, a context or generated token is included, the last token dropped, or the one-step shift forgotten',
    after: ['invalid-logprob'],
    messages: {
      oneValueMore: '{{values}} per-token values for {{tokens}} continuation tokens: one value more than tokens: a context token was scored too (the window starts one position early)',
      oneValueFewer: '{{values}} per-token values for {{tokens}} continuation tokens: one value fewer than tokens: the last continuation token was dropped',
      countsDisagree: '{{values}} per-token values for {{tokens}} continuation tokens: the counts disagree',
      lastDropped: 'the score {{score}} sums the wrong window: the last continuation token (log-prob {{value}}) was left out',
      firstDropped: 'the score {{score}} sums the wrong window: the first continuation token (log-prob {{value}}) was left out',
      contextIncluded: 'the score {{score}} sums the wrong window: the last context token (log-prob {{value}}) was scored too',
      generatedIncluded: 'the score {{score}} sums the wrong window: the generated token after the continuation (log-prob {{value}}) was scored too',
      startsEarly: 'the score {{score}} sums the wrong window: the window starts one token early: the last context token is in, the last continuation token out',
      startsLate: 'the score {{score}} sums the wrong window: the window starts one token late: the first continuation token is out, the generated token in',
      shiftForgotten: "each token's value was read from the next position's distribution (the one-step shift was forgotten); {{hits}} step(s) reproduce it exactly",
    },
  },
  { record: (ctx) => countMismatch(ctx) ?? windowMismatch(ctx) ?? shiftForgotten(ctx) },
);
