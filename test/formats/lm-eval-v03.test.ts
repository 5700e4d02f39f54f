import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lmEvalV03TaskFromFile } from '../../src/ingest/formats/lm-eval-v03.js';
import { brief, copyFixtures, editJson, findingsOf } from './audit-files.js';
import { fixture, readItems, readRecords } from './read.js';

const FILE = 'arc_easy_write_out_info.json';

describe('lm-eval v0.3 write_out', () => {
  it('makes one record per prompt_<i> / logit_<i>, the continuation after the shared context', async () => {
    const records = await readRecords(fixture(`lm-eval-v03/${FILE}`));
    expect(records.map((r) => [r.id, r.completion, r.score, r.gold, r.norm_length])).toEqual([
      ['0/0', ' red', -3.5, true, 3],
      ['0/1', ' purple', -6.25, false, 6],
      ['0/2', ' brown', -5.5, false, 5],
      ['1/0', ' sunlight', -4.75, true, 8],
      ['1/1', ' sand', -3.25, false, 4],
      ['1/2', ' salt water', -9.5, false, 10],
    ]);
    expect(records[0]).toMatchObject({ prompt: 'Question: Which of these is a primary color?\nAnswer:', metrics: { acc: 1, acc_norm: 0 }, task: 'arc_easy' });
    expect(lmEvalV03TaskFromFile('/out/hendrycksTest-anatomy_write_out_info.json')).toBe('hendrycksTest-anatomy');
  });

  it('gives each doc the line where it starts', async () => {
    const { items } = await readItems(fixture(`lm-eval-v03/${FILE}`));
    expect([...new Set(items.map((i) => i.line))]).toEqual([2, 14]);
  });

  it('a clean file gives no finding', async () => {
    expect(await findingsOf([fixture('lm-eval-v03')])).toEqual([]);
  });

  it.each([
    ['acc computed from the lowest total', (v: any) => (v[0].acc = '0.0'), [['metric-mismatch', '0/0']]],
    ['acc_norm computed without the length normalisation', (v: any) => (v[1].acc_norm = '0.0'), [['metric-mismatch', '1/0']]],
    [
      'log-likelihoods written as probabilities',
      (v: any) => {
        for (let i = 0; i < 3; i++) v[1][`logit_${i}`] = Math.exp(v[1][`logit_${i}`]);
      },
      // acc_norm recomputed from the probabilities no longer matches the one recorded either
      [['metric-mismatch', '1/1'], ['probability-product', '1/0'], ['probability-product', '1/1'], ['probability-product', '1/2']],
    ],
  ])('finds %s', async (_what, plant, expected) => {
    const dir = copyFixtures(fixture('lm-eval-v03'));
    editJson(join(dir, FILE), plant, 4);
    expect(brief(await findingsOf([dir])).map(([rule, id]) => [rule, id])).toEqual(expected);
  });
});
