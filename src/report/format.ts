/** Display helpers shared by the reporters: paths, numbers, unprintable characters, plurals. */
import { isAbsolute, relative, sep } from 'node:path';
import type { Coverage, RunSummary } from '../engine/result.js';
import type { Severity } from '../types.js';

/**
 * The path to show for a file. Relative to `cwd` when the file lies under it; otherwise as given,
 * since a chain of `../..` is harder to read than the absolute path. Always with `/` separators so
 * reports read the same on every platform.
 */
export function displayPath(file: string, cwd?: string): string {
  if (cwd === undefined || !isAbsolute(file)) return toPosix(file);
  const rel = relative(cwd, file);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return toPosix(file);
  return toPosix(rel);
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

export const SIGNIFICANT_DIGITS = 6;
const MAX_DIGITS = 17; // enough to tell any two distinct float64 values apart

/**
 * The one number formatter of every message and report: up to `digits` significant digits,
 * exponents for very small or large magnitudes, integers exact, NaN and ±Infinity by name, -0 kept.
 */
export function formatNumber(n: number, digits = SIGNIFICANT_DIGITS): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  // A recorded -0 can be the trace of a sign bug, so do not print it as 0.
  if (Object.is(n, -0)) return '-0';
  const a = Math.abs(n);
  if (Number.isInteger(n) && a < 1e15) return String(n);
  if (a < 1e-4 || a >= 1e6) return trimMantissa(n.toExponential(digits - 1));
  // Number() drops the trailing zeros toPrecision pads with.
  return String(Number(n.toPrecision(digits)));
}

/** `1.20000e-5` → `1.2e-5`. */
function trimMantissa(s: string): string {
  const e = s.indexOf('e');
  let m = s.slice(0, e);
  if (m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
  return m + s.slice(e);
}

/** `—` when the finding has no such value, `null` when the recorded value itself was null. */
export function formatValue(value: number | null | undefined, digits = SIGNIFICANT_DIGITS): string {
  if (value === undefined) return '—';
  if (value === null) return 'null';
  return formatNumber(value, digits);
}

/**
 * Formats a recorded/expected pair. Two values that differ but round alike would show a
 * reviewer "-12.3457 vs -12.3457"; add digits until the difference shows.
 */
export function formatValuePair(
  recorded: number | null | undefined,
  expected: number | null | undefined,
): [string, string] {
  const digits = typeof recorded === 'number' && typeof expected === 'number' ? pairDigits(recorded, expected) : SIGNIFICANT_DIGITS;
  return [formatValue(recorded, digits), formatValue(expected, digits)];
}

/** The significant digits at which two numbers that differ read apart (SIGNIFICANT_DIGITS when they already do, at most MAX_DIGITS). */
export function pairDigits(a: number, b: number): number {
  let digits = SIGNIFICANT_DIGITS;
  if (Number.isFinite(a) && Number.isFinite(b) && a !== b) {
    while (digits < MAX_DIGITS && formatNumber(a, digits) === formatNumber(b, digits)) digits++;
  }
  return digits;
}

/**
 * Control characters, line and paragraph separators, and bidirectional overrides. Tokens are
 * arbitrary model output: printed raw, these break a line-based layout, drive the terminal
 * (ESC, CSI) or reorder what the reader sees.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Shows unprintable characters as escape text (`\n`, `\u001b`), so the output stays on one line. */
export function escapeUnprintable(text: string): string {
  return text.replace(
    UNPRINTABLE,
    (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `1 error`, `2 errors`; words without a plural (info) pass `plural` equal to `singular`. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** `2 errors, 1 warning, 0 info`: the severity counts every report's headline gives. */
export function severityCounts(c: Readonly<Record<Severity, number>>): string {
  return `${countOf(c.error, 'error')}, ${countOf(c.warning, 'warning')}, ${countOf(c.info, 'info', 'info')}`;
}

/** An accuracy share as a percentage with one decimal; `—` when there is none. */
export function formatPercent(share: number | null): string {
  return share === null ? '—' : `${(share * 100).toFixed(1)}%`;
}

/** Recomputed minus recorded accuracy in percentage points, signed; `—` when either is missing. */
export function formatDelta(recorded: number | null, recomputed: number | null): string {
  if (recorded === null || recomputed === null) return '—';
  const pp = (recomputed - recorded) * 100;
  const text = Math.abs(pp).toFixed(1);
  if (text === '0.0') return '0.0 pp';
  return `${pp > 0 ? '+' : '-'}${text} pp`;
}

/**
 * Characters with a meaning in (GitHub-flavoured) Markdown inline text or tables: backslash
 * first in the class so escapes already present cannot combine with ours. `$` is GitHub math,
 * `~` strikethrough, `&` entities, `<` `>` HTML and autolinks.
 */
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|$&~]/g;

/**
 * Makes arbitrary text (tokens, ids, paths, messages) safe in a table cell or inline text: every
 * Markdown special character backslash-escaped, `|` as `\|`, line breaks and other unprintable
 * characters as escape text (`\n`, `\r`, `\u001b`) so a cell stays on its row.
 */
export function escapeCell(text: string): string {
  return escapeUnprintable(text.replace(MARKDOWN_SPECIAL, '\\$&'));
}

/** What each evidence level let the audit do, for coverage lines (README "What it checks"). */
const LEVEL_CHECK: Record<keyof Coverage, string> = {
  logits: 'recomputed from logits',
  server: "recomputed from the server's own log-probs",
  topk: 'recomputed from top-k lists (bounded where the target is unlisted)',
  values: 'per-token values only: their sum and form checked, not their truth',
  score: 'score only: its range checked',
};

/**
 * One sentence: how many records were audited and from which evidence, how many skipped and
 * invalid. A clean report means only as much as this says.
 */
export function coverageSentence(s: Pick<RunSummary, 'records' | 'audited' | 'invalid' | 'skipped' | 'coverage' | 'headlines'>): string {
  const audited = s.audited;
  const levels = (Object.keys(LEVEL_CHECK) as (keyof Coverage)[]).filter((l) => s.coverage[l] > 0).map((l) => `${s.coverage[l]} ${LEVEL_CHECK[l]}`);
  const rest = [s.skipped > 0 ? `${s.skipped} skipped (nothing to audit)` : '', s.invalid > 0 ? `${s.invalid} unreadable` : ''].filter((x) => x !== '');
  const head = audited === 0 ? `No record audited of ${countOf(s.records, 'row')}` : `Audited ${audited} of ${countOf(s.records, 'row')}: ${levels.join('; ')}`;
  const headlines = s.headlines ? `; ${countOf(s.headlines, 'headline number')} checked against their samples` : '';
  return `${head}${rest.length > 0 ? `${audited === 0 ? ': ' : '; '}${rest.join(', ')}` : ''}${headlines}.`;
}
