/**
 * Rendering a rule's message: its template (meta.messages[messageId]) filled from the
 * diagnosis's data with the one number formatter every report uses.
 */
import { formatNumber, pairDigits } from '../report/format.js';

/** `{{name}}`, `{{name|json}}` or `{{name|apart}}`; group 2 is the filter. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\|\s*(json|apart)\s*)?\}\}/g;

/** A placeholder's value as text: numbers for reading, strings as they are, anything else as JSON. */
export function formatDatum(v: unknown): string {
  if (v === null || v === undefined) return 'n/a';
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  // JSON would print NaN and ±Infinity as null; say what they are.
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
}

/**
 * Fills a template. A placeholder with no datum stays as written (`{{name}}`), so a rule bug
 * shows in the output and in the rule tester, which rejects it, instead of ending the run.
 */
export function renderMessage(template: string, data: Readonly<Record<string, unknown>> = {}): string {
  const full = lookAlike(template, data);
  return template.replace(PLACEHOLDER, (whole, name: string, filter: string | undefined) => {
    if (!Object.hasOwn(data, name)) return whole;
    const v = data[name];
    // An unknown token or id shows as '?' (JSON has no undefined).
    if (filter === 'json') return v === undefined ? '?' : (JSON.stringify(v) ?? String(v));
    const digits = full?.get(name);
    return digits === undefined ? formatDatum(v) : formatNumber(v as number, digits);
  });
}

/**
 * The `|apart` placeholders (numbers a message says differ) whose numbers differ but read alike
 * at the formatter's digits, with the digits that tell them apart (pairDigits): "the score
 * -27.62501 is not the logprob of the recorded per-token values (-27.625)", not "-27.625 …
 * (-27.625)". Null when there are none (nearly always).
 */
function lookAlike(template: string, data: Readonly<Record<string, unknown>>): Map<string, number> | null {
  if (!template.includes('apart')) return null;
  let seen: Map<string, { name: string; value: number }> | null = null;
  let full: Map<string, number> | null = null;
  for (const m of template.matchAll(PLACEHOLDER)) {
    const v = data[m[1]];
    if (m[2] !== 'apart' || typeof v !== 'number' || !Number.isFinite(v)) continue;
    const text = formatNumber(v);
    const other = (seen ??= new Map()).get(text);
    if (!other) seen.set(text, { name: m[1], value: v });
    else if (other.value !== v) {
      const digits = pairDigits(other.value, v);
      full ??= new Map();
      for (const name of [m[1], other.name]) full.set(name, Math.max(full.get(name) ?? 0, digits));
    }
  }
  return full;
}

/** The placeholder names a template uses. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}
