/**
 * Low-level readers: a file becomes a stream of rows, each with its file and 1-based line.
 * They only split and parse; they never judge what a row means (that is the adapters' job).
 * JSONL and CSV are streamed, so memory does not grow with file size.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { parse as parseCsv } from 'csv-parse';
import { parseJsonTextEx, parseErrorMessage } from './json-text.js';

/** `entry`: the archive member a row came from (zip containers), for messages. */
export type Row =
  | { file: string; line: number; value: unknown; error?: undefined; nonFinite?: boolean; entry?: string }
  | { file: string; line: number; error: string; value?: undefined; entry?: string };

/**
 * The lines (LF or CRLF) of a text stream, a batch per chunk read. A
 * hand-rolled splitter working a chunk at a time: readline's regular-expression split and a
 * promise per line cost more than the JSON parsing they feed on large runs.
 */
export async function* readLineBatches(file: string): AsyncGenerator<string[]> {
  const input = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let carry = '';
  let tooLong = false;
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const lines: string[] = [];
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf('\n', start);
        if (nl < 0) break;
        const piece = chunk.slice(start, nl);
        lines.push(tooLong ? LINE_TOO_LONG : stripCr(carry.length > 0 ? carry + piece : piece));
        carry = '';
        tooLong = false;
        start = nl + 1;
      }
      if (start < chunk.length && !tooLong) {
        carry += chunk.slice(start);
        // One line must not take the process's memory: past the cap it is skipped, not held.
        if (carry.length > MAX_LINE_CHARS) {
          carry = '';
          tooLong = true;
        }
      }
      if (lines.length > 0) yield lines;
    }
    if (tooLong) yield [LINE_TOO_LONG];
    else if (carry.length > 0) yield [stripCr(carry)];
  } finally {
    input.destroy();
  }
}

/** Largest JSON document read whole; larger runs belong in JSONL. */
export const MAX_DOCUMENT_BYTES = 256 * 2 ** 20;

/** Longest line read (characters); a record this size is surely not one. */
export const MAX_LINE_CHARS = 64 * 2 ** 20;
/** Stands for a line that was skipped for its length (cannot occur in text: it holds a NUL). */
export const LINE_TOO_LONG = '\u0000evalaudit:line-too-long';

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** One JSON value per line; blank lines are skipped, CRLF and a UTF-8 BOM accepted. Yields a batch of rows per chunk read. */
export async function* readJsonLineBatches(file: string): AsyncGenerator<Row[]> {
  let line = 0;
  for await (const lines of readLineBatches(file)) {
    const rows: Row[] = [];
    for (let text of lines) {
      line++;
      if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length === 0 || isBlank(text)) continue;
      if (text === LINE_TOO_LONG) {
        rows.push({ file, line, error: `line longer than ${MAX_LINE_CHARS / 2 ** 20} Mi characters: not read` });
        continue;
      }
      try {
        const parsed = parseJsonTextEx(text);
        rows.push({ file, line, value: parsed.value, nonFinite: parsed.nonFinite });
      } catch (err) {
        rows.push({ file, line, error: `not valid JSON: ${parseErrorMessage(err)}` });
      }
    }
    if (rows.length > 0) yield rows;
  }
}

/** One row at a time (for callers that want rows, not batches). */
export async function* readJsonLines(file: string): AsyncGenerator<Row> {
  for await (const rows of readJsonLineBatches(file)) yield* rows;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/**
 * CSV with a header row. Each row becomes an object keyed by column name, cells as strings
 * (typing them is the adapter's business); `line` is where the row starts, so a quoted cell
 * spanning lines still points at its first line.
 */
export async function* readCsvRows(file: string): AsyncGenerator<Row> {
  const source = createReadStream(file);
  const parser = source.pipe(parseCsv({ bom: true, info: true, raw: true, skip_empty_lines: true, relax_column_count: true }));
  // pipe() does not forward the source's errors; without this a read error would escape as an unhandled event.
  source.on('error', (err) => parser.destroy(err));
  let header: string[] | null = null;
  // csv-parse counts a CRLF inside a quoted cell as two lines; what it over-counted so far.
  let overcount = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; raw: string; info: { lines: number } }>) {
      const start = rowStart(item.info.lines - overcount, item.raw);
      overcount += start.crlfInside;
      const line = start.line;
      if (header === null) {
        header = item.record.map((h) => h.trim());
        continue;
      }
      if (item.record.every((cell) => cell.trim() === '')) continue; // a blank line of spaces or commas
      if (item.record.length !== header.length) {
        yield { file, line, error: `CSV row has ${item.record.length} cells, the header has ${header.length}` };
        continue;
      }
      const value: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) value[header[i]] = item.record[i];
      yield { file, line, value };
    }
  } catch (err) {
    // csv-parse cannot resynchronise after a malformed quote: report where it stopped.
    const e = err as { lines?: number; message?: string };
    yield { file, line: Math.max(1, e.lines ?? 1), error: `CSV parse error, rest of file not read: ${parseErrorMessage(err)}` };
  }
}

