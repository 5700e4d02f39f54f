import { expect } from 'vitest';
import { recordRuleTester } from '../helpers/rule-tester.js';
import { bugs, buggy, clean, cleanValues, f32, f32Sum, record, toy, toyWhere, topK, V, type Toy } from '../helpers/toy-model.js';
import { K_STEP, TIERS, rowStats, stepScale } from '../../src/reference/precision.js';

const t = toy(1, 5);
const values = cleanValues(t);
const sum = f32Sum(values);
/** Step 1's target is listed in its top-5: its reference value is known exactly. */
const listed = toyWhere(1, 5, (x) => topK(x, 1).some((e) => e.id === x.ids[1]));
const unlisted = toyWhere(1, 5, (x) => x.ids.every((y, i) => y + 1 < V && !topK(x, i).some((e) => e.id === y + 1)));

/**
 * Values each `share` of their bfloat16 tolerance off the reference, with the sign `sign(i)`: each
 * is honest at half precision alone, together they add up beyond what noise does when they agree in sign.
 */
function nudged(x: Toy, share: number, sign: (i: number) => number) {
  const values = x.lp.map((lp, i) => {
    const st = rowStats(x.logits[i]);
    return f32(lp + sign(i) * share * K_STEP * stepScale(TIERS.bf16, st, lp, lp + st.lse));
  });
  return { ...record(x, 'logits'), logprobs: values, score: f32Sum(values) };
}
const twenty = toy(9, 20);

recordRuleTester('score-mismatch', {
  valid: [
    { name: 'clean, every level and kind', record: record(t, 'logits', clean(t, { kind: 'nll' })) },
    { name: 'clean mean, top-k level', record: record(t, 'topk', clean(t, { kind: 'mean_logprob' })) },
    { name: 'a score one float32 step away from the sum', record: { ...record(t, 'logits'), score: sum + 2 ** -20 } },
    { name: 'score only, a plausible negative score', record: record(t, 'score') },
    { name: 'values each within half-precision noise, alternating in sign: low-precision', record: nudged(twenty, 0.8, (i) => (i % 2 ? 1 : -1)), rootCause: 'low-precision' },
    { name: 'a named bug wins: token id + 1 at logits level', record: buggy(toyWhere(1, 5, (x) => x.ids.every((y) => y + 1 < V)), 'logits', bugs.tokenIdPlusOne), rootCause: 'wrong-token-index' },
    { name: 'a named bug wins: forgotten shift at logits level', record: buggy(t, 'logits', bugs.noShift), rootCause: 'length-mismatch' },
    { name: 'a named bug wins: mean as sum', record: buggy(t, 'values', bugs.meanAsSum), rootCause: 'normalization-mismatch' },
  ],
  invalid: [
    {
      name: 'values each within half-precision noise but all off in one direction: they drift together beyond noise',
      messageId: 'drift',
      record: nudged(twenty, 0.8, () => 1),
      check: (v) => expect(v.diagnosis!.data!.steps).toBe(20),
    },
    {
      name: 'logits level, score off by 1 (beyond half precision too)', messageId: 'score',
      record: { ...record(t, 'logits'), score: sum - 1 },
      message: /the score -[\d.]+ disagrees with the reference -[\d.]+ \(logprob\) by (1|0\.99\d*)/,
      check: (v) => expect(v.diagnosis!.expected).toBeCloseTo(t.lp.reduce((a, b) => a + b, 0), 9),
    },
    { name: 'values level, score not the sum of the values', messageId: 'scoreOfValues', record: { ...record(t, 'values'), score: f32(sum - 0.5) }, message: /is not the logprob of the recorded per-token values/ },
    {
      name: 'top-k level, one listed value changed', messageId: 'values',
      record: { ...record(listed, 'topk'), logprobs: cleanValues(listed).map((v, i) => (i === 1 ? f32(v - 0.25) : v)) },
      message: /1 of 5 per-token values disagree with the reference; first at step 1/,
    },
    { name: 'top-k level, an unlisted value above its bound', messageId: 'valuesBound', record: { ...record(toyWhere(2, 5, (x) => !topK(x, 0).some((e) => e.id === x.ids[0])), 'topk'), logprobs: [-0.01, ...cleanValues(toyWhere(2, 5, (x) => !topK(x, 0).some((e) => e.id === x.ids[0]))).slice(1)] }, message: /reference at most/ },
    { name: 'nll declared, the (negative) log-prob recorded: a sign flip', messageId: 'score', record: { ...record(t, 'logits'), score_kind: 'nll' as const }, message: /\(nll\)/ },
    { name: 'score only, a positive mean log-prob', messageId: 'outOfRange', record: { id: 1, tokens: ['a', 'b'], score: 0.5, score_kind: 'mean_logprob' as const }, message: /the score 0\.5 is outside \[-Infinity, 0\], the range of a mean_logprob/ },
    { name: 'score only, a negative NLL', messageId: 'outOfRange', record: { id: 1, tokens: ['a', 'b'], score: -3.25, score_kind: 'nll' as const }, message: /outside \[0, Infinity\], the range of a nll/ },
    { name: 'score only, a perplexity below 1', messageId: 'outOfRange', record: { id: 1, tokens: ['a', 'b'], score: 0.75, score_kind: 'perplexity' as const }, message: /the range of a perplexity/ },
    { name: 'a real bug without a signature: token id + 1 at top-k level, never listed', messageId: 'values', record: buggy(unlisted, 'topk', bugs.tokenIdPlusOne) },
    { name: 'a real bug without a signature: a second softmax at top-k level over 32 tokens', messageId: 'values', record: buggy(toy(1, 20), 'topk', bugs.softmaxTwice) },
  ],
});
