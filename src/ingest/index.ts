/**
 * Ingest: paths → files → rows → canonical items. A detector picks one adapter per file from
 * its content; `--input-format` overrides it.
 */
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, extname } from 'node:path';
import type { InvalidCode, RawItem } from '../types.js';
import type { AdapterOptions, Container, FormatAdapter } from './adapter.js';
import { canonicalAdapter, structuralProblem } from './canonical.js';
import { hasNonFiniteNumber, validateRecord } from './validate.js';
import { lmEvalResultsAdapter } from './formats/lm-eval-results.js';
import { lmEvalSamplesAdapter } from './formats/lm-eval-samples.js';
import { mappedAdapter } from './formats/mapped.js';
import { openaiChatAdapter } from './formats/openai-chat.js';
import { openaiCompletionsAdapter } from './formats/openai-completions.js';
import { vllmAdapter } from './formats/vllm.js';
import { helmAdapter, helmRunFileAdapter } from './formats/helm.js';
import { inspectAdapter, inspectEvalMembers } from './formats/inspect.js';
import { lightevalAdapter, lightevalParquetColumns } from './formats/lighteval.js';
import { lmEvalV03Adapter } from './formats/lm-eval-v03.js';
import { readParquetRowBatches } from './parquet.js';
import { readZipJsonRows } from './zip.js';
import { vllmServerAdapter } from './formats/vllm-server.js';
import { tgiAdapter } from './formats/tgi.js';
import { llamaCppAdapter } from './formats/llama-cpp.js';
import { readCsvRows, readJsonDocument, readJsonLineBatches, type Row } from './rows.js';
import { parseJsonTextEx } from './json-text.js';

/** Every format evalaudit reads, most specific first (detection asks them in this order). */
export const adapters: FormatAdapter[] = [
  lmEvalResultsAdapter,
  lmEvalSamplesAdapter,
  vllmServerAdapter,
  inspectAdapter,
  helmAdapter,
  helmRunFileAdapter,
  lightevalAdapter,
  lmEvalV03Adapter,
  openaiChatAdapter,
  openaiCompletionsAdapter,
  vllmAdapter,
  tgiAdapter,
  llamaCppAdapter,
  mappedAdapter,
  canonicalAdapter,
];

export const INPUT_EXTENSIONS = ['.jsonl', '.ndjson', '.json', '.csv', '.parquet', '.eval'] as const;

export class InputError extends Error {}

/** How many parsed rows detection may look at before calling a file unsupported. */
const DETECT_ROWS = 20;

/**
 * Expands paths into the sorted list of input files; a directory is walked recursively.
 * Symbolic links count as what they point to, and each real file is read once however many
 * paths lead to it (a `latest` link beside its run, a link back up the tree).
 */
export async function listInputFiles(paths: readonly string[]): Promise<string[]> {
  const found = new Map<string, string>(); // real path → first path that reached it
  const visited = new Set<string>(); // real paths of directories already walked
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
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
  const real = await realpath(p).catch(() => p);
  if (!found.has(real)) found.set(real, p);
}

async function walk(dir: string, found: Map<string, string>, visited: Set<string>): Promise<void> {
  const real = await realpath(dir).catch(() => dir);
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

export function containerOf(file: string): Container {
  const ext = extname(file).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.eval') return 'zip';
  return ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : 'json';
}

/**
 * The container by content where the extension misleads: lm-evaluation-harness ≤ 0.4.2 wrote
 * its samples as one pretty-printed JSON array in a file named .jsonl, and in mid-2024 wrote
 * JSON lines to `samples_<task>_<date>.json`. A .jsonl whose first line is a lone `[` (not a
 * JSON value on its own) is read as a JSON document; a .json whose first line is a whole JSON
 * object followed by more lines, as JSON lines.
 */
async function sniffContainer(file: string): Promise<Container | typeof LFS_POINTER> {
  const container = containerOf(file);
  const handle = await open(file, 'r'); // also: an unreadable file fails here, before any reader starts
  try {
    const head = await readHead(handle, container === 'json' ? SNIFF_LINE_BYTES : 4096);
    if (head.startsWith(LFS_POINTER)) return LFS_POINTER;
    // Binary containers and CSV: the extension says it all.
    if (container !== 'jsonl' && container !== 'json') return container;
    const nl = head.indexOf('\n');
    const firstLine = (nl < 0 ? head : head.slice(0, nl)).trim();
    if (container === 'jsonl') return firstLine.startsWith('[') && !firstLine.endsWith(']') ? 'json' : 'jsonl';
    if (nl < 0 || !firstLine.startsWith('{') || !firstLine.endsWith('}') || head.slice(nl + 1).trim() === '') return 'json';
    try {
      parseJsonTextEx(firstLine);
      return 'jsonl';
    } catch {
      return 'json';
    }
  } finally {
    await handle.close();
  }
}

/**
 * How a Git LFS pointer file begins: what a clone without `git lfs pull` (or a dataset
 * repository's raw view) holds in place of a large output file.
 */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/v1';

/** How far a .json file's first line is read to tell JSON lines from a document. */
const SNIFF_LINE_BYTES = 8 * 2 ** 20;

/** The file's opening text: up to `limit` bytes, stopping once the first line has ended and more follows. */
async function readHead(handle: FileHandle, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  let lineEnd = -1;
  while (total < limit) {
    const size = Math.min(1 << 16, limit - total);
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(size), 0, size, total);
    if (bytesRead === 0) break;
    const chunk = buffer.subarray(0, bytesRead);
    if (lineEnd < 0) {
      const nl = chunk.indexOf(10);
      if (nl >= 0) lineEnd = total + nl;
    }
    chunks.push(chunk);
    total += bytesRead;
    if (lineEnd >= 0 && total > lineEnd + 1) break;
  }
  return Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
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
}

