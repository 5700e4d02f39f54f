import { createRule } from '../src/engine/rule.js';
import { SCORE_KINDS } from '../src/reference/score-kinds.js';
import { LOGPROB_CEILING } from '../src/reference/precision.js';

export default createRule(
  {
    id: 'score-mismatch',
    defaultSeverity: 'error',
    evidence: 'score or per-token values, with a reference or per-token values to recompute from',
    summary: 'the recorded numbers disagree with the reference beyond tolerance and no rule above explains why',
    // The catch-all: asked only when no hypothesis reproduces the numbers.
    after: [
      'invalid-logprob', 'low-precision', 'length-mismatch', 'probability-product', 'probability-sum', 'softmax-skipped', 'softmax-twice',
      'high-confidence-wrong-token', 'wrong-token-index', 'normalization-mismatch', 'temperature-scaled',
    ],
    messages: {
      drift: 'the per-token values each stay within honest noise of the reference but drift from it together by {{drift}} over {{steps}} steps, more than noise adds up to',
      values: '{{mismatched}} of {{tokens}} per-token values disagree with the reference; first at step {{step}} ({{token|json}}): recorded {{value|apart}}, reference {{reference|apart}}',
      valuesBound: '{{mismatched}} of {{tokens}} per-token values disagree with the reference; first at step {{step}} ({{token|json}}): recorded {{value}}, reference at most {{bound}}',
      score: 'the score {{score|apart}} disagrees with the reference {{expected|apart}} ({{kind}}) by {{difference}}',
      scoreOfValues: 'the score {{score|apart}} is not the {{kind}} of the recorded per-token values ({{expected|apart}})',
      outOfRange: 'the score {{score}} is outside [{{min}}, {{max}}], the range of a {{kind}}',
    },
  },
  {
    record(ctx) {
      // The catch-all speaks last: only once no tier is left in which honest precision could explain the numbers.
      if (!ctx.finalTier) return null;
      const { ref, values } = ctx;
      const check = ctx.valuesCheck;
      if (check.comparable && !check.agree && check.mismatched === 0) {
        return {
          messageId: 'drift',
          data: { drift: check.drift, steps: check.checked },
          recorded: ctx.score ?? ctx.valuesTotal,
          expected: Number.isNaN(ref.total) ? null : ref.total,
          evidence: { drift: check.drift, stepsChecked: check.checked },
        };
      }
      if (check.comparable && !check.agree) {
        const i = check.firstMismatch;
        const e = ref.exact[i];
        const known = !Number.isNaN(e);
        return {
          messageId: known ? 'values' : 'valuesBound',
          data: { mismatched: check.mismatched, tokens: ctx.n, step: i, token: ctx.token(i), value: values![i], reference: e, bound: ref.upper[i] },
          recorded: ctx.score ?? ctx.valuesTotal,
          expected: Number.isNaN(ref.total) ? null : ref.total,
          evidence: { step: i, token: ctx.token(i), recordedValue: values![i], reference: known ? e : null, mismatchedSteps: check.mismatched },
        };
      }
      const s = ctx.score;
      if (s === undefined) return null;
      if (!Number.isNaN(ref.total)) {
        if (ctx.scoreIs(ref.total, ctx.refAbs, ctx.n, false, ctx.zeroPrint)) return null;
        const expected = ctx.declared(ref.total);
        return { messageId: 'score', data: { score: s, expected, kind: ctx.kind, difference: Math.abs(s - expected) }, recorded: s, expected };
      }
      if (values && values.length === ctx.n && ctx.nulls === 0) {
        if (ctx.scoreIs(ctx.valuesTotal, ctx.valuesAbs, ctx.n, true, ctx.zeroPrint) || ctx.scoreFitsValuesAsPrint(ctx.zeroPrint)) return null;
        const expected = ctx.declared(ctx.valuesTotal);
        return { messageId: 'scoreOfValues', data: { score: s, kind: ctx.kind, expected }, recorded: s, expected };
      }
      // Score alone: only its range can be checked, by its declared kind.
      const { min, max } = SCORE_KINDS[ctx.kind];
      if (s < min - LOGPROB_CEILING || s > max + LOGPROB_CEILING) return { messageId: 'outOfRange', data: { score: s, min, max, kind: ctx.kind }, recorded: s, expected: null };
      return null;
    },
  },
);
