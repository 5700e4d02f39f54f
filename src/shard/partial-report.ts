/**
 * The partial report a shard writes (`audit --shard`) and merge reads: a header saying which
 * shard of which audit it is (tool version, settings that shape the passes, the whole input's
 * file list as a digest) and the passes of the shard's files, each at its index in that list.
 * merge checks that the partials are one audit's complete set of shards and puts the passes
 * back in file order. Its schema is schema/partial.schema.json.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FilePass } from '../engine/file-pass.js';
import { decodePass, encodePass, PartialFormatError } from '../engine/partial.js';
import type { Shard } from './assign.js';

export const PARTIAL_FORMAT = 'evalaudit-partial';
export const PARTIAL_VERSION = 1;

/** What shapes a file's pass: partials that differ in it are not shards of one audit. */
export interface PassSettings {
  /** Every rule id of the rule set, in order. */
  rules: string[];
  /** Severity overrides as given (`--rule`, the config file). */
  overrides: Record<string, string>;
  precision: string;
  inputFormat: string | null;
  map: Record<string, string>;
}

export interface PartialHeader {
  format: typeof PARTIAL_FORMAT;
  version: typeof PARTIAL_VERSION;
  tool: { name: 'evalaudit'; version: string };
  shard: Shard;
  settings: PassSettings;
  /** Every input file of the audit (not only this shard's): how many, and SHA-256 of their paths. */
  inputs: { files: number; digest: string };
}

export interface PartialReport extends PartialHeader {
  passes: { index: number; pass: FilePass }[];
}

/** A set of partial reports that do not make one audit: the message names the files. */
export class MergeError extends Error {}

export function inputsOf(files: readonly string[]): PartialHeader['inputs'] {
  return { files: files.length, digest: createHash('sha256').update(files.join('\u0000'), 'utf8').digest('hex') };
}

/** The partial report's text: one JSON document, the passes encoded losslessly (engine/partial.ts). */
export function partialText(header: PartialHeader, passes: readonly { index: number; pass: FilePass }[]): string {
  const doc = { ...header, passes: passes.map((p) => ({ index: p.index, pass: encodePass(p.pass) })) };
  return `${JSON.stringify(doc)}\n`;
}

/** Reads and decodes one partial report. Throws MergeError naming the file. */
export async function readPartial(path: string): Promise<PartialReport> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new MergeError(`cannot read the partial report ${path}: ${(e as Error).message}`);
  }
  const d = doc as Partial<PartialReport> & { passes?: unknown };
  if (d === null || typeof d !== 'object' || d.format !== PARTIAL_FORMAT) throw new MergeError(`${path} is no partial report (write one with evalaudit audit --shard INDEX/COUNT)`);
  if (d.version !== PARTIAL_VERSION) throw new MergeError(`${path} is a partial report of version ${JSON.stringify(d.version)}; this evalaudit reads version ${PARTIAL_VERSION}`);
  if (!Array.isArray(d.passes) || !d.shard || !d.settings || !d.inputs || !d.tool) throw new MergeError(`${path}: the partial report is incomplete`);
  try {
    return { ...(d as PartialHeader), passes: d.passes.map((p: { index: number; pass: unknown }) => ({ index: p.index, pass: decodePass(p.pass) })) };
  } catch (e) {
    if (e instanceof PartialFormatError) throw new MergeError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * The passes of every shard in file order, after checking that the partials are one audit's
 * shards, each exactly once: same tool version, settings and inputs, every index of COUNT.
 */
export function mergePartials(partials: readonly { path: string; report: PartialReport }[], toolVersion: string): { header: PartialHeader; passes: FilePass[] } {
  if (partials.length === 0) throw new MergeError('name the partial reports to merge');
  const [first] = partials;
  for (const p of partials) {
    if (p.report.tool.version !== toolVersion) throw new MergeError(`${p.path} was written by evalaudit ${p.report.tool.version}; this is evalaudit ${toolVersion}: audit and merge with one version`);
  }
  for (const p of partials.slice(1)) {
    for (const [what, key] of [['settings (rules, severities, precision, input format, field map)', 'settings'], ['inputs (the files found)', 'inputs'], ['shard count', 'count']] as const) {
      const a = key === 'count' ? first.report.shard.count : JSON.stringify(first.report[key]);
      const b = key === 'count' ? p.report.shard.count : JSON.stringify(p.report[key]);
      if (a !== b) throw new MergeError(`${first.path} and ${p.path} are shards of different audits: their ${what} differ${key === 'count' ? ` (${a} and ${b})` : ''}`);
    }
  }
  const count = first.report.shard.count;
  const byIndex = new Map<number, string>();
  for (const p of partials) {
    const seen = byIndex.get(p.report.shard.index);
    if (seen !== undefined) throw new MergeError(`shard ${p.report.shard.index}/${count} is given twice: ${seen} and ${p.path}`);
    byIndex.set(p.report.shard.index, p.path);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new MergeError(`missing shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} (given: ${[...byIndex].sort((a, b) => a[0] - b[0]).map(([i, path]) => `${i}/${count} ${path}`).join(', ')})`);

  const passes: (FilePass | undefined)[] = new Array(first.report.inputs.files);
  for (const p of partials) {
    for (const { index, pass } of p.report.passes) {
      if (!Number.isInteger(index) || index < 0 || index >= passes.length || passes[index] !== undefined) throw new MergeError(`${p.path}: file index ${index} is out of range or given twice`);
      passes[index] = pass;
    }
  }
  const absent = passes.findIndex((p) => p === undefined);
  if (absent >= 0) throw new MergeError(`file ${absent} of ${passes.length} is in no partial report: were the shards written from the same inputs?`);
  return { header: first.report, passes: passes as FilePass[] };
}
