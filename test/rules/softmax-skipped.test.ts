import { describe, expect, it } from 'vitest';
import { auditRecords, detectionProperty, hypothesisHolds, recordRuleTester, tempDir } from '../helpers/rule-tester.js';
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
      name: 'raw logits gathered, logits level', messageId: 'rawLogits',
      record: buggy(t, 'logits', bugs.softmaxSkipped),
      message: /the per-token values are the targets' raw logits \(e\.g\. step 0: [\d.]+ = logit, log-prob -[\d.]+\)/,
      check: (v) => expect(v.diagnosis!.expected).toBeCloseTo(t.lp.reduce((a, b) => a + b, 0), 9),
    },
    { name: 'negative raw logits, logits level: reproduced exactly', messageId: 'rawLogits', record: buggy(negative, 'logits', bugs.softmaxSkipped), message: /raw logits/ },
    { name: 'raw logits, top-k level: a value above the step’s best log-prob', messageId: 'aboveBest', record: buggy(t, 'topk', bugs.softmaxSkipped), message: /above (0|the step's best log-prob)/ },
    { name: 'raw logits, values level: a positive value', messageId: 'aboveZero', record: buggy(t, 'values', bugs.softmaxSkipped), message: /records [\d.]+, above 0: these are raw logits/ },
    { name: 'raw logits, 150 tokens, values level', messageId: 'aboveZero', record: buggy(toy(4, 150), 'values', bugs.softmaxSkipped) },
    { name: 'score only, a positive sum larger than n', messageId: 'scoreAboveCount', record: buggy(t, 'score', bugs.softmaxSkipped), message: /positive and larger than 5 .*: a sum of raw logits/ },
    { name: 'logits without values: the score is the sum of the raw target logits', messageId: 'scoreIsLogitSum', record: logitSum, message: /the sum of the targets' raw logits/ },
    {
      name: 'attribution: raw logits are not a temperature, a second softmax or a wrong token', messageId: 'rawLogits',
      record: buggy(toy(5, 8), 'logits', bugs.softmaxSkipped),
      check: (v) => {
        for (const other of ['softmax-twice', 'temperature-scaled', 'wrong-token-index', 'high-confidence-wrong-token', 'length-mismatch']) {
          expect(hypothesisHolds(other, v.ctx.record), other).toBe(false);
        }
      },
    },
    {
      name: 'half-precision raw logits at values level', messageId: 'aboveZero',
      record: { ...record(t, 'values'), logprobs: fp16Logits, score: f16Sum(fp16Logits) },
    },
  ],
});

detectionProperty('softmax-skipped', 'raw logits gathered', { bug: bugs.softmaxSkipped, levels: ['logits'] });
detectionProperty('softmax-skipped', 'raw logits gathered, GPT-2-like negative logits', { bug: bugs.softmaxSkipped, levels: ['logits'], model: { shift: -40 } });

describe('softmax-skipped: a group decides a range-only score', () => {
  const dir = tempDir();
  it('a candidate whose logit sum fell in (0, 1] is attributed to the logit sum its sibling proves', async () => {
    // Same pipeline, same bug: one score reads like a probability, the other (above n) can only be logits.
    const records = [
      { id: 'q-c0', group: 'q', tokens: ['a', 'b', 'c'], score: 0.4 },
      { id: 'q-c1', group: 'q', tokens: ['d', 'e'], score: 7.5 },
    ];
    const findings = await auditRecords(dir(), records);
    expect(findings.map((f) => [f.recordId, f.ruleId, f.messageId])).toEqual([
      ['q-c0', 'softmax-skipped', 'bySibling'],
      ['q-c1', 'softmax-skipped', 'scoreAboveCount'],
    ]);
    expect(findings[0].message).toBe(
      'the score 0.4 is positive where a log-prob was declared, and candidate "q-c1" of the same item, scored by the same pipeline, records 7.5, which only a sum of raw logits reaches: the scores are a sum of raw logits',
    );
  });
});
