import { createRule } from '../src/engine/rule.js';
import { fmt, tok } from '../src/engine/evidence.js';
import { LOGPROB_CEILING } from '../src/reference/precision.js';

/** Where a score of each kind can lie. */
const KIND_RANGE = {
  logprob: { min: -Infinity, max: 0 },
  mean_logprob: { min: -Infinity, max: 0 },
  prob: { min: 0, max: 1 },
  nll: { min: 0, max: Infinity },
  perplexity: { min: 1, max: Infinity },
} as const;

export default createRule(
  {
    id: 'score-mismatch',
    defaultSeverity: 'error',
    scope: 'record',
    evidence: 'score or per-token values, with a reference or per-token values to recompute from',
    summary: 'the recorded numbers disagree with the reference beyond tolerance and no rule above explains why',
  },
  (ctx) => {
    // The catch-all speaks last: only once no tier is left in which honest precision could explain the numbers.
    if (!ctx.finalTier) return null;
    const { ref, values } = ctx;
    const check = ctx.valuesCheck;
    if (check.comparable && !check.agree && check.mismatched === 0) {
      return {
        message: `the per-token values each stay within honest noise of the reference but drift from it together by ${fmt(check.drift)} over ${check.checked} steps, beyond what noise adds up to`,
        recorded: ctx.score ?? ctx.valuesTotal,
        expected: Number.isNaN(ref.total) ? null : ref.total,
        evidence: { drift: check.drift, stepsChecked: check.checked },
      };
    }
    if (check.comparable && !check.agree) {
      const i = check.firstMismatch;
      const e = ref.exact[i];
      return {
        message: `${check.mismatched} of ${ctx.n} per-token values disagree with the reference; first at step ${i} (${tok(ctx.token(i))}): recorded ${fmt(values![i])}, ${
          Number.isNaN(e) ? `reference at most ${fmt(ref.upper[i])}` : `reference ${fmt(e)}`
        }`,
        recorded: ctx.score ?? ctx.valuesTotal,
        expected: Number.isNaN(ref.total) ? null : ref.total,
        evidence: { step: i, token: ctx.token(i), recordedValue: values![i], reference: Number.isNaN(e) ? null : e, mismatchedSteps: check.mismatched },
      };
    }
    const s = ctx.score;
    if (s === undefined) return null;
    if (!Number.isNaN(ref.total)) {
      if (ctx.scoreIs(ref.total, ctx.refAbs)) return null;
      return {
        message: `the score ${fmt(s)} disagrees with the reference ${fmt(ctx.declared(ref.total))} (${ctx.kind}) by ${fmt(Math.abs(s - ctx.declared(ref.total)))}`,
        recorded: s,
        expected: ctx.declared(ref.total),
      };
    }
    if (values && values.length === ctx.n && ctx.nulls === 0) {
      if (ctx.scoreIs(ctx.valuesTotal, ctx.valuesAbs, ctx.n, true)) return null;
      return {
        message: `the score ${fmt(s)} is not the ${ctx.kind} of the recorded per-token values (${fmt(ctx.declared(ctx.valuesTotal))})`,
        recorded: s,
        expected: ctx.declared(ctx.valuesTotal),
      };
    }
    // Score alone: only its range can be checked, by its declared kind.
    const range = KIND_RANGE[ctx.kind];
    if (s < range.min - LOGPROB_CEILING || s > range.max + LOGPROB_CEILING) {
      return { message: `the score ${fmt(s)} is outside [${fmt(range.min)}, ${fmt(range.max)}], the range of a ${ctx.kind}`, recorded: s, expected: null };
    }
    return null;
  },
);
