/**
 * The one order findings are shown in: file, line, rule id, record id (then group and message,
 * so that two findings never tie and the output does not depend on the order they arrived in).
 */
import type { Finding, RecordId } from '../types.js';

/** Marks a list known to be in report order already (a spooled run's: finding-spool.ts); no other iterable is trusted to be. */
export const IN_REPORT_ORDER: unique symbol = Symbol('evalaudit.inReportOrder');

/** The findings in report order, as an array. */
export function sortFindings(findings: Iterable<Finding>): Finding[] {
  return [...findings].sort(compareFindings);
}

/**
 * The findings in report order without copying them when they are a spooled run's list (read
 * back from disk as it is iterated, in that order already: finding-spool.ts); anything else (an
 * array, a Set), which a caller may have built in any order, is sorted into a copy.
 */
export function inReportOrder(findings: Iterable<Finding>): Iterable<Finding> {
  return IN_REPORT_ORDER in findings ? findings : sortFindings(findings);
}

/** Two lists in report order merged into one (on a tie, `a`'s first), each finding with whether it came from `b`. */
export function* mergeOrdered(a: Iterable<Finding>, b: Iterable<Finding>): Generator<{ finding: Finding; fromB: boolean }> {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  let x = ia.next();
  let y = ib.next();
  while (!x.done || !y.done) {
    if (y.done || (!x.done && compareFindings(x.value, y.value) <= 0)) {
      yield { finding: x.value as Finding, fromB: false };
      x = ia.next();
    } else {
      yield { finding: y.value, fromB: true };
      y = ib.next();
    }
  }
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

/** Counts with their keys in compareText order (byRule, skipReasons): the same counts print the same. */
export function sortedByKey(counts: Record<string, number>): Record<string, number> {
  const sorted: Record<string, number> = {};
  for (const key of Object.keys(counts).sort(compareText)) sorted[key] = counts[key];
  return sorted;
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
