/** ranking-inverted (group scope): the pick is the lowest total, and no other policy explains it. */
import { describe, expect, it } from 'vitest';
import { auditRecords, tempDir } from '../helpers/rule-tester.js';
import { allDistinct, groupRecords, groupWhere, picksOf } from '../helpers/groups.js';
import { clean } from '../helpers/toy-model.js';

const dir = tempDir();
const toys = groupWhere(1, [2, 6, 3, 9], allDistinct);
const picks = picksOf(toys);
/** Two candidates where the worse one is also worse on its first token and its mean: only inversion explains picking it. */
const pair = groupWhere(1, [3, 4], (p) => p.greedy === p.best && p.mean === p.best);
/** Two candidates where the worse total has the better first token. */
const greedyPair = groupWhere(1, [1, 6], (p) => p.greedy !== p.best && p.mean === p.best);

const ruleIds = async (...args: Parameters<typeof groupRecords>) => (await auditRecords(dir(), groupRecords(...args))).map((f) => f.ruleId);

describe('ranking-inverted: valid', () => {
  it('the pick is the best total', async () => {
    expect(await ruleIds(toys, { level: 'logits', selected: picks.best })).toEqual([]);
  });
  it('NLL scores with the lowest NLL picked: right', async () => {
    expect(await ruleIds(toys, { recorded: (t) => clean(t, { kind: 'nll' }), selected: picks.best })).toEqual([]);
  });
  it('two candidates, the worse total has the better first token: greedy-choice', async () => {
    expect(await ruleIds(greedyPair, { selected: picksOf(greedyPair).greedy })).toEqual(['greedy-choice']);
  });
  it('score level: the lowest total picked, but without first-token log-probs a greedy pick cannot be ruled out: selection-mismatch', async () => {
    expect(await ruleIds(toys, { level: 'score', selected: picks.inverted })).toEqual(['selection-mismatch']);
  });
  it('the best mean is normalization-mismatch', async () => {
    expect(await ruleIds(toys, { selected: picks.mean })).toEqual(['normalization-mismatch']);
  });
});

describe('ranking-inverted: invalid', () => {
  it('the pick is the lowest total (values level)', async () => {
    const findings = await auditRecords(dir(), groupRecords(toys, { selected: picks.inverted, gold: picks.best }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'ranking-inverted', recordId: `q1-c${picks.inverted}`, group: 'q1' });
    expect(findings[0].message).toMatch(new RegExp(`picked "q1-c${picks.inverted}", the lowest total \\(-[\\d.]+\\); the best is "q1-c${picks.best}" at -[\\d.]+: the ranking is inverted`));
  });
  it('NLLs sorted as if they were log-probs: the highest NLL picked', async () => {
    expect(await ruleIds(toys, { level: 'logits', recorded: (t) => clean(t, { kind: 'nll' }), selected: picks.inverted })).toEqual(['ranking-inverted']);
  });
  it('top-k level', async () => {
    expect(await ruleIds(toys, { level: 'topk', selected: picks.inverted })).toEqual(['ranking-inverted']);
  });
  it('two candidates, the worse one worse in every way: only inversion explains the pick', async () => {
    const p = picksOf(pair);
    expect(await ruleIds(pair, { selected: p.inverted })).toEqual(['ranking-inverted']);
  });
});
