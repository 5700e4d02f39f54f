/**
 * A row: what the low-level readers yield and adapters read, with its file and 1-based line.
 * Its own module, so that the readers (rows.ts, csv.ts, json-document.ts) and the adapter
 * contract share it without importing each other.
 */
import { parseJsonTextEx, parseErrorMessage } from './json-text.js';

/** `entry`: the archive member a row came from (zip containers), for messages. */
export type Row =
  | { file: string; line: number; value: unknown; error?: undefined; nonFinite?: boolean; entry?: string }
  | { file: string; line: number; error: string; value?: undefined; entry?: string };

/** Longest row read (characters: a JSONL line, a CSV row, an element of a JSON array, a whole non-array JSON document). */
export const MAX_LINE_CHARS = 64 * 2 ** 20;

/** The message of a row refused for its length. */
export const TOO_LONG = `longer than ${MAX_LINE_CHARS / 2 ** 20} Mi characters: not read`;

/** One row from its JSON text. */
export function parseRow(file: string, line: number, text: string): Row {
  // Plain JSON first, straight into the row (no intermediate object per row); Python's dialect on failure.
  try {
    return { file, line, value: JSON.parse(text), nonFinite: false };
  } catch {
    // read again below
  }
  try {
    const parsed = parseJsonTextEx(text);
    return { file, line, value: parsed.value, nonFinite: parsed.nonFinite };
  } catch (err) {
    return { file, line, error: `not valid JSON: ${parseErrorMessage(err)}` };
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
