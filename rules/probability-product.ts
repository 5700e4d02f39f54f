import { createRule } from '../src/engine/rule.js';
import { valuesAreProbabilities } from '../src/engine/hypotheses.js';
import { product, sumLog } from '../src/reference/vectors.js';
import { isFloat16 } from '../src/reference/math.js';
import { FLOAT32_PRODUCT_REL, LOGPROB_CEILING, PRODUCT_FLOOR, SUBNORMAL_LOG_REL, productRelTolerance } from '../src/reference/precision.js';

/** log of the float32 product of exp(v_i), the way a float32 pipeline multiplies probabilities. */
export function logFloat32Product(v: ArrayLike<number>): number {
  let p = 1;
  for (let i = 0; i < v.length; i++) p = Math.fround(p * Math.fround(Math.exp(v[i])));
  return Math.log(p);
}

/** Below this total a float32 product of probabilities is subnormal or 0 (float32's smallest normal is 2^-126). */
const FLOAT32_NORMAL_LOG = -126 * Math.LN2;

export default createRule(
  {
    id: 'probability-product',
    defaultSeverity: 'error',
    evidence: 'score, with per-token values or a reference to reproduce it',
    summary: 'the score is a product of probabilities (exp of the total, or 0 / -Infinity after underflow), not a sum of log-probs',
    // A NaN or sentinel among the values explains the score first.
    after: ['invalid-logprob'],
    range: true,
    messages: {
      expOfTotal: 'the score {{score}} is exp of the total log-prob {{total}}: probabilities were multiplied instead of log-probs added',
      productOfValues: 'the per-token values are probabilities and the score {{score}} is their product',
      probabilityScore: 'the score {{score}} lies in (0, 1] where a log-prob (≤ 0) was declared: it is a probability, most likely a product of per-token probabilities',
      logOfZero: 'the score is -Infinity although every token has a finite log-prob (total {{total}}): the log of a probability product that underflowed to 0',
      logOfZeroNoReference: 'the score is -Infinity: a softmax never gives a token probability 0, so this is the log of a probability product that underflowed to 0',
      logOfSubnormal: 'the score {{score}} is the log of a float32 product of probabilities that went subnormal (exact total {{total}})',
    },
  },
  {
    record(ctx) {
      const s = ctx.score;
      if (s === undefined || Number.isNaN(s) || ctx.kind !== 'logprob') return null;
      const sums = ctx.base;
      const base = sums?.values ?? null;
      const reference = Number.isNaN(ctx.ref.total) ? null : ctx.ref.total;
      const total = sums && sums.logprobs ? sums.total : reference;

      // A product of probabilities recorded as is: in [0, 1] where a log-prob was declared.
      if (s >= 0 && s <= 1) {
        if (total !== null && total < -LOGPROB_CEILING) {
          const expTotal = Math.exp(total);
          // A product formed in float32 is off by n roundings of 2^-24; in float16, of 2^-11. The
          // absolute slack covers subnormal float32 products, which keep only a few bits.
          const rel = productRelTolerance(ctx.n, isFloat16(s) && s !== 0);
          if (Math.abs(s - expTotal) <= rel * expTotal + PRODUCT_FLOOR + ctx.scoreResolution || (s === 0 && total < FLOAT32_NORMAL_LOG)) {
            return { messageId: 'expOfTotal', data: { score: s, total }, recorded: s, expected: total, evidence: { expOfTotal: expTotal } };
          }
        }
        if (ctx.values && valuesAreProbabilities(ctx)) {
          const p = product(ctx.values);
          if (Math.abs(s - p) <= FLOAT32_PRODUCT_REL * p + PRODUCT_FLOOR + ctx.scoreResolution) {
            return {
              messageId: 'productOfValues',
              data: { score: s },
              recorded: s,
              expected: reference ?? sumLog(ctx.values),
              evidence: { productOfValues: p },
              // One value in [0, 1] with no reference: as much a sum, or a logit, as a product.
              basis: ctx.values.length === 1 && ctx.ref.known === 0 ? 'range' : undefined,
            };
          }
        }
        // Score-only evidence: a log-prob cannot be positive; a value in (0, 1] is a probability.
        if (!ctx.values && ctx.ref.known === 0 && s > 0) {
          return { messageId: 'probabilityScore', data: { score: s }, recorded: s, expected: null, basis: 'range' };
        }
      }

      // log(Π p) in float32: -Infinity once the product underflows, imprecise once it is subnormal.
      if (s === -Infinity) {
        // A -Infinity among the values (or in the reference) explains the score otherwise.
        if (ctx.values && ctx.values.some((v) => v === -Infinity)) return null;
        if (total !== null && !Number.isFinite(total)) return null;
        return total !== null
          ? { messageId: 'logOfZero', data: { total }, recorded: s, expected: total }
          : { messageId: 'logOfZeroNoReference', recorded: s, expected: total };
      }
      if (base && total !== null && total < FLOAT32_NORMAL_LOG && s < 0) {
        const lp = logFloat32Product(base);
        // The score must miss the right total by more than the sum's rounding and printing: the
        // score's digits, and the recorded values' when the total is their sum (values printed
        // with four decimals put a 30-token total 1e-4 off the one the score was summed from).
        const sumTol = ctx.sumTol(Math.abs(total), ctx.n) + ctx.scoreResolution + (sums?.fromValues ? ctx.valuesResolution : 0);
        if (Number.isFinite(lp) && Math.abs(s - total) > sumTol && Math.abs(s - lp) <= SUBNORMAL_LOG_REL * Math.abs(lp)) {
          return { messageId: 'logOfSubnormal', data: { score: s, total }, recorded: s, expected: total, evidence: { logFloat32Product: lp } };
        }
      }
      return null;
    },
  },
);
