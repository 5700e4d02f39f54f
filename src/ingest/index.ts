/**
 * Ingest: paths → files → rows → canonical items. A detector picks one adapter per file from
 * its content; `--input-format` overrides it.
 */
import { realpathSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, extname } from 'node:path';
import type { InvalidCode, RawItem } from '../types.js';
import type { AdapterOptions, Container, FormatAdapter } from './adapter.js';
import { canonicalAdapter, claimedId, structuralProblem } from './canonical.js';
import { validateRecord } from './validate.js';
import { adapters } from './formats/index.js';
import { inspectEvalMembers } from './formats/inspect.js';
import { lightevalParquetColumns } from './formats/lighteval.js';
import { readCsvRowBatches, readJsonDocumentBatches, readJsonLineBatches, sniffContainer, type Row } from './rows.js';
import { STDIN, openText, type TextSource } from './text.js';
import { IdLog, IdSet, checkUniqueId } from './id-set.js';
import { opensAsEventStream, readEventStreamBatches } from './event-stream.js';

/** Characters peeked at to tell an event stream: its first field, after any blank lines. */
const EVENT_STREAM_PEEK = 256;

export { adapters } from './formats/index.js';

export const INPUT_EXTENSIONS = ['.jsonl', '.ndjson', '.json', '.csv', '.parquet', '.eval'] as const;

export class InputError extends Error {}

/** How many parsed rows detection may look at before calling a file unsupported. */
const DETECT_ROWS = 20;

/**
 * Expands paths into the sorted list of input files; a directory is walked recursively.
 * Symbolic links count as what they point to, and each real file is read once however many
 * paths lead to it (a `latest` link beside its run, a link back up the tree).
 */
export { STDIN, rereadable } from './text.js';

