/** Test helpers: read a fixture through the real ingest entry point. */
import { join } from 'node:path';
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
