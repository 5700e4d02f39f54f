/**
 * degenerate-scores (run scope, once per file): the scorer returned no information. Tested
 * through audit() on JSONL files, as the CLI sees them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditRecords, tempDir } from '../helpers/rule-tester.js';
import type { AuditRecord } from '../../src/types.js';

const dir = tempDir();

/** Two-choice items with these scores per choice; gold is choice 0. */
function items(scores: readonly (readonly number[])[], extra: Partial<AuditRecord> = {}): AuditRecord[] {
  return scores.flatMap((choices, g) => choices.map((score, c) => ({ id: `q${g}/${c}`, group: `q${g}`, completion: ` choice ${c}`, score, gold: c === 0, ...extra })));
}

const audit = (records: AuditRecord[]) => auditRecords(dir(), records);
const own = async (records: AuditRecord[]) => (await audit(records)).filter((f) => f.ruleId === 'degenerate-scores');

/** A near-certain one-token continuation, its top-k list and score printed to four decimals: the target -0.0, the score 0. */
const certain = (k: number): AuditRecord => ({
  id: `c${k}`,
  tokens: [' A'],
  token_ids: [0],
  logprobs: [-0],
  score: 0,
  top_logprobs: [[-0, -11.2871 - k, -13.4402].map((logprob, id) => ({ token: id ? ` t${id}` : ' A', logprob, id }))],
});

describe('degenerate-scores: valid', () => {
  it("every score 0, each reproduced by its record's own top-k list: what the model gives, printed", async () => {
    expect(await audit([0, 1, 2, 3].map(certain))).toEqual([]);
  });
  it("two items whose choices tie once printed to three decimals, each score reproduced by its lists at bfloat16's noise", async () => {
    // Honest-numerics seed 47, F-ties-beyond/tie_abs1e-4_gap0.0003 (pairs 3e-4 apart, logits
    // moved by 1e-4), items t0 and t1, the scores printed round(x, 3): -14.748 twice, -18.975 twice.
    const lines = readFileSync(new URL('../fixtures/printed/tied-pairs-bf16-noise.jsonl', import.meta.url), 'utf8').trim().split('\n');
    const findings = await audit(lines.map((l) => JSON.parse(l) as AuditRecord));
    expect(findings.filter((f) => f.ruleId === 'degenerate-scores')).toEqual([]);
    // Some record is judged at the half-precision tier: the case a witnessed score includes.
    expect(findings.map((f) => [f.ruleId, f.messageId])).toEqual([['low-precision', 'fileRecords']]);
  });
  it('scores that vary', async () => {
    expect(await audit(items([[-1.5, -2.25], [-3.5, -0.75], [-4.0, -4.5]]))).toEqual([]);
  });
  it('two honest scores that tie (a half-precision grid) in a two-record file', async () => {
    expect(await audit(items([[-10.125, -10.125]]))).toEqual([]);
  });
  it('one two-choice item tied among many that are not', async () => {
    expect(await audit(items([[-10.125, -10.125], [-3.5, -0.75], [-4.0, -4.5], [-1.25, -2.5]]))).toEqual([]);
  });
  it('positive integer NLLs are losses, not counts', async () => {
    expect(await own(items([[12, 15], [9, 20]], { score_kind: 'nll' }))).toEqual([]);
  });
  it('records of different kinds grouped as one sample (its mean and its sum, equal for one token) are not choices', async () => {
    const records: AuditRecord[] = ['a', 'b', 'c'].flatMap((g, i) => [
      { id: g, group: g, score: -1.5 - i, score_kind: 'mean_logprob' as const },
      { id: `${g}/sum`, group: g, score: -1.5 - i },
    ]);
    expect(await own(records)).toEqual([]);
  });
  it('a single scored record says nothing about the file', async () => {
    expect(await own([{ id: 'a', score: 0 }])).toEqual([]);
  });
});

describe('degenerate-scores: invalid', () => {
  it('every choice of every item scored exactly 0.0 (llama.cpp as a log-likelihood backend)', async () => {
    const found = await own(items([[0, 0], [0, 0], [0, 0]]));
    expect(found.map((f) => [f.messageId, f.line, f.message])).toEqual([
      ['constant', 1, 'every one of the 6 scores in this file is 0: the scorer returned no information, so no score or pick in it can be trusted'],
    ]);
    expect(found[0].recordId).toBeUndefined();
  });
  it('even two zeros: no continuation has log-prob 0', async () => {
    expect((await own(items([[0, 0]]))).map((f) => f.messageId)).toEqual(['constant']);
    // One record whose list does not reproduce its 0 (its target listed at -2.3): the file's zeros say nothing.
    const unwitnessed = [0, 1, 2].map(certain);
    unwitnessed[1] = { ...unwitnessed[1], logprobs: [-2.3], top_logprobs: [[{ token: ' A', logprob: -2.3, id: 0 }, { token: ' t1', logprob: -0.1054, id: 1 }]] };
    expect((await own(unwitnessed)).map((f) => f.messageId)).toEqual(['constant']);
  });
  it('every score the API sentinel -9999, three records', async () => {
    const found = await own([{ id: 'a', score: -9999 }, { id: 'b', score: -9999 }, { id: 'c', score: -9999 }]);
    expect(found.map((f) => [f.messageId, f.recorded])).toEqual([['constant', -9999]]);
  });
  it('every score -Infinity: found once for the file, beside each record’s own finding', async () => {
    const findings = await audit(items([[-Infinity, -Infinity], [-Infinity, -Infinity]]));
    expect(findings.filter((f) => f.ruleId === 'degenerate-scores').map((f) => f.messageId)).toEqual(['constant']);
    expect(findings.filter((f) => f.ruleId === 'probability-product')).toHaveLength(4);
  });
  it('token counts recorded as log-likelihoods', async () => {
    const findings = await audit(items([[3, 5], [2, 7]]));
    const found = findings.filter((f) => f.ruleId === 'degenerate-scores');
    expect(found.map((f) => [f.messageId, f.message])).toEqual([
      ['integers', 'all 4 scores are positive integers where log-likelihoods were declared: the scorer returned counts, not log-probs'],
    ]);
  });
  it('the context scored instead of the continuation: every choice of an item shares its score', async () => {
    const found = await own(items([[-12.5, -12.5], [-8.25, -8.25], [-20.75, -20.75]]));
    expect(found.map((f) => [f.messageId, f.recordId, f.line])).toEqual([['equalWithinGroups', 'q0', 1]]);
    expect(found[0].message).toBe(
      'in 3 of 3 multiple-choice items every choice has the same score (first: item "q0"): one number per item, not per choice (the context scored instead of the continuation, or a failed request), so those picks mean nothing',
    );
  });
  it('one four-choice item whose choices all share a score, among good ones', async () => {
    const records = [...items([[-3.5, -0.75], [-4.0, -4.5]]), ...['a', 'b', 'c', 'd'].map((c, i) => ({ id: `q9/${i}`, group: 'q9', completion: ` ${c}`, score: -6.5, gold: i === 0 }))];
    const found = await own(records);
    expect(found.map((f) => [f.messageId, f.recordId, f.line])).toEqual([['equalWithinGroups', 'q9', 5]]);
  });
});
