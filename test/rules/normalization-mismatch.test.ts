import { describe, expect, it } from 'vitest';
import { auditRecords, detectionProperty, hypothesisHolds, recordRuleTester, tempDir } from '../helpers/rule-tester.js';
import { allDistinct, groupRecords, groupWhere } from '../helpers/groups.js';
import { bugs, buggy, clean, record, toy } from '../helpers/toy-model.js';

const t = toy(1, 5);

recordRuleTester('normalization-mismatch', {
  valid: [
    { name: 'clean total, logits level', record: record(t, 'logits') },
    { name: 'clean mean with score_kind mean_logprob', record: record(t, 'values', clean(t, { kind: 'mean_logprob' })) },
    { name: 'clean perplexity', record: record(t, 'topk', clean(t, { kind: 'perplexity' })) },
    { name: 'one token: its mean is its total', record: buggy(toy(2, 1), 'values', bugs.meanAsSum) },
    { name: 'score only: a mean is a plausible total', record: buggy(t, 'score', bugs.meanAsSum) },
    { name: 'the last token dropped from the score is length-mismatch', record: buggy(t, 'values', bugs.lastTokenDroppedFromScore), rootCause: 'length-mismatch' },
  ],
  invalid: [
    {
      name: 'mean recorded as the total, logits level',
      record: buggy(t, 'logits', bugs.meanAsSum),
      message: /the score -[\d.]+ is the mean per-token log-prob \(-[\d.]+ \/ 5\) where the total was declared/,
      check: (v) => expect(v.diagnosis!.evidence).toMatchObject({ tokens: 5 }),
    },
    { name: 'mean recorded as the total, top-k level', record: buggy(t, 'topk', bugs.meanAsSum) },
    { name: 'mean recorded as the total, values level', record: buggy(t, 'values', bugs.meanAsSum) },
    { name: 'mean recorded as the total, two tokens', record: buggy(toy(3, 2), 'values', bugs.meanAsSum) },
    { name: 'mean recorded as the total, 150 tokens (the float32 product underflows)', record: buggy(toy(1, 150), 'values', bugs.meanAsSum) },
    { name: 'total recorded where mean_logprob was declared', record: buggy(t, 'logits', bugs.sumAsMean), message: /is the total log-prob where score_kind declares the mean/ },
    {
      name: 'attribution: a mean is not a wrong window (length-mismatch does not reproduce it)',
      record: buggy(toy(4, 8), 'topk', bugs.meanAsSum),
      check: (v) => expect(hypothesisHolds('length-mismatch', v.ctx.record)).toBe(false),
    },
  ],
});

describe('normalization-mismatch: group scope', () => {
  const dir = tempDir();
  // Four candidates whose best total, best first token, worst total and best mean are four different ones.
  const toys = groupWhere(1, [2, 6, 3, 9], allDistinct);
  const picks = {
    best: toys.findIndex((_, i) => i === bestBy((x) => x.lp.reduce((a, b) => a + b, 0))),
    mean: bestBy((x) => x.lp.reduce((a, b) => a + b, 0) / x.n),
    first: bestBy((x) => x.lp[0]),
  };
  function bestBy(key: (x: (typeof toys)[number]) => number): number {
    let b = 0;
    toys.forEach((x, i) => {
      if (key(x) > key(toys[b])) b = i;
    });
    return b;
  }

  it('a pick by best mean per-token log-prob where totals were declared', async () => {
    const findings = await auditRecords(dir(), groupRecords(toys, { selected: picks.mean, gold: picks.best }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'normalization-mismatch', recordId: `q1-c${picks.mean}`, group: 'q1' });
    expect(findings[0].message).toMatch(/has the best mean per-token log-prob .* but not the best total .*: the choice was length-normalised though totals were declared/);
  });

  it('the same pick at logits level', async () => {
    const findings = await auditRecords(dir(), groupRecords(toys, { level: 'logits', selected: picks.mean }));
    expect(findings.map((f) => f.ruleId)).toEqual(['normalization-mismatch']);
  });

  it('valid: the pick is the best total', async () => {
    expect(await auditRecords(dir(), groupRecords(toys, { selected: picks.best }))).toEqual([]);
  });

  it('valid: at score level without per-token values the first-token policy cannot be ruled out (selection-mismatch)', async () => {
    const findings = await auditRecords(dir(), groupRecords(toys, { level: 'score', selected: picks.mean }));
    expect(findings.map((f) => f.ruleId)).toEqual(['selection-mismatch']);
  });
});

detectionProperty('normalization-mismatch', 'the mean recorded as the total', {
  bug: bugs.meanAsSum,
  levels: ['logits', 'topk', 'values'],
  minN: 2,
  // A total within rounding of 0 has a mean within rounding of it too.
  applies: (x) => x.lp.reduce((a, b) => a + b, 0) < -1e-3,
});
