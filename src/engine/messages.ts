/**
 * Rendering a rule's message: its template (meta.messages[messageId]) filled from the
 * diagnosis's data with the one number formatter every report uses.
 */
import { formatNumber } from '../report/format.js';

/** `{{name}}` or `{{name|json}}`. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*(\|\s*json\s*)?\}\}/g;

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
  return template.replace(PLACEHOLDER, (whole, name: string, json: string | undefined) => {
    if (!Object.hasOwn(data, name)) return whole;
    const v = data[name];
    // An unknown token or id shows as '?' (JSON has no undefined).
    if (json) return v === undefined ? '?' : (JSON.stringify(v) ?? String(v));
    return formatDatum(v);
  });
}

/** The placeholder names a template uses. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}