async function* batchesOf(file: string, container: Container): AsyncGenerator<Row[]> {
  if (container === 'jsonl') {
    yield* readJsonLineBatches(file);
    return;
  }
  if (container === 'parquet') {
    yield* readParquetRowBatches(file, lightevalParquetColumns);
    return;
  }
  let rows: Row[] = [];
  const source = container === 'csv' ? readCsvRows(file) : container === 'zip' ? readZipJsonRows(file, inspectEvalMembers) : readJsonDocument(file);
  for await (const row of source) {
    rows.push(row);
    if (rows.length >= BATCH_ROWS) {
      yield rows;
      rows = [];
    }
  }
  if (rows.length > 0) yield rows;
}

/** Rows handed on at once from readers that go row by row (CSV, JSON documents). */
const BATCH_ROWS = 1024;

async function* flatten<T>(batches: AsyncGenerator<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

function reading(format: string | null, batches: AsyncGenerator<RawItem[]>): FileReading {
  let items: AsyncGenerator<RawItem> | null = null;
  return {
    format,
    batches,
    get items() {
      return (items ??= flatten(batches));
    },
  };
}

/** A file no adapter can read: one whole-file `invalid` item saying why. */
function unreadable(file: string, line: number, code: InvalidCode, message: string): FileReading {
  return reading(
    null,
    (async function* () {
      yield [{ kind: 'invalid' as const, file, line, message, wholeFile: true, code }];
    })(),
  );
}

/**
 * Reads one file as canonical items. Detection looks at the first rows that parse; a file no
 * adapter recognises yields one `invalid` item that names the supported formats.
 */
export async function readFileItems(file: string, options: ReadOptions = {}): Promise<FileReading> {
  let sniffed: Container | typeof LFS_POINTER;
  try {
    sniffed = await sniffContainer(file);
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (sniffed === LFS_POINTER) return unreadable(file, 1, 'unreadable', 'a Git LFS pointer, not the file itself: fetch its content (git lfs pull) and audit again');
  const container = sniffed;
  const source = batchesOf(file, container);
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
  const convert = chosen.createConverter(file, options);
  // Adapters that build records themselves (rather than validating user objects) are held to the
  // same schema, so nothing downstream sees a record the canonical format would refuse.
  const validated = chosen === canonicalAdapter || chosen.name === 'mapped';
  const seen = new Set<string | number>();
  let rowsSeen = 0;
  const check = (item: RawItem): RawItem => {
    if (item.kind !== 'record') return item;
    const { record } = item;
    if (!validated) {
      const schema = validateRecord(record, hasNonFiniteNumber(record));
      const problem = schema ?? structuralProblem(record);
      if (problem) return { kind: 'invalid', file: item.file, line: item.line, recordId: record.id, code: schema !== null ? 'schema' : 'structure', message: `${chosen.name} adapter: ${problem}` };
    }
    // Ids name records in findings: unique per file, whatever the format.
    if (seen.has(record.id)) {
      return { kind: 'invalid', file: item.file, line: item.line, recordId: record.id, code: 'duplicateId', message: `duplicate id ${JSON.stringify(record.id)} in this file` };
    }
    seen.add(record.id);
    return item;
  };
  const toItems = (rows: readonly Row[]): RawItem[] => {
    const out: RawItem[] = [];
    for (const row of rows) {
      rowsSeen++;
      if (row.error !== undefined) out.push({ kind: 'invalid', file: row.file, line: row.line, code: 'unreadable', message: row.error });
      else for (const item of convert(row)) out.push(check(item));
    }
    return out;
  };
  return reading(
    chosen.name,
    (async function* () {
      if (pending.length > 0) yield toItems(pending);
      for await (const rows of source) yield toItems(rows);
      // An empty output file is what a crashed eval step leaves behind: never a silent pass.
      if (rowsSeen === 0) yield [{ kind: 'invalid', file, line: 1, message: 'the file holds no records', wholeFile: true, code: 'emptyFile' }];
    })(),
  );
}

export type { FormatAdapter, AdapterOptions } from './adapter.js';
