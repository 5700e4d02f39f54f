/** selection-mismatch (group scope): a wrong pick that no single known policy explains, or several picks. */
import { expect } from 'vitest';
import { groupRuleTester } from '../helpers/group-tester.js';
import { allDistinct, groupRecords, groupWhere, picksOf } from '../helpers/groups.js';

const toys = groupWhere(1, [2, 6, 3, 9], allDistinct);
const picks = picksOf(toys);
/** Five candidates: one is picked by no policy at all. */
const five = groupWhere(1, [2, 6, 3, 9, 4], allDistinct);
const fivePicks = picksOf(five);
const nobody = [0, 1, 2, 3, 4].find((i) => !Object.values(fivePicks).includes(i))!;
/** Greedy and mean agree on the pick. */
const ambiguous = groupWhere(1, [2, 5, 3, 7], (p) => p.greedy === p.mean && p.greedy !== p.best && p.greedy !== p.inverted);

groupRuleTester('selection-mismatch', {
  valid: [
    { name: 'the pick is the best total', records: groupRecords(five, { selected: fivePicks.best }) },
    { name: 'no pick recorded', records: groupRecords(five, { gold: 0 }) },
    { name: 'a greedy pick goes to greedy-choice', records: groupRecords(toys, { selected: picks.greedy }), findings: ['greedy-choice'] },
    { name: 'an inverted pick goes to ranking-inverted', records: groupRecords(toys, { selected: picks.inverted }), findings: ['ranking-inverted'] },
    { name: 'a mean pick goes to normalization-mismatch', records: groupRecords(toys, { selected: picks.mean }), findings: ['normalization-mismatch'] },
  ],
  invalid: [
    {
      name: 'two candidates marked selected',
      records: groupRecords(toys, { selected: [0, 2] }),
      messageId: 'severalPicks',
      recordId: 'q1-c0',
      line: 1,
      message: /^2 candidates are marked selected; a multiple-choice item has one pick$/,
    },
    {
      name: 'a pick that no policy explains',
      records: groupRecords(five, { selected: nobody }),
      messageId: 'notBest',
      message: new RegExp(`^picked "q1-c${nobody}" \\(total -[\\d.]+\\) over "q1-c${fivePicks.best}" \\(total -[\\d.]+\\)$`),
      check: (f) => expect(f.evidence).toMatchObject({ consistentWith: [] }),
    },
    {
      name: 'a pick two policies explain: the evidence cannot tell which',
      records: groupRecords(ambiguous, { selected: picksOf(ambiguous).greedy }),
      messageId: 'severalPolicies',
      message: /the pick is at once the best first token and the best mean per-token log-prob, so the evidence cannot tell which policy was used/,
    },
    {
      name: 'score level: a mean pick may as well be greedy, which cannot be tested',
      records: groupRecords(toys, { level: 'score', selected: picks.mean }),
      messageId: 'untestablePolicy',
      message: /the pick is the best mean per-token log-prob, but without per-token evidence it may as well be the best first token/,
    },
  ],
});
