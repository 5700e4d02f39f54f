/**
 * greedy-choice (group scope): the pick is the candidate with the best first-token log-prob,
 * and no other policy explains it.
 */
import { expect } from 'vitest';
import { groupRuleTester } from '../helpers/group-tester.js';
import { allDistinct, groupRecords, groupWhere, picksOf } from '../helpers/groups.js';
import { bugs } from '../helpers/toy-model.js';

const toys = groupWhere(1, [2, 6, 3, 9], allDistinct);
const picks = picksOf(toys);
/** Two candidates: the better first token loses on the total. */
const pair = groupWhere(1, [1, 6], (p) => p.greedy !== p.best && p.mean === p.best);
/** Greedy and mean agree on the pick: two explanations. */
const ambiguous = groupWhere(1, [2, 5, 3, 7], (p) => p.greedy === p.mean && p.greedy !== p.best && p.greedy !== p.inverted);

groupRuleTester('greedy-choice', {
  valid: [
    { name: 'the pick is the best total', records: groupRecords(toys, { selected: picks.best }) },
    { name: 'no candidate is marked selected', records: groupRecords(toys, {}) },
    { name: 'a tie between the pick and the best total is not a bug', records: groupRecords([toys[0], toys[0], toys[1]], { selected: 1 }) },
    {
      name: 'score level: without first-token log-probs the pick may be greedy or not: selection-mismatch',
      records: groupRecords(toys, { level: 'score', selected: picks.greedy }),
      findings: ['selection-mismatch'],
    },
    { name: 'greedy and mean pick the same candidate: selection-mismatch', records: groupRecords(ambiguous, { selected: picksOf(ambiguous).greedy }), findings: ['selection-mismatch'] },
    {
      // Every candidate's score is a mean (normalization-mismatch); the pick is the best recorded score.
      name: 'a pick that follows recorded scores a record-level bug explains is not counted twice',
      records: groupRecords(toys, { recorded: (t) => bugs.meanAsSum(t), selected: picks.mean }),
      findings: toys.map(() => 'normalization-mismatch'),
    },
  ],
  invalid: [
    {
      name: 'the pick has the best first token, not the best total (values level)',
      records: groupRecords(toys, { selected: picks.greedy, gold: picks.best }),
      messageId: 'firstToken',
      recordId: `q1-c${picks.greedy}`,
      line: picks.greedy + 1,
      message: new RegExp(`picked "q1-c${picks.greedy}" for its first token \\(-[\\d.]+ > -[\\d.]+\\), but "q1-c${picks.best}" has the better total`),
      check: (f) => expect(f.evidence).toMatchObject({ best: `q1-c${picks.best}` }),
    },
    { name: 'logits level', records: groupRecords(toys, { level: 'logits', selected: picks.greedy }), messageId: 'firstToken' },
    { name: 'top-k level', records: groupRecords(toys, { level: 'topk', selected: picks.greedy }), messageId: 'firstToken' },
    {
      name: 'two candidates: the pick is also the lowest total, but the first token decides (greedy, not inverted)',
      records: groupRecords(pair, { selected: picksOf(pair).greedy }),
      messageId: 'firstToken',
    },
    {
      name: 'attribution: a greedy pick that is not the worst total is greedy-choice, not ranking-inverted',
      records: groupRecords(toys, { level: 'logits', selected: picks.greedy }),
      messageId: 'firstToken',
      check: () => expect(picks.greedy).not.toBe(picks.inverted),
    },
  ],
});
