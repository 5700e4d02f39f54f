/** ranking-inverted (group scope): the pick is the lowest total, and no other policy explains it. */
import { groupRuleTester } from '../helpers/group-tester.js';
import { allDistinct, groupRecords, groupWhere, picksOf } from '../helpers/groups.js';
import { clean } from '../helpers/toy-model.js';

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
    { name: 'the best mean is normalization-mismatch', records: groupRecords(toys, { selected: picks.mean }), findings: ['normalization-mismatch'] },
  ],
  invalid: [
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
