import { describe, expect, it } from 'vitest';
import { auditRecords, detectionProperty, hypothesisHolds, recordRuleTester, tempDir } from '../helpers/rule-tester.js';
import { bugs, buggy, record, toy, toyWhere } from '../helpers/toy-model.js';

const t = toy(1, 5);
/** Σ p > 1: a score-only sum of probabilities that a product cannot reach. */
const above1 = toyWhere(1, 6, (x) => x.lp.reduce((s, v) => s + Math.exp(v), 0) > 1.05);
const below1 = toyWhere(1, 5, (x) => x.lp.reduce((s, v) => s + Math.exp(v), 0) < 0.9);

recordRuleTester('probability-sum', {
  valid: [
    { name: 'clean, logits level', record: record(t, 'logits') },
    { name: 'clean, values level', record: record(t, 'values') },
    { name: 'one token: a sum of one probability is also its product, and the product is asked first', record: buggy(toy(2, 1), 'values', bugs.probabilitySum), rootCause: 'probability-product' },
    {
      name: 'score only, a sum of probabilities below 1: by its range as much a product (the group decides, see below)',
      record: buggy(below1, 'score', bugs.probabilitySum),
      rootCause: 'probability-product',
    },
    { name: 'score only, above the token count: only raw logits reach it', record: { id: 1, tokens: ['a', 'b'], score: 7.5 }, rootCause: 'softmax-skipped' },
    { name: 'a product of probabilities is probability-product', record: buggy(t, 'values', bugs.probabilityProduct), rootCause: 'probability-product' },
  ],
  invalid: [
    { name: 'Σ exp(log-prob), logits level', messageId: 'sumOfProbabilities', record: buggy(t, 'logits', bugs.probabilitySum), message: /is Σ exp\(log-prob\) over the 5 tokens: probabilities were added/ },
    { name: 'Σ exp(log-prob), top-k level', messageId: 'sumOfProbabilities', record: buggy(t, 'topk', bugs.probabilitySum), message: /Σ exp/ },
    { name: 'Σ exp(log-prob), values level, 150 tokens', messageId: 'sumOfProbabilities', record: buggy(toy(3, 150), 'values', bugs.probabilitySum), message: /over the 150 tokens/ },
    { name: 'per-token probabilities recorded and summed, values level', messageId: 'sumOfValues', record: buggy(t, 'values', bugs.probabilityValuesSum), message: /per-token values are probabilities \(all in \[0, 1\]\) and the score .* is their sum/ },
    { name: 'per-token probabilities recorded and summed, logits level', messageId: 'sumOfValues', record: buggy(t, 'logits', bugs.probabilityValuesSum), message: /their sum/ },
    { name: 'score only, above 1 and at most n', messageId: 'scoreInRange', record: buggy(above1, 'score', bugs.probabilitySum), message: /positive, above 1 and at most the 6 tokens/, check: (v) => expect(v.diagnosis!.basis).toBe('range') },
    {
      name: 'attribution: a sum of probabilities is not their product (probability-product does not reproduce it)', messageId: 'sumOfProbabilities',
      record: buggy(toy(4, 6), 'topk', bugs.probabilitySum),
      check: (v) => expect(hypothesisHolds('probability-product', v.ctx.record)).toBe(false),
    },
  ],
});

describe('probability-sum: a group decides a range-only score', () => {
  const dir = tempDir();
  it('a candidate whose sum stayed below 1 is attributed to the sum its sibling proves', async () => {
    const records = [buggy(below1, 'score', bugs.probabilitySum, 'q-c0'), buggy(above1, 'score', bugs.probabilitySum, 'q-c1')].map((r) => ({ ...r, group: 'q' }));
    const findings = await auditRecords(dir(), records);
    expect(findings.map((f) => [f.recordId, f.ruleId, f.messageId])).toEqual([
      ['q-c0', 'probability-sum', 'bySibling'],
      ['q-c1', 'probability-sum', 'scoreInRange'],
    ]);
    expect(findings[0].message).toMatch(/candidate "q-c1" of the same item.* the scores are a sum of probabilities$/);
    expect(findings[0].evidence).toMatchObject({ decidedBy: 'q-c1' });
  });

  it('siblings that are all below 1 stay probability-product', async () => {
    const records = [buggy(below1, 'score', bugs.probabilitySum, 'r-c0'), buggy(toy(9, 2), 'score', bugs.probabilityProduct, 'r-c1')].map((r) => ({ ...r, group: 'r' }));
    const findings = await auditRecords(dir(), records);
    expect(findings.map((f) => f.ruleId)).toEqual(['probability-product', 'probability-product']);
  });
});

detectionProperty('probability-sum', 'probs.sum()', { bug: bugs.probabilitySum, levels: ['logits', 'topk', 'values'], minN: 2 });
