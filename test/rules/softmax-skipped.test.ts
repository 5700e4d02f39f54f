import { expect } from 'vitest';
import { detectionProperty, hypothesisHolds, recordRuleTester } from '../helpers/rule-tester.js';
import { bugs, buggy, f16, f16Sum, record, toy } from '../helpers/toy-model.js';

const t = toy(1, 5);
/** GPT-2-like logits, far below 0: gathered raw logits look like (very unlikely) log-probs. */
const negative = toy(2, 5, { shift: -40 });
const logitSum = (() => {
  const r = buggy(t, 'logits', bugs.softmaxSkipped);
  delete r.logprobs;
  return r;
})();
const fp16Logits = t.ids.map((y, i) => f16(t.logits[i][y]));

recordRuleTester('softmax-skipped', {
  valid: [
    { name: 'clean, logits level', record: record(t, 'logits') },
    { name: 'clean with logits far above 0 (the reference is shift-invariant)', record: record(toy(3, 5, { shift: 20 }), 'logits') },
    { name: 'negative raw logits at values level: plausible log-probs, nothing to compare with', record: buggy(negative, 'values', bugs.softmaxSkipped) },
    { name: 'negative raw logits at top-k level disagree with the listed log-probs: score-mismatch', record: buggy(negative, 'topk', bugs.softmaxSkipped), rootCause: 'score-mismatch' },
    { name: 'score only, positive and at most n: as much a sum of probabilities', record: { id: 1, tokens: ['a', 'b', 'c', 'd'], score: 2.5 }, rootCause: 'probability-sum' },
    { name: 'score only, in (0, 1]: a probability', record: { id: 1, tokens: ['a', 'b', 'c', 'd'], score: 0.25 }, rootCause: 'probability-product' },
    { name: 'values in [0, 1] that are the probabilities are probability-sum, not logits', record: buggy(t, 'values', bugs.probabilityValuesSum), rootCause: 'probability-sum' },
  ],
  invalid: [
    {
      name: 'raw logits gathered, logits level',
      record: buggy(t, 'logits', bugs.softmaxSkipped),
      message: /the per-token values are the targets' raw logits \(e\.g\. step 0: [\d.]+ = logit, log-prob -[\d.]+\)/,
      check: (v) => expect(v.diagnosis!.expected).toBeCloseTo(t.lp.reduce((a, b) => a + b, 0), 9),
    },
    { name: 'negative raw logits, logits level: reproduced exactly', record: buggy(negative, 'logits', bugs.softmaxSkipped), message: /raw logits/ },
    { name: 'raw logits, top-k level: a value above the step’s best log-prob', record: buggy(t, 'topk', bugs.softmaxSkipped), message: /above (0|the step's best log-prob)/ },
    { name: 'raw logits, values level: a positive value', record: buggy(t, 'values', bugs.softmaxSkipped), message: /records [\d.]+, above 0: these are raw logits/ },
    { name: 'raw logits, 150 tokens, values level', record: buggy(toy(4, 150), 'values', bugs.softmaxSkipped) },
    { name: 'score only, a positive sum larger than n', record: buggy(t, 'score', bugs.softmaxSkipped), message: /positive and larger than 5 .*: a sum of raw logits/ },
    { name: 'logits without values: the score is the sum of the raw target logits', record: logitSum, message: /the sum of the targets' raw logits/ },
    {
      name: 'attribution: raw logits are not a temperature, a second softmax or a wrong token',
      record: buggy(toy(5, 8), 'logits', bugs.softmaxSkipped),
      check: (v) => {
        for (const other of ['softmax-twice', 'temperature-scaled', 'wrong-token-index', 'high-confidence-wrong-token', 'length-mismatch']) {
          expect(hypothesisHolds(other, v.ctx.record), other).toBe(false);
        }
      },
    },
    {
      name: 'half-precision raw logits at values level',
      record: { ...record(t, 'values'), logprobs: fp16Logits, score: f16Sum(fp16Logits) },
    },
  ],
});

detectionProperty('softmax-skipped', 'raw logits gathered', { bug: bugs.softmaxSkipped, levels: ['logits'] });
detectionProperty('softmax-skipped', 'raw logits gathered, GPT-2-like negative logits', { bug: bugs.softmaxSkipped, levels: ['logits'], model: { shift: -40 } });
