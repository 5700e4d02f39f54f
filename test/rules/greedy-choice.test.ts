/**
 * greedy-choice (group scope): the pick is the candidate with the best first-token log-prob,
 * and no other policy explains it. Tested through audit() on JSONL files, as the CLI sees them.
 */
import { describe, expect, it } from 'vitest';
import { auditRecords, tempDir } from '../helpers/rule-tester.js';
import { allDistinct, groupRecords, groupWhere, picksOf } from '../helpers/groups.js';
import { bugs } from '../helpers/toy-model.js';

const dir = tempDir();
const toys = groupWhere(1, [2, 6, 3, 9], allDistinct);
const picks = picksOf(toys);
/** Two candidates: the better first token loses on the total. */
const pair = groupWhere(1, [1, 6], (p) => p.greedy !== p.best && p.mean === p.best);
/** Greedy and mean agree on the pick: two explanations. */
const ambiguous = groupWhere(1, [2, 5, 3, 7], (p) => p.greedy === p.mean && p.greedy !== p.best && p.greedy !== p.inverted);

const ruleIds = async (...args: Parameters<typeof groupRecords>) => (await auditRecords(dir(), groupRecords(...args))).map((f) => f.ruleId);

describe('greedy-choice: valid', () => {
  it('the pick is the best total', async () => {
    expect(await ruleIds(toys, { selected: picks.best })).toEqual([]);
  });
  it('no candidate is marked selected', async () => {
    expect(await ruleIds(toys, {})).toEqual([]);
  });
  it('a tie between the pick and the best total is not a bug', async () => {
    expect(await ruleIds([toys[0], toys[0], toys[1]], { selected: 1 })).toEqual([]);
  });
  it('score level: without first-token log-probs the pick may be greedy or not: selection-mismatch', async () => {
    expect(await ruleIds(toys, { level: 'score', selected: picks.greedy })).toEqual(['selection-mismatch']);
  });
  it('greedy and mean pick the same candidate: selection-mismatch', async () => {
    expect(await ruleIds(ambiguous, { selected: picksOf(ambiguous).greedy })).toEqual(['selection-mismatch']);
  });
  it('a pick that follows recorded scores a record-level bug explains is not counted twice', async () => {
    // Every candidate's score is a mean (normalization-mismatch); the pick is the best recorded score.
    const records = groupRecords(toys, { recorded: (t) => bugs.meanAsSum(t), selected: picks.mean });
    const findings = await auditRecords(dir(), records);
    expect(new Set(findings.map((f) => f.ruleId))).toEqual(new Set(['normalization-mismatch']));
    expect(findings).toHaveLength(toys.length);
  });
});

describe('greedy-choice: invalid', () => {
  it('the pick has the best first token, not the best total (values level)', async () => {
    const findings = await auditRecords(dir(), groupRecords(toys, { selected: picks.greedy, gold: picks.best }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'greedy-choice', recordId: `q1-c${picks.greedy}`, group: 'q1', line: picks.greedy + 1 });
    expect(findings[0].message).toMatch(new RegExp(`picked "q1-c${picks.greedy}" for its first token \\(-[\\d.]+ > -[\\d.]+\\), but "q1-c${picks.best}" has the better total`));
    expect(findings[0].evidence).toMatchObject({ best: `q1-c${picks.best}` });
  });
  it('logits level', async () => {
    expect(await ruleIds(toys, { level: 'logits', selected: picks.greedy })).toEqual(['greedy-choice']);
  });
  it('top-k level', async () => {
    expect(await ruleIds(toys, { level: 'topk', selected: picks.greedy })).toEqual(['greedy-choice']);
  });
  it('two candidates: the pick is also the lowest total, but the first token decides (greedy, not inverted)', async () => {
    expect(await ruleIds(pair, { selected: picksOf(pair).greedy })).toEqual(['greedy-choice']);
  });
  it('attribution: a greedy pick that is not the worst total is greedy-choice, not ranking-inverted', async () => {
    expect(picks.greedy).not.toBe(picks.inverted);
    expect(await ruleIds(toys, { level: 'logits', selected: picks.greedy })).not.toContain('ranking-inverted');
  });
});
