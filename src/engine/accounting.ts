/**
 * Accounting as an invariant: every row read is audited, invalid or skipped, the engine's counts
 * are what the readers handed on, and no row read became nothing. A violation is a bug in
 * evalaudit, never in the input, so the run stops rather than report wrong numbers.
 */
import type { Accounting } from '../ingest/index.js';
import type { FileSummary } from './result.js';

/** A broken count is a bug in evalaudit, never in the input: the run stops rather than report it. */
export class AccountingError extends Error {}

/**
 * Every row is accounted for: the file's records are audited + invalid + skipped, they are what
 * the readers handed on, and no row read became nothing.
 */
export function checkAccounting(summary: FileSummary, accounting: Accounting): void {
  const { items, lost } = accounting;
  const problems: string[] = [];
  if (summary.records !== summary.audited + summary.invalid + summary.skipped) {
    problems.push(`${summary.records} records ≠ ${summary.audited} audited + ${summary.invalid} invalid + ${summary.skipped} skipped`);
  }
  if (summary.audited !== items.record || summary.invalid !== items.invalid || summary.skipped !== items.skipped) {
    problems.push(`the readers handed on ${items.record} records, ${items.invalid} invalid and ${items.skipped} skipped rows`);
  }
  if (lost.length > 0) problems.push(`${lost.length} rows became nothing (first at line ${lost[0]})`);
  if (problems.length > 0) throw new AccountingError(`accounting violation in ${summary.file}: ${problems.join('; ')}`);
}