function rowStart(endLine: number, raw: string): { line: number; crlfInside: number } {
  let start = 0;
  while (start < raw.length && (raw[start] === '\n' || raw[start] === '\r')) start++;
  let end = raw.length;
  while (end > start && (raw[end - 1] === '\n' || raw[end - 1] === '\r')) end--;
  let breaks = 0;
  let crlfInside = 0;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 10 || c === 13) breaks++;
    if (c === 13 && raw.charCodeAt(i + 1) === 10) crlfInside++;
  }
  return { line: endLine - breaks, crlfInside };
}

/**
 * A whole JSON document. An array (or an object whose `records` is an array) yields one row
 * per element, each at the line where the element starts; any other value is one row.
 * JSON documents are read whole: use JSONL for runs too large for memory.
 */
export async function* readJsonDocument(file: string): AsyncGenerator<Row> {
  const size = (await stat(file)).size;
  if (size > MAX_DOCUMENT_BYTES) {
    yield { file, line: 1, error: `a ${Math.round(size / 2 ** 20)} MiB JSON document is read whole and is too large: write the run as JSONL (one record per line), which is streamed` };
    return;
  }
  let text = await readFile(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  let nonFinite = false;
  try {
    ({ value: doc, nonFinite } = parseJsonTextEx(text));
  } catch (err) {
    yield { file, line: errorLine(text, err), error: `not valid JSON: ${parseErrorMessage(err)}` };
    return;
  }
  const list = Array.isArray(doc)
    ? doc
    : isObject(doc) && Array.isArray(doc.records)
      ? (doc.records as unknown[])
      : null;
  if (list === null) {
    yield { file, line: firstContentLine(text), value: doc, nonFinite };
    return;
  }
  const lines = Array.isArray(doc) ? elementLines(text, 0, null) : elementLines(text, 1, 'records');
  for (let i = 0; i < list.length; i++) yield { file, line: lines[i] ?? 1, value: list[i], nonFinite };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function firstContentLine(text: string): number {
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c !== ' ' && c !== '\t' && c !== '\r') break;
  }
  return line;
}

/** V8 reports "at position N" (or "line L column C"); turn it into a line number. */
function errorLine(text: string, err: unknown): number {
  const msg = err instanceof Error ? err.message : '';
  const lc = /line (\d+)/.exec(msg);
  if (lc) return Number(lc[1]);
  const pos = /position (\d+)/.exec(msg);
  if (!pos) {
    // "Unexpected end of JSON input" has no position: the document stops at its last line.
    let last = 1;
    for (let i = 0; i < text.trimEnd().length; i++) if (text.charCodeAt(i) === 10) last++;
    return last;
  }
  let line = 1;
  const end = Math.min(Number(pos[1]), text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Line of each element of the array whose opening bracket sits at `arrayDepth` (0: the document
 * is the array; 1: an array inside the top-level object under `key`, e.g. `records`).
 */
export function elementLines(text: string, arrayDepth: number, key: string | null): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let lastKey: string | null = null;
  let inArray = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') {
        inString = false;
        if (depth === arrayDepth) lastKey = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (inArray && depth === arrayDepth + 1 && expectValue && c !== ' ' && c !== '\t' && c !== '\r' && c !== ']') {
      lines.push(line);
      expectValue = false;
    }
    if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === '[' || c === '{') {
      if (!inArray && c === '[' && depth === arrayDepth && (key === null || lastKey === key)) {
        inArray = true;
        expectValue = true;
      }
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
      if (inArray && depth === arrayDepth) break;
    } else if (c === ',' && inArray && depth === arrayDepth + 1) expectValue = true;
  }
  return lines;
}
