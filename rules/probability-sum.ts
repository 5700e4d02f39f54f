import { createRule } from '../src/engine/rule.js';
import { fmt, sumExp, valuesAreProbabilities } from '../src/engine/evidence.js';
import { FLOAT32_PRODUCT_REL, PROBABILITY_FLOOR } from '../src/reference/precision.js';

/** A float32 sum of n probabilities, against the exact one: relative rounding as a product's, and an absolute floor. */
function sumTolerance(sum: number): number {
  return FLOAT32_PRODUCT_REL * sum + PROBABILITY_FLOOR;
}

export default createRule(
  {
    id: 'probability-sum',
    defaultSeverity: 'error',
    scope: 'record',
    evidence: 'score, with per-token values or a reference to reproduce it',
    summary: 'the score adds per-token probabilities instead of log-probs',
  },
  (ctx) => {
    const s = ctx.score;
    if (s === undefined || !(s >= 0) || ctx.kind !== 'logprob') return null;
    const n = ctx.n;
    // Recorded values are probabilities and the score is their sum.
    if (ctx.values && valuesAreProbabilities(ctx)) {
      const sum = ctx.valuesTotal;
      if (Math.abs(s - sum) <= sumTolerance(sum) + ctx.scoreResolution) {
        return {
          message: `the per-token values are probabilities (all in [0, 1]) and the score ${fmt(s)} is their sum`,
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
        return {
          message: `the score ${fmt(s)} is Σ exp(log-prob) over the ${n} tokens: probabilities were added`,
          recorded: s,
          expected: base.total,
          evidence: { sumOfProbabilities: sum },
        };
      }
    }
    // Score only: above 1 a value cannot be a probability product, and up to n it can be a sum of n probabilities.
    if (!ctx.values && ctx.ref.known === 0 && s > 1 && s <= n) {
      return {
        message: `the score ${fmt(s)} is positive, above 1 and at most the ${n} tokens: a sum of per-token probabilities`,
        recorded: s,
        expected: null,
        basis: 'range',
      };
    }
    return null;
  },
);
