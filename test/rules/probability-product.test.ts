import { expect } from 'vitest';
import { detectionProperty, hypothesisHolds, recordRuleTester } from '../helpers/rule-tester.js';
import { bugs, buggy, record, toy } from '../helpers/toy-model.js';

const t = toy(1, 5);
const long = toy(1, 150); // total ≈ -245: a float32 product underflows to 0
const subnormal = toy(5239, 43); // total -101.65: the float32 product is subnormal, its log imprecise
const nearlySubnormal = toy(5239, 40); // total -94.37: subnormal, but its log still within float32 tolerance

/**
 * An honest record (the honest-numerics generator's B-sums f64 path, seed 31) with its values
 * printed to four decimals: the float64 score misses their sum by 8e-5, the printing alone, at a
 * total past float32's normal range where a subnormal product's log is as imprecise.
 */
const printedValues = {
  id: 'g740-c3',
  tokens: ['sm', 'tp', '_', 'error', "'", ' attribute', '\n   ', ' is', ' set', ' to'],
  logprobs: [-16.2227, -13.8012, -4.7953, -7.3855, -20.2406, -8.531, -12.3419, -3.5694, -5.5205, -1.5679],
  score: -93.97591650485992,
};

recordRuleTester('probability-product', {
  valid: [
    { name: 'values printed with four decimals, total -93.98: the score misses their sum by the printing alone, no subnormal product', record: printedValues },
    { name: 'clean, logits level', record: record(t, 'logits') },
    { name: 'clean, 150 tokens, top-k level', record: record(long, 'topk') },
    { name: 'log of a float32 product on a short sequence equals the sum within rounding: harmless', record: buggy(t, 'logits', bugs.underflow) },
    { name: 'log of a barely subnormal product (total -94.4): within float32 tolerance', record: buggy(nearlySubnormal, 'logits', bugs.underflow) },
    {
      name: 'a product that underflowed to exactly 0 with no other evidence: 0 is a valid log-prob',
      record: buggy(long, 'score', bugs.probabilityProduct),
    },
    { name: 'a sum of probabilities (above the product) is probability-sum', record: buggy(t, 'values', bugs.probabilitySum), rootCause: 'probability-sum' },
    {
      // Regression (fixed in c82ba91): the float32 product underflows to 0, logFloat32Product()
      // is -Infinity, and |s - lp| <= 1e-6·|lp| read Infinity <= Infinity as a match.
      name: 'a mean recorded for a long sequence (product underflows to 0) is normalization-mismatch, not a subnormal product',
      record: buggy(long, 'values', bugs.meanAsSum),
      rootCause: 'normalization-mismatch',
    },
    {
      name: 'a half-precision sum of 150 tokens whose product underflows is not a subnormal product',
      record: buggy(long, 'logits', bugs.bf16),
      rootCause: 'low-precision',
    },
  ],
  invalid: [
    { name: 'product score, logits level', messageId: 'expOfTotal', record: buggy(t, 'logits', bugs.probabilityProduct), message: /is exp of the total log-prob -?[\d.]+: probabilities were multiplied/ },
    { name: 'product score, top-k level', messageId: 'expOfTotal', record: buggy(t, 'topk', bugs.probabilityProduct), message: /exp of the total/ },
    { name: 'product score, values level', messageId: 'expOfTotal', record: buggy(t, 'values', bugs.probabilityProduct), message: /exp of the total/ },
    { name: 'product score, score only: decided by its range', messageId: 'probabilityScore', record: buggy(t, 'score', bugs.probabilityProduct), message: /lies in \(0, 1\] where a log-prob/, check: (v) => expect(v.diagnosis!.basis).toBe('range') },
    { name: 'per-token probabilities multiplied, values level', messageId: 'productOfValues', record: buggy(t, 'values', bugs.probabilityValuesProduct), message: /per-token values are probabilities and the score .* is their product/ },
    { name: 'product of 150 probabilities underflowed to 0, logits level', messageId: 'expOfTotal', record: buggy(long, 'logits', bugs.probabilityProduct), message: /the score 0 is exp of the total log-prob/ },
    { name: 'log of an underflowed product: -Infinity, top-k level', messageId: 'logOfZero', record: buggy(long, 'topk', bugs.underflow), message: /-Infinity although every token has a finite log-prob/ },
    { name: 'log of an underflowed product: -Infinity, values level', messageId: 'logOfZero', record: buggy(long, 'values', bugs.underflow), message: /-Infinity/ },
    { name: 'log of an underflowed product: -Infinity, score only', messageId: 'logOfZeroNoReference', record: buggy(long, 'score', bugs.underflow), message: /-Infinity/ },
    { name: 'log of a subnormal float32 product (total -101.65), logits level', messageId: 'logOfSubnormal', record: buggy(subnormal, 'logits', bugs.underflow), message: /log of a float32 product of probabilities that went subnormal/ },
    { name: 'log of a subnormal float32 product, values level', messageId: 'logOfSubnormal', record: buggy(subnormal, 'values', bugs.underflow), message: /went subnormal/ },
    {
      name: 'attribution: a product is not a sum of probabilities (probability-sum does not reproduce it)', messageId: 'expOfTotal',
      record: buggy(toy(2, 8), 'topk', bugs.probabilityProduct),
      check: (v) => expect(hypothesisHolds('probability-sum', v.ctx.record)).toBe(false),
    },
  ],
});

detectionProperty('probability-product', 'torch.prod(probs)', { bug: bugs.probabilityProduct, levels: ['logits', 'topk', 'values'] });
