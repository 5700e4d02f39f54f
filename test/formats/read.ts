/** Test helpers: read a fixture through the real ingest entry point. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FormatAdapter } from '../../src/ingest/adapter.js';
import { readFileItems, type ReadOptions } from '../../src/ingest/index.js';
import type { AuditRecord, RawItem } from '../../src/types.js';

export const FIXTURES = join(__dirname, '../fixtures/formats');

export function fixture(rel: string): string {
  return join(FIXTURES, rel);
}

export async function readItems(file: string, options: ReadOptions = {}): Promise<{ format: string | null; items: RawItem[] }> {
  const reading = await readFileItems(file, options);
  const items: RawItem[] = [];
  for await (const item of reading.items) items.push(item);
  return { format: reading.format, items };
}

export async function readRecords(file: string, options: ReadOptions = {}): Promise<AuditRecord[]> {
  const { items } = await readItems(file, options);
  const bad = items.filter((i) => i.kind === 'invalid');
  if (bad.length > 0) throw new Error(`unexpected invalid items: ${JSON.stringify(bad)}`);
  return items.flatMap((i) => (i.kind === 'record' ? [i.record] : []));
}

export function sum(v: readonly (number | null)[]): number {
  let s = 0;
  for (const x of v) s += x as number;
  return s;
}

/** A JSONL fixture's rows, parsed (fresh objects on every call, free to mutate). */
export function jsonlRows(rel: string): Record<string, unknown>[] {
  return readFileSync(fixture(rel), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** One adapter's converter on one row, as if the row sat at `line` of run.jsonl. */
export function convertRow(adapter: FormatAdapter, value: unknown, line: number): RawItem[] {
  return [...adapter.createConverter('run.jsonl', {})({ file: 'run.jsonl', line, value })];
}

/** Rows written as a JSONL file in a fresh temporary folder; returns its path. */
export function writeJsonl(rows: readonly unknown[], name = 'rows.jsonl'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'evalaudit-rows-')), name);
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
  return file;
}
