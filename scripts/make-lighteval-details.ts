/**
 * lighteval details Parquet files from the documented layouts (scripts/lib/lighteval-details.ts):
 *
 *   node dist/scripts/make-lighteval-details.js fixtures test/fixtures/formats/lighteval
 *   node dist/scripts/make-lighteval-details.js big /tmp/details_big.parquet 500
 *
 * `fixtures` writes the three small test files (one per layout, the same four docs); `big`
 * writes a details file of about the given size in MB (MMLU-like, 25-shot prompts tokenised
 * into input_tokens, as the leaderboard's files are) to measure that audits stream it.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from './lib/prng.js';
import { DetailsParquetWriter, FIXTURE_DOCS, FLAT_COLUMNS, NESTED_COLUMNS, STRINGIFIED_COLUMNS, flatRow, makeDoc, nestedRow, stringifiedRow, writeDetailsParquet } from './lib/lighteval-details.js';

function fixtures(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const task = 'leaderboard|arc:challenge|25';
  const date = '2024-11-20T10-00-00.000000';
  writeDetailsParquet(join(dir, `details_${task.replace(/\|/g, '|')}_${date}.parquet`), FLAT_COLUMNS, FIXTURE_DOCS.map(flatRow));
  writeDetailsParquet(join(dir, `details_lighteval|arc:easy|0_2024-08-01T09-00-00.000000.parquet`), STRINGIFIED_COLUMNS, FIXTURE_DOCS.map(stringifiedRow));
  writeDetailsParquet(join(dir, `details_lighteval|arc:easy|0_2025-09-01T09-00-00.000000.parquet`), NESTED_COLUMNS, FIXTURE_DOCS.map((d, i) => nestedRow(d, i, 'lighteval|arc:easy|0')));
}

function big(path: string, megabytes: number): void {
  const rand = mulberry32(42);
  const w = new DetailsParquetWriter(path, FLAT_COLUMNS);
  const target = megabytes * 1e6;
  // A 25-shot prompt of ~2,000 tokens per choice: the tokenised prompts are the bulk, as in the leaderboard's files.
  const prompt = Array.from({ length: 2000 }, () => Math.floor(rand() * 50000));
  // fileWriter flushes every megabyte, so the size on disk tracks what has been written.
  for (let batch = 0; statSync(path).size < target; batch++) {
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 1000; i++) {
      const input = prompt.map((t) => (t + batch * 1000 + i) % 50257);
      const lls = [0, 1, 2, 3].map(() => -Math.round(rand() * 4000) / 100 - 0.01);
      const cont = lls.map(() => Array.from({ length: 1 + Math.floor(rand() * 6) }, () => Math.floor(rand() * 50257)));
      const choices = ['A', 'B', 'C', 'D'].map((c) => ` ${c}: ${'x'.repeat(Math.floor(rand() * 30))}`);
      rows.push(flatRow(makeDoc(`Question ${batch * 1000 + i}: ${'lorem ipsum '.repeat(20)}\nAnswer:`, choices, Math.floor(rand() * 4), lls, cont, input)));
    }
    w.write(rows);
  }
  w.finish();
  process.stdout.write(`${path}: ${(statSync(path).size / 1e6).toFixed(1)} MB\n`);
}

const [mode, out, size] = process.argv.slice(2);
if (mode === 'fixtures') fixtures(out ?? 'test/fixtures/formats/lighteval');
else if (mode === 'big') big(out ?? '/tmp/details_big.parquet', Number(size ?? 500));
else {
  process.stderr.write('usage: make-lighteval-details.js fixtures <dir> | big <file> [MB]\n');
  process.exit(2);
}
