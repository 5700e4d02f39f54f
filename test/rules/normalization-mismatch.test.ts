import { expect } from 'vitest';
import { detectionProperty, hypothesisHolds, recordRuleTester } from '../helpers/rule-tester.js';
import { groupRuleTester } from '../helpers/group-tester.js';
import { allDistinct, groupRecords, groupWhere, picksOf } from '../helpers/groups.js';
import { bugs, buggy, clean, record, toy } from '../helpers/toy-model.js';

const t = toy(1, 5);

recordRuleTester('normalization-mismatch', {
  valid: [
    {
      // Honest-numerics seed 59, E-extremes/confident_bf16_logits, confident-7, values and score printed round(x, 4).
      name: 'three near-certain values and their total printed to four decimals: mean and total are not told apart within the digits',
      record: { id: 'p', tokens: [' a', ' b', ' c'], logprobs: [-0, -0.0001, -0.0001], score: -0.0001 },
    },
    { name: 'clean total, logits level', record: record(t, 'logits') },
    { name: 'clean mean with score_kind mean_logprob', record: record(t, 'values', clean(t, { kind: 'mean_logprob' })) },
    { name: 'clean perplexity', record: record(t, 'topk', clean(t, { kind: 'perplexity' })) },
    { name: 'one token: its mean is its total', record: buggy(toy(2, 1), 'values', bugs.meanAsSum) },
    { name: 'score only: a mean is a plausible total', record: buggy(t, 'score', bugs.meanAsSum) },
    { name: 'the last token dropped from the score is length-mismatch', record: buggy(t, 'values', bugs.lastTokenDroppedFromScore), rootCause: 'length-mismatch' },
  ],
  invalid: [
    {
      name: 'mean recorded as the total, logits level', messageId: 'meanAsTotal',
      record: buggy(t, 'logits', bugs.meanAsSum),
      message: /the score -[\d.]+ is the mean per-token log-prob \(-[\d.]+ \/ 5\) where the total was declared/,
      check: (v) => expect(v.diagnosis!.evidence).toMatchObject({ tokens: 5 }),
    },
    { name: 'mean recorded as the total, top-k level', messageId: 'meanAsTotal', record: buggy(t, 'topk', bugs.meanAsSum) },
    { name: 'mean recorded as the total, values level', messageId: 'meanAsTotal', record: buggy(t, 'values', bugs.meanAsSum) },
    { name: 'mean recorded as the total, two tokens', messageId: 'meanAsTotal', record: buggy(toy(3, 2), 'values', bugs.meanAsSum) },
    { name: 'mean recorded as the total, 150 tokens (the float32 product underflows)', messageId: 'meanAsTotal', record: buggy(toy(1, 150), 'values', bugs.meanAsSum) },
    { name: 'total recorded where mean_logprob was declared', messageId: 'totalAsMean', record: buggy(t, 'logits', bugs.sumAsMean), message: /is the total log-prob where score_kind declares the mean/ },
    {
      name: 'attribution: a mean is not a wrong window (length-mismatch does not reproduce it)', messageId: 'meanAsTotal',
      record: buggy(toy(4, 8), 'topk', bugs.meanAsSum),
      check: (v) => expect(hypothesisHolds('length-mismatch', v.ctx.record)).toBe(false),
    },
  ],
});

// Group scope: four candidates whose best total, best first token, worst total and best mean are four different ones.
const groupToys = groupWhere(1, [2, 6, 3, 9], allDistinct);
const groupPicks = picksOf(groupToys);

groupRuleTester('normalization-mismatch', {
  valid: [
    { name: 'group: the pick is the best total', records: groupRecords(groupToys, { selected: groupPicks.best }) },
    {
      name: 'group: at score level without per-token values the first-token policy cannot be ruled out (selection-mismatch)',
      records: groupRecords(groupToys, { level: 'score', selected: groupPicks.mean }),
      findings: ['selection-mismatch'],
    },
  ],
  invalid: [
    {
      name: 'group: a pick by best mean per-token log-prob where totals were declared',
      records: groupRecords(groupToys, { selected: groupPicks.mean, gold: groupPicks.best }),
      messageId: 'meanPick',
      recordId: `q1-c${groupPicks.mean}`,
      // score.py (honest-numerics) tells this group finding from the record one by this opening.
      message: /^the pick .* has the best mean per-token log-prob .* but not the best total .*: the choice was length-normalised though totals were declared/,
    },
    { name: 'group: the same pick at logits level', records: groupRecords(groupToys, { level: 'logits', selected: groupPicks.mean }), messageId: 'meanPick' },
  ],
});

detectionProperty('normalization-mismatch', 'the mean recorded as the total', {
  bug: bugs.meanAsSum,
  levels: ['logits', 'topk', 'values'],
  minN: 2,
  // A total within rounding of 0 has a mean within rounding of it too.
  applies: (x) => x.lp.reduce((a, b) => a + b, 0) < -1e-3,
});
