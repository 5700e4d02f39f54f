import { createRule } from '../src/engine/rule.js';
import { valuesAreProbabilities } from '../src/engine/hypotheses.js';
import { sumExp } from '../src/reference/vectors.js';
import { FLOAT32_PRODUCT_REL, PROBABILITY_FLOOR } from '../src/reference/precision.js';

/** A float32 sum of n probabilities, against the exact one: relative rounding as a product's, and an absolute floor. */
function sumTolerance(sum: number): number {
  return FLOAT32_PRODUCT_REL * sum + PROBABILITY_FLOOR;
}

export default createRule(
  {
    id: 'probability-sum',
    defaultSeverity: 'error',
    evidence: 'score, with per-token values or a reference to reproduce it',
    summary: 'the score adds per-token probabilities instead of log-probs',
    // One probability summed is one multiplied: the product is the narrower explanation.
    after: ['probability-product'],
    range: true,
    messages: {
      sumOfValues: 'the per-token values are probabilities (all in [0, 1]) and the score {{score}} is their sum',
      sumOfProbabilities: 'the score {{score}} is Σ exp(log-prob) over the {{tokens}} tokens: probabilities were added',
      scoreInRange: 'the score {{score}} is positive, above 1 and at most the {{tokens}} tokens: a sum of per-token probabilities',
      bySibling:
        'the score {{score}} is positive where a log-prob was declared, and candidate {{sibling|json}} of the same item, scored by the same pipeline, records {{siblingScore}}, which only a sum of probabilities reaches: the scores are a sum of probabilities',
    },
  },
  {
    record(ctx) {
      const s = ctx.score;
      if (s === undefined || !(s >= 0) || ctx.kind !== 'logprob') return null;
      const n = ctx.n;
      // Recorded values are probabilities and the score is their sum.
      if (ctx.values && valuesAreProbabilities(ctx)) {
        const sum = ctx.valuesTotal;
        if (Math.abs(s - sum) <= sumTolerance(sum) + ctx.scoreResolution) {
          return {
            messageId: 'sumOfValues',
            data: { score: s },
            recorded: s,
            expected: Number.isNaN(ctx.ref.total) ? null : ctx.ref.total,
            evidence: { sumOfValues: sum },
          };
        }
      }
      // Log-probs recorded per token, but the score adds their exponentials.
      const base = ctx.base;
      if (base && base.logprobs) {
        const sum = sumExp(base.values);
        if (Math.abs(s - sum) <= sumTolerance(sum) + ctx.scoreResolution) {
          return { messageId: 'sumOfProbabilities', data: { score: s, tokens: n }, recorded: s, expected: base.total, evidence: { sumOfProbabilities: sum } };
        }
      }
      // Score only: above 1 a value cannot be a probability product, and up to n it can be a sum of n probabilities.
      if (!ctx.values && ctx.ref.known === 0 && s > 1 && s <= n) {
        return { messageId: 'scoreInRange', data: { score: s, tokens: n }, recorded: s, expected: null, basis: 'range' };
      }
      return null;
    },
  },
);
