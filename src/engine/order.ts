/**
 * The one order findings are shown in: file, line, rule id, record id (then group and message,
 * so that two findings never tie and the output does not depend on the order they arrived in).
 */
import type { Finding, RecordId } from '../types.js';

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    compareText(a.ruleId, b.ruleId) ||
    compareIds(a.recordId, b.recordId) ||
    compareIds(a.group, b.group) ||
    compareText(a.message, b.message)
  );
}

/** By UTF-16 code unit, not localeCompare: the order must not depend on the machine's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Absent first, then numbers by value, then strings. */
export function compareIds(a: RecordId | undefined, b: RecordId | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return compareText(a, b);
}
