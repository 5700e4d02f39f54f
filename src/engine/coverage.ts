/**
 * What an audit could check: audited records by the evidence they carried, and why a file gave
 * nothing to audit. A clean report means only as much as its coverage says.
 */
import type { EvidenceLevel } from '../reference/sequence.js';
import type { Coverage, FileSummary, RunResult } from './result.js';

/** Best evidence first: what each level lets the audit recompute is in the README's "What it checks". */
export const EVIDENCE_LEVELS: readonly EvidenceLevel[] = ['logits', 'server', 'topk', 'values', 'score'];

export function newCoverage(): Coverage {
  return { logits: 0, server: 0, topk: 0, values: 0, score: 0 };
}

export function addCoverage(into: Coverage, c: Coverage): void {
  for (const level of EVIDENCE_LEVELS) into[level] += c[level];
}

export function auditedOf(c: Coverage): number {
  let n = 0;
  for (const level of EVIDENCE_LEVELS) n += c[level];
  return n;
}

/** Why a file audited no record, in words (for the exit-2 message of an audit that checked nothing). */
export function whyNothingAudited(f: FileSummary): string {
  if (f.format === null) return 'no input format recognises it';
  const parts: string[] = [];
  if (f.invalid > 0) parts.push(`${f.invalid} unreadable row${f.invalid === 1 ? '' : 's'} (invalid-record)`);
  // A whole-file skip (a results file with no samples) counts no row; skipped rows count themselves.
  for (const [reason, n] of Object.entries(f.skipReasons)) parts.push(f.skipped === 0 ? `skipped: ${reason}` : `${n} row${n === 1 ? '' : 's'} skipped: ${reason}`);
  if (parts.length === 0) return 'it holds no records';
  return parts.join('; ');
}

/** The files that audited nothing, with why, when the whole run audited nothing; [] otherwise. */
export function nothingAudited(result: RunResult): { file: string; why: string }[] {
  // Headlines checked against their samples are an audit too (a run of generative tasks has no record).
  if (result.summary.audited > 0 || (result.summary.headlines ?? 0) > 0) return [];
  if (result.files.length === 0) return [{ file: '(no input)', why: 'no file was given or found' }];
  return result.files.map((f) => ({ file: f.file, why: whyNothingAudited(f) }));
}
