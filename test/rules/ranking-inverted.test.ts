/** ranking-inverted (group scope): the pick is the lowest total, and no other policy explains it. */
import { readFileSync } from 'node:fs';
import { groupRuleTester } from '../helpers/group-tester.js';
import { allDistinct, groupRecords, groupWhere, picksOf } from '../helpers/groups.js';
import { clean } from '../helpers/toy-model.js';
import type { AuditRecord } from '../../src/types.js';

/**
 * Honest-numerics seed 47, F-ties-beyond/tie_fp16_logits_gap0.0003, item t19, with its scores,
 * values and top-k lists printed round(x, 3): the lists put the pick's total at -0.309 and the
 * other's at -0.308, its recorded score at -0.308 and the other's at -0.309: the pipeline picked
 * by its own scores.
 */
const printedTie = readFileSync(new URL('../fixtures/printed/ties-3-decimals.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as AuditRecord);

const toys = groupWhere(1, [2, 6, 3, 9], allDistinct);
const picks = picksOf(toys);
/** Two candidates where the worse one is also worse on its first token and its mean: only inversion explains picking it. */
const pair = groupWhere(1, [3, 4], (p) => p.greedy === p.best && p.mean === p.best);
/** Two candidates where the worse total has the better first token. */
const greedyPair = groupWhere(1, [1, 6], (p) => p.greedy !== p.best && p.mean === p.best);

groupRuleTester('ranking-inverted', {
  valid: [
    { name: 'the pick is the best total', records: groupRecords(toys, { level: 'logits', selected: picks.best }) },
    { name: 'NLL scores with the lowest NLL picked: right', records: groupRecords(toys, { recorded: (t) => clean(t, { kind: 'nll' }), selected: picks.best }) },
    {
      name: 'two candidates, the worse total has the better first token: greedy-choice',
      records: groupRecords(greedyPair, { selected: picksOf(greedyPair).greedy }),
      findings: ['greedy-choice'],
    },
    {
      name: 'score level: the lowest total picked, but without first-token log-probs a greedy pick cannot be ruled out: selection-mismatch',
      records: groupRecords(toys, { level: 'score', selected: picks.inverted }),
      findings: ['selection-mismatch'],
    },
    { name: 'the pick has the best recorded score, ties included: totals 0.001 apart from lists printed to three decimals are no evidence', records: printedTie },
    { name: 'the best mean is normalization-mismatch', records: groupRecords(toys, { selected: picks.mean }), findings: ['normalization-mismatch'] },
  ],
  invalid: [
    {
      name: 'the same printed pair without recorded scores: the lists decide, and they rank the pick last',
      records: printedTie.map(({ score: _, ...r }) => r),
      messageId: 'lowestTotal',
      recordId: 't19-c0',
    },
    {
      name: 'the pick is the lowest total (values level)',
      records: groupRecords(toys, { selected: picks.inverted, gold: picks.best }),
      messageId: 'lowestTotal',
      recordId: `q1-c${picks.inverted}`,
      message: new RegExp(`picked "q1-c${picks.inverted}", the lowest total \\(-[\\d.]+\\); the best is "q1-c${picks.best}" at -[\\d.]+: the ranking is inverted`),
    },
    {
      name: 'NLLs sorted as if they were log-probs: the highest NLL picked',
      records: groupRecords(toys, { level: 'logits', recorded: (t) => clean(t, { kind: 'nll' }), selected: picks.inverted }),
      messageId: 'lowestTotal',
    },
    { name: 'top-k level', records: groupRecords(toys, { level: 'topk', selected: picks.inverted }), messageId: 'lowestTotal' },
    {
      name: 'two candidates, the worse one worse in every way: only inversion explains the pick',
      records: groupRecords(pair, { selected: picksOf(pair).inverted }),
      messageId: 'lowestTotal',
    },
  ],
});
