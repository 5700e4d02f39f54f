/**
 * The partial report a shard writes (`audit --shard`) and merge reads: a header saying which
 * shard of which audit it is (tool version, settings that shape the passes, the whole input's
 * file list as a digest) and the passes of the shard's files, each at its index in that list.
 * merge checks that the partials are one audit's complete set of shards and puts the passes
 * back in file order. Its schema is schema/partial.schema.json.
 *
 * It is JSON Lines, so that neither side holds it whole: the header; then, for each pass, a line
 * with the pass (its findings and audited items left out, and counted), a line per 1024 of its
 * audited items, and a line per finding, in report order. A shard's findings come from the run's
 * spool as it writes them; merge puts them into its own spool as it reads them (and decodes a
 * pass's audited items only when a JUnit report needs them), so that neither holds more of a
 * file's findings than audit does (HELD at most: finding-spool.ts).
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../types.js';
import type { FilePass } from '../engine/file-pass.js';
import { addAudited, auditedEntries, newAuditedList, type AuditedItem, type AuditedList } from '../engine/audited-list.js';
import { FindingSpool, type Spool } from '../engine/finding-spool.js';
import { sortFindings } from '../engine/order.js';
import { decodePass, decodeValue, encodePass, encodeValue, PartialFormatError } from '../engine/partial.js';
import { readJsonLines, type Row } from '../ingest/rows.js';
import { rereadable } from '../ingest/text.js';
import type { Shard } from './assign.js';

export const PARTIAL_FORMAT = 'evalaudit-partial';
export const PARTIAL_VERSION = 2;
/** Audited items per line. */
const AUDITED_PER_LINE = 1024;

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

/** The header line: PartialHeader, and how many passes follow it. */
interface HeaderLine extends PartialHeader {
  passes: number;
}

/** A pass line: the pass without its findings and audited items, which follow it (counted here). */
interface PassLine {
  index: number;
  pass: unknown;
  audited: number;
  findings: number;
}

/** A set of partial reports that do not make one audit: the message names the files. */
export class MergeError extends Error {}

export function inputsOf(files: readonly string[]): PartialHeader['inputs'] {
  return { files: files.length, digest: createHash('sha256').update(files.join('\u0000'), 'utf8').digest('hex') };
}

/**
 * The partial report's lines, a few at a time: the header, then each pass, its audited items and
 * its findings (from `spool` when the pass's findings went there), all encoded losslessly
 * (engine/partial.ts).
 */
export function* partialPieces(header: PartialHeader, passes: readonly { index: number; pass: FilePass }[], spool: Spool): Generator<string> {
  yield `${JSON.stringify({ ...header, passes: passes.length } satisfies HeaderLine)}\n`;
  for (const { index, pass } of passes) {
    const { spooled, findings, ...rest } = pass;
    const { auditedItems, ...summary } = pass.summary;
    const count = spooled ? spooled.count : findings.length;
    const line: PassLine = { index, pass: encodePass({ ...rest, summary, findings: [] }), audited: auditedItems?.length ?? 0, findings: count };
    yield `${JSON.stringify(line)}\n`;
    if (auditedItems) yield* auditedLines(auditedItems);
    let piece = '';
    let n = 0;
    for (const f of spooled ? spool.findingsOf(spooled) : sortFindings(findings)) {
      piece += `${JSON.stringify({ finding: encodeValue(f, 'finding') })}\n`;
      if (++n % 256 === 0) {
        yield piece;
        piece = '';
      }
    }
    if (piece !== '') yield piece;
  }
}

/** A pass's audited items, AUDITED_PER_LINE to a line. */
function* auditedLines(list: AuditedList): Generator<string> {
  const line = (batch: AuditedItem[]) => `${JSON.stringify({ audited: encodeValue(batch, 'audited items') })}\n`;
  let batch: AuditedItem[] = [];
  for (const item of auditedEntries(list)) {
    if (batch.push(item) < AUDITED_PER_LINE) continue;
    yield line(batch);
    batch = [];
  }
  if (batch.length > 0) yield line(batch);
}

/** A partial report opened: its header read, its passes still to read (readPasses, once). */
export interface OpenPartial {
  path: string;
  header: PartialHeader & { passes: number };
  /** The passes, their findings put into `spool`, audited items kept only when `audited` (see readPartialPasses). */
  readPasses(spool: Spool, audited: boolean): AsyncGenerator<{ index: number; pass: FilePass }>;
  /** Releases a pipe still open after its header (a merge that stops before reading its passes). */
  close(): Promise<void>;
}

