/**
 * Low-level readers: a file becomes a stream of rows, each with its file and 1-based line.
 * They only split and parse; they never judge what a row means (that is the adapters' job).
 * Every reader streams (JSONL, CSV and JSON documents alike), so memory does not grow with file
 * size: it is bounded by the largest row, at most MAX_LINE_CHARS characters.
 *
 * Line numbers count line breaks as Python's universal newlines do (LF, CRLF and a lone CR,
 * the old Mac ending, are one break each), so they match what an editor shows for any of them.
 */
import type { Container } from './adapter.js';
import { readCsvRowsFrom } from './csv.js';
import { readJsonDocumentFrom } from './json-document.js';
import { openText, type TextSource } from './text.js';
import { readLineBatches } from './lines.js';
import { MAX_LINE_CHARS, TOO_LONG, parseRow, type Row } from './row.js';

export { MAX_LINE_CHARS, TOO_LONG, parseRow, isObject, type Row } from './row.js';

/** A path or an opened source: readers accept either. */
export type TextInput = string | TextSource;

async function sourceOf(input: TextInput): Promise<TextSource> {
  return typeof input === 'string' ? openText(input) : input;
}

/**
 * How a file of JSON text is laid out, judged from its content where the name misleads:
 * lm-evaluation-harness ≤ 0.4.2 wrote its samples as one pretty-printed JSON array in a file
 * named .jsonl. A JSONL file never opens with a line holding only `[` or `{` (no JSON value
 * is that line alone), so such a file is read as a document; any other first line, an array
 * of any length included, is a JSONL row. A name without a known extension (a pipe such as
 * `<(cat run.jsonl)`) is read the same way, or as CSV when its text does not open with `[` or `{`.
 */
export async function sniffContainer(source: TextSource, byName: Container | null): Promise<Container> {
  if (byName === 'csv' || byName === 'json') return byName;
  let head = '';
  for (let want = 4096; ; want *= 4) {
    head = await source.peek(want);
    const shape = firstLineShape(head, head.length < want);
    if (shape === 'lone-bracket') return 'json';
    if (shape === 'other') return byName ?? (/^\s*[[{]/.test(head) || head.trim() === '' ? 'jsonl' : 'csv');
    if (want > MAX_LINE_CHARS) return byName ?? 'jsonl';
  }
}

function firstLineShape(head: string, complete: boolean): 'lone-bracket' | 'other' | 'undecided' {
  let i = 0;
  while (i < head.length && /\s/.test(head[i])) i++;
  if (i === head.length) return complete ? 'other' : 'undecided';
  if (head[i] !== '[' && head[i] !== '{') return 'other';
  for (let j = i + 1; j < head.length; j++) {
    const c = head[j];
    if (c === '\n' || c === '\r') return 'lone-bracket';
    if (c !== ' ' && c !== '\t') return 'other';
  }
  return complete ? 'lone-bracket' : 'undecided';
}

/** One JSON value per line; blank lines are skipped. Yields a batch of rows per chunk read. */
export async function* readJsonLineBatches(input: TextInput): AsyncGenerator<Row[]> {
  const source = await sourceOf(input);
  const file = source.file;
  let line = 0;
  for await (const lines of readLineBatches(source)) {
    const rows: Row[] = [];
    for (let k = 0; k < lines.length; k++) {
      const text = lines[k];
      lines[k] = ''; // the text is parsed once: let a large line go while its value is audited
      line++;
      if (text === null) {
        rows.push({ file, line, error: `line ${TOO_LONG}` });
        continue;
      }
      if (text.length === 0 || isBlank(text)) continue;
      rows.push(parseRow(file, line, text));
    }
    if (rows.length > 0) yield rows;
  }
}

/** One row at a time (for callers that want rows, not batches). */
export async function* readJsonLines(input: TextInput): AsyncGenerator<Row> {
  for await (const rows of readJsonLineBatches(input)) yield* rows;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

/**
 * CSV with a header row (see csv.ts). Each row becomes an object keyed by column name, cells as
 * strings (typing them is the adapter's business); `line` is where the row starts.
 */
export async function* readCsvRows(input: TextInput): AsyncGenerator<Row> {
  for await (const rows of readCsvRowBatches(input)) yield* rows;
}

/** As readCsvRows, a batch of rows per chunk read (memory holds one chunk's rows, not a row count). */
export async function* readCsvRowBatches(input: TextInput): AsyncGenerator<Row[]> {
  yield* readCsvRowsFrom(await sourceOf(input));
}

/**
 * A JSON document, streamed (see json-document.ts): an array (or an object whose `records` is an
 * array) yields one row per element, each at the line where the element starts; any other value
 * is one row.
 */
export async function* readJsonDocument(input: TextInput): AsyncGenerator<Row> {
  for await (const rows of readJsonDocumentBatches(input)) yield* rows;
}

/** As readJsonDocument, a batch of rows per chunk read. */
export async function* readJsonDocumentBatches(input: TextInput): AsyncGenerator<Row[]> {
  yield* readJsonDocumentFrom(await sourceOf(input));
}

