/**
 * JSON and CSV text the way Python writes it, for generators whose files must look like a
 * Python pipeline's: `json.dumps` (", " and ": " separators, NaN / Infinity / -Infinity bare,
 * floats as repr() prints them, ASCII-only unless told otherwise) and `str(float)` for CSV cells.
 *
 * JavaScript has one number type where Python has int and float, so every number is written as
 * a float ("-2.0", "1e-05") except integers under the keys named in `intKeys` (and in arrays
 * under them), which are written as Python ints. Key order is insertion order, as in a Python
 * dict, with one JavaScript caveat: a plain object lists integer-like keys ("12", "5") first and
 * ascending, so pass a Map where such keys must keep their order.
 */

export interface DumpsOptions {
  /** json.dumps `separators` (default `[', ', ': ']`). */
  separators?: readonly [item: string, key: string];
  /** json.dumps `ensure_ascii` (default true: every character outside space..~ as \uXXXX). */
  ensureAscii?: boolean;
  /** Keys whose integer values are Python ints (token ids, indices). */
  intKeys?: ReadonlySet<string>;
}

const NO_KEYS: ReadonlySet<string> = new Set();

/**
 * Python's repr(float) (= str(float)): the shortest digits that round-trip, as JavaScript
 * finds them, in fixed notation from 1e-4 up to 1e16 with at least one decimal ("3.0"),
 * otherwise in exponent notation with a signed, two-digit exponent ("1e-05", "1.5e+16").
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const sign = x < 0 ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** A Python int's digits for an integer under an int key (exact past 2^53: no "1e+21"), else null. */
function pyInt(x: number, key: string, intKeys: ReadonlySet<string> = NO_KEYS): string | null {
  return intKeys.has(key) && Number.isInteger(x) ? BigInt(x).toString() : null;
}

/** A number as json.dumps writes it: a Python int under an int key, else a float, non-finite bare. */
function pyNumber(x: number, key: string, intKeys: ReadonlySet<string>): string {
  const int = pyInt(x, key, intKeys);
  if (int !== null) return int;
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return pyFloat(x);
}

/**
 * A JSON string literal. Python and JavaScript escape the same characters below U+0020 the same
 * way (\n, \u001b, …); ensure_ascii also escapes U+007F and up, code unit by code unit (astral
 * characters as surrogate pairs, as Python does).
 */
export function pyString(s: string, ensureAscii = true): string {
  const json = JSON.stringify(s);
  return ensureAscii ? json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

/**
 * json.dumps(value): see the module comment for numbers and key order. `key` is the key the
 * value stands under, when that decides whether its numbers are ints (a CSV column).
 */
export function pyDumps(value: unknown, options: DumpsOptions = {}, key = ''): string {
  const [item, colon] = options.separators ?? [', ', ': '];
  const ascii = options.ensureAscii ?? true;
  const intKeys = options.intKeys ?? NO_KEYS;
  const entries = (pairs: Iterable<[string, unknown]>): string => {
    const out: string[] = [];
    for (const [k, v] of pairs) if (v !== undefined) out.push(`${pyString(k, ascii)}${colon}${write(v, k)}`);
    return `{${out.join(item)}}`;
  };
  const write = (v: unknown, key: string): string => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        return pyNumber(v, key, intKeys);
      case 'string':
        return pyString(v, ascii);
      case 'object':
        if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
          return `[${Array.from(v as ArrayLike<unknown>, (x) => write(x, key)).join(item)}]`;
        }
        if (v instanceof Map) return entries([...v].map(([k, x]) => [String(k), x]));
        return entries(Object.entries(v));
      default:
        throw new TypeError(`pyDumps: a ${typeof v} is not JSON serializable`);
    }
  };
  return write(value, key);
}

/**
 * One CSV cell as a Python script's csv.writer writes it: Python's str() of a number, JSON
 * (pyDumps) for an array or object, booleans lower-case as JSON spells them, '' for a missing
 * value; quoted when it holds a comma, a quote or a line break (QUOTE_MINIMAL).
 */
export function csvCell(value: unknown, key: string, options: DumpsOptions = {}): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (typeof value === 'number') text = pyInt(value, key, options.intKeys) ?? pyFloat(value);
  else if (typeof value === 'object') text = pyDumps(value, options, key);
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