type Rows = AsyncGenerator<Row>;

/**
 * Reads a partial report's header (its first line). A regular file is closed after it and read
 * again from its start for the passes, so that checking the headers of many shards keeps no
 * file open; a pipe (`merge <(…)`), which cannot be read twice, stays open until its passes are
 * read or it is closed. Throws MergeError naming the file.
 */
export async function openPartial(path: string): Promise<OpenPartial> {
  const again = await rereadable(path);
  let rows: Rows | null = readJsonLines(path);
  let header: HeaderLine;
  try {
    header = headerOf(path, (await rows.next()).value as Row | undefined);
  } catch (e) {
    await rows.return(undefined);
    throw e instanceof MergeError ? e : new MergeError(`cannot read the partial report ${path}: ${(e as Error).message}`);
  }
  if (again) {
    await rows.return(undefined);
    rows = null;
  }
  return {
    path,
    header,
    readPasses(spool, audited) {
      const open = rows;
      rows = null;
      return readPartialPasses(path, header, open ?? readJsonLines(path), open !== null, spool, audited);
    },
    async close() {
      const open = rows;
      rows = null;
      await open?.return(undefined);
    },
  };
}

function headerOf(path: string, first: Row | undefined): HeaderLine {
  // An unreadable first line (not JSON, or longer than a row may be) is no partial report of this version either.
  const d = first?.value as Partial<HeaderLine> | undefined;
  if (d === null || typeof d !== 'object' || Array.isArray(d) || d.format !== PARTIAL_FORMAT) throw new MergeError(`${path} is no partial report of this evalaudit (write one with evalaudit audit --shard INDEX/COUNT)`);
  if (d.version !== PARTIAL_VERSION) throw new MergeError(`${path} is a partial report of version ${JSON.stringify(d.version)}; this evalaudit reads version ${PARTIAL_VERSION}`);
  if (!Number.isInteger(d.passes) || (d.passes as number) < 0 || !d.shard || !d.settings || !d.inputs || !d.tool) throw new MergeError(`${path}: the partial report is incomplete`);
  return d as HeaderLine;
}

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;
const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isAuditedItem = (v: unknown): v is AuditedItem =>
  isRecord(v) && (v.kind === 'record' || v.kind === 'group') && (typeof v.id === 'string' || typeof v.id === 'number') && typeof v.line === 'number';

/**
 * A partial report's passes, read line by line from `rows` (after its header when `afterHeader`,
 * else from its start, the header line skipped): each pass's findings go into `spool` as they
 * are read (FilePass.spooled), its audited items are decoded and kept only when `audited` is
 * true. Throws MergeError naming the file and line when a line is not what the header and pass
 * lines promise.
 */
