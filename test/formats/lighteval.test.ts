import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lightevalParquetColumns, lightevalTaskFromFile } from '../../src/ingest/formats/lighteval.js';
import { parsePythonLiteral } from '../../src/ingest/formats/python-literal.js';
import { FIXTURE_DOCS, FLAT_COLUMNS, flatRow, makeDoc, writeDetailsParquet } from '../../scripts/lib/lighteval-details.js';
import { brief, findingsOf } from './audit-files.js';
import { fixture, readItems, readRecords } from './read.js';

const FLAT = 'lighteval/details_leaderboard|arc:challenge|25_2024-11-20T10-00-00.000000.parquet';
const STRINGIFIED = 'lighteval/details_lighteval|arc:easy|0_2024-08-01T09-00-00.000000.parquet';
const NESTED = 'lighteval/details_lighteval|arc:easy|0_2025-09-01T09-00-00.000000.parquet';

function details(rows: Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-lighteval-'));
  const file = join(dir, 'details_leaderboard|arc:challenge|25_2024-11-20T10-00-00.000000.parquet');
  writeDetailsParquet(file, FLAT_COLUMNS, rows);
  return file;
}

describe('lighteval details', () => {
  it.each([FLAT, STRINGIFIED, NESTED])('%s: one record per choice, <doc>/<choice>, line = row', async (rel) => {
    const { format, items } = await readItems(fixture(rel));
    expect(format).toBe('lighteval');
    const records = items.flatMap((i) => (i.kind === 'record' ? [[i.record.id, i.line, i.record.score, i.record.gold, i.record.token_ids]] : []));
    expect(records.slice(0, 4)).toEqual([
      ['0/0', 1, -1.25, true, [6342]],
      ['0/1', 1, -4.5, false, [30311]],
      ['0/2', 1, -5.75, false, [15813]],
      ['1/0', 2, -0.5, true, [604]],
    ]);
    expect(records).toHaveLength(11);
  });

  it('keeps acc and acc_norm with the character length lighteval divides by (leading space included)', async () => {
    const [r] = await readRecords(fixture(FLAT));
    expect(r).toMatchObject({ completion: ' Paris', norm_length: 6, metrics: { acc: 1, acc_norm: 1 }, task: 'leaderboard|arc:challenge|25', prompt: expect.stringContaining('France') });
  });

  it('reads the task from details_<task>_<date> and skips the tokenised prompts', () => {
    expect(lightevalTaskFromFile('/d/details_harness|hendrycksTest-anatomy|5_2023-08-19T16:35:46.942696.parquet')).toBe('harness|hendrycksTest-anatomy|5');
    expect(lightevalParquetColumns(['choices', 'input_tokens', 'full_prompt', 'predictions'])).toEqual(['choices', 'predictions']);
  });

  it('reads Python reprs as lighteval v0.5–v0.7 stored them', () => {
    expect(parsePythonLiteral("[(-3.25, False), (-1.5, True)]")).toEqual([[-3.25, false], [-1.5, true]]);
    expect(parsePythonLiteral("{'acc': 1, 'acc_norm': 0.0, 'x': np.float64(-inf), 'y': nan}")).toEqual({ acc: 1, acc_norm: 0, x: -Infinity, y: NaN });
    expect(parsePythonLiteral("[' it\\'s', \"b\\n\"]")).toEqual([" it's", 'b\n']);
    expect(() => parsePythonLiteral('[1, os.system]')).toThrow(/unknown name/);
  });

  it('skips generative docs with a reason, and says why a row is not readable', async () => {
    const file = details([
      { ...flatRow(FIXTURE_DOCS[0]), predictions: [] },
    ]);
    const { items } = await readItems(file);
    expect(items).toEqual([expect.objectContaining({ kind: 'invalid', line: 1, message: expect.stringMatching(/^lighteval details: 3 choices but 0 log-likelihoods/) })]);
    const dir = mkdtempSync(join(tmpdir(), 'evalaudit-lighteval-'));
    const jsonl = join(dir, 'details_gsm8k|5_2024-01-01T00-00-00.000000.jsonl');
    writeFileSync(jsonl, `${JSON.stringify({ example: 'q', predictions: ['42'], choices: [], gold: ['42'], gold_index: [], metrics: { qem: 1 }, cont_tokens: [[1]] })}\n`);
    expect((await readItems(jsonl)).items).toEqual([expect.objectContaining({ kind: 'skipped', reason: 'generative doc: generated text, no log-likelihoods' })]);
  });

  it('a file that is Parquet but not details says which format it failed and why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalaudit-lighteval-'));
    const file = join(dir, 'x.parquet');
    writeFileSync(file, 'not parquet at all');
    const { items } = await readItems(file);
    expect(items).toEqual([expect.objectContaining({ kind: 'invalid', message: expect.stringMatching(/not a readable Parquet file/) })]);
  });

  it('clean files give no finding', async () => {
    expect(brief(await findingsOf([fixture('lighteval')]))).toEqual([]);
  });

  const q = 'Question: pick one\nAnswer:';
  it.each([
    ['acc recorded from the lowest total (a sign flip)', () => ({ ...flatRow(FIXTURE_DOCS[0]), metrics: { acc: 0, acc_norm: 1 } }), [['metric-mismatch', '0/0']]],
    [
      'log-likelihoods that are products of probabilities',
      () => flatRow(makeDoc(q, [' yes', ' no', ' maybe'], 0, [-1.5, -2.25, -3.75].map(Math.exp), [[1, 2], [3], [4, 5, 6]], [7])),
      [['probability-product', '0/0'], ['probability-product', '0/1'], ['probability-product', '0/2']],
    ],
    [
      'a positive log-likelihood (softmax skipped: raw logits summed)',
      () => flatRow(makeDoc(q, [' yes', ' no'], 0, [14.5, 9.25], [[1, 2, 3], [4, 5, 6, 7]], [7])),
      [['softmax-skipped', '0/0'], ['softmax-skipped', '0/1']],
    ],
  ])('finds %s', async (_what, row, expected) => {
    const file = details([row(), flatRow(FIXTURE_DOCS[1])]);
    expect(brief(await findingsOf([file])).map(([rule, id]) => [rule, id])).toEqual(expected);
  });
});
