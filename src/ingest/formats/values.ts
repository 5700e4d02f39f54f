/**
 * Small readers shared by the native-format adapters: numbers as Python tools write them, text
 * lengths as Python counts them, and the one-line `invalid` item.
 */
import type { RawItem, RecordId } from '../../types.js';

export { isObject } from '../rows.js';

/**
 * A number as an eval tool may have written it: a JSON number, or a string made by Python's
 * `str(float)` (lm-eval's samples files: "-5.77", "nan", "-inf"). Null when it is neither.
 */
export function readNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  switch (t) {
    case 'nan': case 'NaN': case '-nan': return NaN;
    case 'inf': case '+inf': case 'Infinity': return Infinity;
    case '-inf': case '-Infinity': return -Infinity;
  }
  if (t === '') return null;
  const n = Number(t);
  return Number.isNaN(n) ? null : n;
}

/**
 * Length in Unicode code points: what Python's len() returns, and the unit of OpenAI's
 * `text_offset` and lm-eval's acc_norm length (JavaScript's .length counts UTF-16 units).
 */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}

/** The text after the first `count` code points. */
export function sliceCodePoints(s: string, count: number): string {
  let units = 0;
  for (let k = 0; k < count && units < s.length; k++) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length ? 2 : 1;
  }
  return s.slice(units);
}

export function isIntegerAtLeast(v: unknown, min: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

export function invalid(file: string, line: number, message: string, recordId?: RecordId): RawItem {
  return recordId === undefined ? { kind: 'invalid', file, line, message } : { kind: 'invalid', file, line, recordId, message };
}

/** `invalid` for one format: its messages open with the format's name, so a file that looks like it says which format it broke. */
export function invalidFor(format: string): (file: string, line: number, message: string, recordId?: RecordId) => RawItem {
  return (file, line, message, recordId) => invalid(file, line, `${format}: ${message}`, recordId);
}

/** Short JSON of a value for a message. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** A row with nothing to audit; `reason` is a fixed phrase per kind of row (reports tally by it). */
export function skipped(file: string, line: number, reason: string, recordId?: RecordId): RawItem {
  return recordId === undefined ? { kind: 'skipped', file, line, reason } : { kind: 'skipped', file, line, recordId, reason };
}

/** The file's name without its folders. */
export function baseName(file: string): string {
  return file.replace(/\\/g, '/').split('/').pop() ?? file;
}

/** A per-sample metric as a number: booleans count 1 / 0, anything else is not a metric. */
export function metricValue(v: unknown): number | null {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' ? v : null;
}
