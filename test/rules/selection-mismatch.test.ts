/** selection-mismatch (group scope): a wrong pick that no single known policy explains, or several picks. */
import { describe, expect, it } from 'vitest';
import { auditRecords, tempDir } from '../helpers/rule-tester.js';
import { allDistinct, groupRecords, groupWhere, picksOf } from '../helpers/groups.js';

const dir = tempDir();
const toys = groupWhere(1, [2, 6, 3, 9], allDistinct);
const picks = picksOf(toys);
/** Five candidates: one is picked by no policy at all. */
const five = groupWhere(1, [2, 6, 3, 9, 4], allDistinct);
const fivePicks = picksOf(five);
const nobody = [0, 1, 2, 3, 4].find((i) => !Object.values(fivePicks).includes(i))!;
/** Greedy and mean agree on the pick. */
const ambiguous = groupWhere(1, [2, 5, 3, 7], (p) => p.greedy === p.mean && p.greedy !== p.best && p.greedy !== p.inverted);

const findingsOf = (...args: Parameters<typeof groupRecords>) => auditRecords(dir(), groupRecords(...args));
const ruleIds = async (...args: Parameters<typeof groupRecords>) => (await findingsOf(...args)).map((f) => f.ruleId);

describe('selection-mismatch: valid', () => {
  it('the pick is the best total', async () => {
    expect(await ruleIds(five, { selected: fivePicks.best })).toEqual([]);
  });
  it('no pick recorded', async () => {
    expect(await ruleIds(five, { gold: 0 })).toEqual([]);
  });
  it('a pick one policy alone explains goes to that policy’s rule', async () => {
    expect(await ruleIds(toys, { selected: picks.greedy })).toEqual(['greedy-choice']);
    expect(await ruleIds(toys, { selected: picks.inverted })).toEqual(['ranking-inverted']);
    expect(await ruleIds(toys, { selected: picks.mean })).toEqual(['normalization-mismatch']);
  });
});

describe('selection-mismatch: invalid', () => {
  it('two candidates marked selected', async () => {
    const findings = await findingsOf(toys, { selected: [0, 2] });
    expect(findings.map((f) => f.ruleId)).toEqual(['selection-mismatch']);
    expect(findings[0]).toMatchObject({ recordId: 'q1-c0', line: 1 });
    expect(findings[0].message).toBe('2 candidates are marked selected; a multiple-choice item has one pick');
  });
  it('a pick that no policy explains', async () => {
    const findings = await findingsOf(five, { selected: nobody });
    expect(findings.map((f) => f.ruleId)).toEqual(['selection-mismatch']);
    expect(findings[0].message).toMatch(new RegExp(`^picked "q1-c${nobody}" \\(total -[\\d.]+\\) over "q1-c${fivePicks.best}" \\(total -[\\d.]+\\)$`));
    expect(findings[0].evidence).toMatchObject({ consistentWith: [] });
  });
  it('a pick two policies explain: the evidence cannot tell which', async () => {
    const findings = await findingsOf(ambiguous, { selected: picksOf(ambiguous).greedy });
    expect(findings.map((f) => f.ruleId)).toEqual(['selection-mismatch']);
    expect(findings[0].message).toMatch(/the pick is at once the best first token and the best mean per-token log-prob, so the evidence cannot tell which policy was used/);
  });
  it('score level: a mean pick may as well be greedy, which cannot be tested', async () => {
    const findings = await findingsOf(toys, { level: 'score', selected: picks.mean });
    expect(findings.map((f) => f.ruleId)).toEqual(['selection-mismatch']);
    expect(findings[0].message).toMatch(/the pick is the best mean per-token log-prob, but without per-token evidence it may as well be the best first token/);
  });
});