export async function listInputFiles(paths: readonly string[]): Promise<string[]> {
  const found = new Map<string, string>(); // real path → first path that reached it
  const visited = new Set<string>(); // real paths of directories already walked
  for (const p of paths) {
    // `-` is standard input, named <stdin> in reports; read once, however often it is given.
    if (p === '-' || p === STDIN) {
      found.set(STDIN, STDIN);
      continue;
    }
    let info;
    try {
      info = statSync(p); // synchronous, as the reads are: the audit lists the CLI's list of files again
    } catch (err) {
      throw new InputError(`cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (info.isDirectory()) {
      const before = found.size;
      await walk(p, found, visited);
      if (found.size === before) throw new InputError(`no ${INPUT_EXTENSIONS.join('/')} files under ${p}`);
    } else await addFile(p, found);
  }
  return [...found.values()].sort();
}

async function addFile(p: string, found: Map<string, string>): Promise<void> {
  const real = realPath(p);
  if (!found.has(real)) found.set(real, p);
}

/** The path with links resolved (itself when that fails). Synchronous: a tree of 1000 files waited ~0.2 s for the thread pool. */
function realPath(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    return p;
  }
}

async function walk(dir: string, found: Map<string, string>, visited: Set<string>): Promise<void> {
  const real = realPath(dir);
  if (visited.has(real)) return; // a link loop, or a directory reached twice
  visited.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  // Real entries before links, so that a file reached both ways is named by its real path.
  entries.sort((a, b) => Number(a.isSymbolicLink()) - Number(b.isSymbolicLink()) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    const kind = e.isSymbolicLink() ? await stat(p).catch(() => null) : e;
    if (!kind) continue;
    if (kind.isDirectory()) await walk(p, found, visited);
    else if (kind.isFile() && (INPUT_EXTENSIONS as readonly string[]).includes(extname(e.name).toLowerCase())) await addFile(p, found);
  }
}

/** The container its name says; a name without a known extension (a pipe, `/dev/stdin`) is judged from the content. */
export function containerOf(file: string): Container {
  return containerByName(file) ?? 'jsonl';
}

function containerByName(file: string): Container | null {
  const ext = extname(file).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.eval') return 'zip';
  return ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : ext === '.json' ? 'json' : null;
}

/**
 * How a Git LFS pointer file begins: what a clone without `git lfs pull` (or a dataset
 * repository's raw view) holds in place of a large output file.
 */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1';

/**
 * Rows of a binary container (Parquet, a zip archive), which the text readers do not open. Their
 * readers (hyparquet, yauzl) are loaded only when such a file is read: most runs are text.
 */
async function* binaryBatches(file: string, container: 'parquet' | 'zip'): AsyncGenerator<Row[]> {
  // Loaded when a file needs them: a run of JSONL (and every worker thread) starts without them.
  if (container === 'parquet') {
    const { readParquetRowBatches } = await import('./parquet.js');
    yield* readParquetRowBatches(file, lightevalParquetColumns);
    return;
  }
  const { readZipJsonRows } = await import('./zip.js');
  let rows: Row[] = [];
  for await (const row of readZipJsonRows(file, inspectEvalMembers)) {
    rows.push(row);
    if (rows.length >= 256) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length > 0) yield rows;
}

export function supportedFormatsText(): string {
  return adapters.map((a) => `${a.name} (${a.description})`).join('; ');
}

export function findAdapter(name: string): FormatAdapter | undefined {
  return adapters.find((a) => a.name === name);
}

export interface ReadOptions extends AdapterOptions {
  /** Skip detection and read every file with this adapter. */
  inputFormat?: string;
}

export interface FileReading {
  /** Name of the adapter chosen, or null when no adapter recognises the file. */
  format: string | null;
  /** The file's items, a batch per chunk read (the engine's fast path). Consume this or `items`, not both. */
  batches: AsyncGenerator<RawItem[]>;
  /** The same items one at a time. */
  items: AsyncGenerator<RawItem>;
  /**
   * What the readers handed on, counted as it went: every row read must become at least one
   * item (a record, an invalid or a skipped row, or a results file's aggregates). Complete once
   * the items are consumed; the engine holds its own counts against it.
   */
  accounting: Accounting;
  /** The container the file was read as (absent for a file that yields one whole-file problem). */
  container?: Container;
  /** The file is a captured server-sent event stream, its events' data read as JSONL rows (event-stream.ts). */
  eventStream?: true;
  /**
   * Read with `ids: 'log'`: whether a record id of the items consumed so far repeats an earlier
   * one. Such a reading yields no `duplicateId` item: the caller reads the file again, checking.
   */
  repeatedIds?: () => boolean;
  /** Releases the file when its items are not consumed (a caller that only wanted the format). */
  close(): void;
}

export interface Accounting {
  /** Rows read from the file (lines, CSV rows, document elements), unreadable ones included. */
  rows: number;
  /** Lines of rows that became no item at all: an adapter that lost a row (always empty unless there is a bug). */
  lost: number[];
  /** Items per kind, whole-file items excluded: records = record + invalid + skipped. */
  items: { record: number; invalid: number; skipped: number };
}

function batchesOf(source: TextSource, container: Container): AsyncGenerator<Row[]> {
  return container === 'jsonl' ? readJsonLineBatches(source) : container === 'csv' ? readCsvRowBatches(source) : readJsonDocumentBatches(source);
}

async function* flatten<T>(batches: AsyncGenerator<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

export function newAccounting(): Accounting {
  return { rows: 0, lost: [], items: { record: 0, invalid: 0, skipped: 0 } };
}

/** A file that yields one whole-file problem and nothing else (an LFS pointer, an unsupported format). */
function unreadable(file: string, line: number, code: InvalidCode, message: string): FileReading {
  return reading(
    null,
    (async function* () {
      yield [{ kind: 'invalid' as const, file, line, message, wholeFile: true, code }];
    })(),
  );
}

function reading(format: string | null, batches: AsyncGenerator<RawItem[]>, accounting = newAccounting(), container?: Container, source?: AsyncGenerator<Row[]>): FileReading {
  let items: AsyncGenerator<RawItem> | null = null;
  return {
    format,
    ...(container !== undefined ? { container } : {}),
    close() {
      void batches.return(undefined);
      void source?.return(undefined);
    },
    batches,
    accounting,
    get items() {
      return (items ??= flatten(batches));
    },
  };
}

/**
 * Reads one file as canonical items. Detection looks at the first rows that parse; a file no
 * adapter recognises yields one `invalid` item that names the supported formats. `ids`: a record
 * whose id an earlier one has becomes a `duplicateId` item (`check`), or the ids are only logged
 * for `repeatedIds` (`log`: cheaper, for a caller that can read the file again; see IdLog).
 */
export async function readFileItems(file: string, options: ReadOptions = {}, ids: 'check' | 'log' = 'check'): Promise<FileReading> {
  const byName = containerByName(file);
  let source: AsyncGenerator<Row[]>;
  let container: Container;
  let eventStream = false;
  try {
    if (byName === 'parquet' || byName === 'zip') {
      await stat(file); // a file that cannot be read stops the run before any reader starts
      container = byName;
      source = binaryBatches(file, byName);
    } else {
      // Opened now, so that a file that cannot be read stops the run before any reader starts.
      const text = await openText(file);
      if ((await text.peek(LFS_POINTER.length)).startsWith(LFS_POINTER)) {
        text.close();
        return unreadable(file, 1, 'unreadable', 'a Git LFS pointer, not the file itself: fetch its content (git lfs pull) and audit again');
      }
      // A captured event stream (`data: {…}` lines) is read as the JSONL of its events' data, whatever
      // its name but .csv (a CSV's first cell may open so; no JSON document does).
      eventStream = byName !== 'csv' && opensAsEventStream(await text.peek(EVENT_STREAM_PEEK));
      container = eventStream ? 'jsonl' : await sniffContainer(text, byName);
      source = eventStream ? readEventStreamBatches(text) : batchesOf(text, container);
    }
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const pending: Row[] = [];
  let adapter: FormatAdapter | undefined;
  if (options.inputFormat) {
    adapter = findAdapter(options.inputFormat);
    if (!adapter) throw new InputError(`unknown --input-format ${options.inputFormat}; supported: ${adapters.map((a) => a.name).join(', ')}`);
  }
  // Look at the first few rows that parse: a file may open with a broken or odd line.
  let parsed = 0;
  while (adapter === undefined && parsed < DETECT_ROWS) {
    const next = await source.next();
    if (next.done) break;
    for (const row of next.value) {
      pending.push(row);
      if (row.error === undefined && adapter === undefined && parsed < DETECT_ROWS) {
        parsed++;
        const first = row.value;
        adapter = adapters.find((a) => a.containers.includes(container) && a.detect(first, file));
      }
    }
  }
  if (adapter === undefined && pending.some((r) => r.error === undefined)) {
    const first = pending.find((r) => r.error === undefined)!;
    void source.return(undefined);
    return unreadable(file, first.line, 'unsupportedFormat', `unsupported input format: no adapter recognises this file. Supported formats: ${supportedFormatsText()}`);
  }
  const chosen = adapter ?? canonicalAdapter;
  const accounting = newAccounting();
  // Every id of the file, compactly (see id-set.ts for the bytes per id).
  const log = ids === 'log' ? new IdLog() : null;
  const toItems = rowConverter(file, chosen, options, container, accounting, log ?? new IdSet());
  const read = reading(
    chosen.name,
    (async function* () {
      try {
        if (pending.length > 0) yield toItems(pending);
        for await (const rows of source) yield toItems(rows);
        // An empty output file is what a crashed eval step leaves behind: never a silent pass.
        if (accounting.rows === 0) yield [emptyFileItem(file)];
      } finally {
        // A consumer that stops early (explain once it has its record, a pass read again) may stop
        // at the rows detection read, before the loop above owns the source: release the file.
        await source.return(undefined);
      }
    })(),
    accounting,
    container,
    source,
  );
  if (log) read.repeatedIds = () => log.repeats();
  if (eventStream) read.eventStream = true;
  return read;
}

/** What a file with no row at all yields. */
export function emptyFileItem(file: string): RawItem {
  return { kind: 'invalid', file, line: 1, message: 'the file holds no records', wholeFile: true, code: 'emptyFile' };
}

/**
 * Rows to items with a file's adapter, counted in `accounting`. `ids`: the ids seen so far, for
 * duplicate ids (an IdLog only logs them); null when the caller checks them in file order itself
 * (a file whose line ranges are read on several threads).
 */
export function rowConverter(file: string, chosen: FormatAdapter, options: ReadOptions, container: Container, accounting: Accounting, ids: IdSet | IdLog | null): (rows: readonly Row[]) => RawItem[] {
  const convert = chosen.createConverter(file, { ...options, container });
  // Adapters that build records themselves (rather than validating user objects) are held to the
  // same schema, so nothing downstream sees a record the canonical format would refuse.
  const validated = chosen === canonicalAdapter || chosen.name === 'mapped';
  // Told apart once, not per record.
  const log = ids instanceof IdLog ? ids : null;
  const set = ids instanceof IdSet ? ids : null;
  const check = (item: RawItem): RawItem => {
    if (item.kind !== 'record') return item;
    const { record } = item;
    if (!validated) {
      const schema = validateRecord(record);
      const problem = schema ?? structuralProblem(record);
      if (problem) return { kind: 'invalid', file: item.file, line: item.line, recordId: record.id, code: schema !== null ? 'schema' : 'structure', message: `${chosen.name} adapter: ${problem}` };
    }
    if (log) log.append(record.id);
    else if (set) return checkUniqueId(item, set);
    return item;
  };
  return (rows) => {
    const out: RawItem[] = [];
    for (const row of rows) {
      accounting.rows++;
      const before = out.length;
      if (row.error !== undefined) out.push({ kind: 'invalid', file: row.file, line: row.line, code: 'unreadable', message: row.error });
      else for (const item of convert(row)) out.push(check(item));
      if (out.length === before) accounting.lost.push(row.line);
      for (let i = before; i < out.length; i++) {
        const item = out[i];
        if (item.kind === 'aggregate') continue;
        // An id names a row in reports only when JSON can hold it (an adapter may pass on a NaN one).
        if (item.kind !== 'record' && item.recordId !== undefined && claimedId({ id: item.recordId }) === undefined) delete item.recordId;
        if (item.kind === 'record' || !item.wholeFile) accounting.items[item.kind]++;
      }
    }
    return out;
  };
}

export type { FormatAdapter, AdapterOptions } from './adapter.js';
export { duplicateId } from './id-set.js';