async function* readPartialPasses(path: string, header: HeaderLine, rows: Rows, afterHeader: boolean, spool: Spool, audited: boolean): AsyncGenerator<{ index: number; pass: FilePass }> {
  const where = (line: number) => `${path}:${line}`;
  let skip = !afterHeader;
  let current: { index: number; pass: FilePass; audited: AuditedList | undefined; items: number; findings: number; part: FindingSpool } | null = null;
  let passes = 0;
  const done = () => {
    const c = current!;
    if (c.audited) c.pass.summary.auditedItems = c.audited;
    c.pass.spooled = c.part.finish();
    current = null;
    return { index: c.index, pass: c.pass };
  };
  let at = 0;
  try {
    for await (const row of rows) {
      if (skip) {
        skip = false;
        continue;
      }
      at = row.line;
      if (row.error !== undefined) throw new MergeError(`${where(at)}: ${row.error}`);
      const v = row.value;
      if (current && current.items > 0) {
        if (!isRecord(v) || !Array.isArray(v.audited)) throw new MergeError(`${where(at)}: ${current.items} more audited items of file ${current.index} were expected`);
        if (v.audited.length > current.items) throw new MergeError(`${where(at)}: ${v.audited.length} audited items where ${current.items} were left of file ${current.index}`);
        current.items -= v.audited.length;
        if (current.audited) {
          for (const item of decodeValue(v.audited, 'audited items') as unknown[]) {
            if (!isAuditedItem(item)) throw new MergeError(`${where(at)}: an audited item of file ${current.index} is no {kind, id, line}`);
            addAudited(current.audited, item.kind, item.id, item.line);
          }
        }
        continue;
      }
      if (current && current.findings > 0) {
        if (!isRecord(v) || !('finding' in v)) throw new MergeError(`${where(at)}: ${current.findings} more findings of file ${current.index} were expected`);
        const f = decodeValue(v.finding, 'finding') as Finding;
        if (!isRecord(f) || typeof f.ruleId !== 'string' || typeof f.file !== 'string' || typeof f.message !== 'string') throw new MergeError(`${where(at)}: the finding is no finding`);
        current.part.add(f);
        current.findings--;
        continue;
      }
      if (current) yield done();
      if (!isRecord(v) || !isRecord(v.pass) || !isRecord(v.pass.summary) || !isCount(v.audited) || !isCount(v.findings)) throw new MergeError(`${where(at)}: a pass was expected`);
      if (++passes > header.passes) throw new MergeError(`${where(at)}: more passes than the ${header.passes} the header names`);
      const line = v as unknown as PassLine;
      current = { index: line.index, pass: decodePass(line.pass), audited: audited ? newAuditedList() : undefined, items: line.audited, findings: line.findings, part: new FindingSpool(spool) };
    }
    if (current && (current.items > 0 || current.findings > 0)) throw new MergeError(`${path}: the partial report is incomplete (it ends inside the pass of file ${current.index})`);
    if (current) yield done();
  } catch (e) {
    if (e instanceof PartialFormatError) throw new MergeError(`${where(at)}: ${e.message}`);
    if (e instanceof MergeError) throw e;
    throw new MergeError(`cannot read the partial report ${path}: ${(e as Error).message}`);
  }
  if (passes !== header.passes) throw new MergeError(`${path}: the partial report is incomplete (${passes} of ${header.passes} passes)`);
}

/**
 * Checks that the partials are one audit's shards, each exactly once: same tool version,
 * settings and inputs, every index of COUNT. Returns the first one's header.
 */
export function checkShards(partials: readonly { path: string; header: PartialHeader }[], toolVersion: string): PartialHeader {
  if (partials.length === 0) throw new MergeError('name the partial reports to merge');
  const [first] = partials;
  for (const p of partials) {
    if (p.header.tool.version !== toolVersion) throw new MergeError(`${p.path} was written by evalaudit ${p.header.tool.version}; this is evalaudit ${toolVersion}: audit and merge with one version`);
  }
  for (const p of partials.slice(1)) {
    for (const [what, key] of [['settings (rules, severities, precision, input format, field map)', 'settings'], ['inputs (the files found)', 'inputs'], ['shard count', 'count']] as const) {
      const a = key === 'count' ? first.header.shard.count : JSON.stringify(first.header[key]);
      const b = key === 'count' ? p.header.shard.count : JSON.stringify(p.header[key]);
      if (a !== b) throw new MergeError(`${first.path} and ${p.path} are shards of different audits: their ${what} differ${key === 'count' ? ` (${a} and ${b})` : ''}`);
    }
  }
  const count = first.header.shard.count;
  const byIndex = new Map<number, string>();
  for (const p of partials) {
    const seen = byIndex.get(p.header.shard.index);
    if (seen !== undefined) throw new MergeError(`shard ${p.header.shard.index}/${count} is given twice: ${seen} and ${p.path}`);
    byIndex.set(p.header.shard.index, p.path);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) throw new MergeError(`missing shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} (given: ${[...byIndex].sort((a, b) => a[0] - b[0]).map(([i, path]) => `${i}/${count} ${path}`).join(', ')})`);
  return first.header;
}

/**
 * Every shard's passes put back in file order (the partials checked by checkShards first), their
 * findings in `spool`; audited items kept only when `audited` is true.
 */
export async function mergedPasses(partials: readonly OpenPartial[], spool: Spool, audited: boolean): Promise<FilePass[]> {
  const passes: (FilePass | undefined)[] = new Array(partials[0].header.inputs.files);
  for (const p of partials) {
    for await (const { index, pass } of p.readPasses(spool, audited)) {
      if (!Number.isInteger(index) || index < 0 || index >= passes.length || passes[index] !== undefined) throw new MergeError(`${p.path}: file index ${index} is out of range or given twice`);
      passes[index] = pass;
    }
  }
  const absent = passes.findIndex((p) => p === undefined);
  if (absent >= 0) throw new MergeError(`file ${absent} of ${passes.length} is in no partial report: were the shards written from the same inputs?`);
  return passes as FilePass[];
}
