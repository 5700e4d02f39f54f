/**
 * The stable identity of a finding across runs: its file (as reports show it), its record, its
 * rule and its message id; the line only for a finding that names no record (an unreadable row
 * has nothing else to tell it apart). Never a count: a baseline keyed by counts lets a fixed
 * finding hide a new one of the same rule (eslint/eslint#21226). The baseline and SARIF's
 * partialFingerprints are both built from it.
 */
import { createHash } from 'node:crypto';
import type { Finding, RecordId } from '../types.js';
import { compareIds, compareText } from '../engine/order.js';
import { displayPath } from './format.js';

export interface FindingKey {
  file: string;
  recordId?: RecordId;
  /** Only when there is no record id. */
  line?: number;
  ruleId: string;
  messageId: string;
}

export function findingKey(f: Finding, cwd?: string): FindingKey {
  return {
    file: displayPath(f.file, cwd),
    ...(f.recordId !== undefined ? { recordId: f.recordId } : { line: f.line }),
    ruleId: f.ruleId,
    messageId: f.messageId,
  };
}

/** One string per key; a numeric record id 7 and a string "7" stay apart. */
export function keyText(k: FindingKey): string {
  return JSON.stringify([k.file, k.recordId ?? null, k.line ?? null, k.ruleId, k.messageId]);
}

/** A short digest of the key, for SARIF's partialFingerprints. */
export function keyFingerprint(k: FindingKey): string {
  return createHash('sha256').update(keyText(k)).digest('hex').slice(0, 32);
}

/** File, record (numbers before strings), line, rule, message id: the baseline's order. */
export function compareKeys(a: FindingKey, b: FindingKey): number {
  return (
    compareText(a.file, b.file) ||
    compareIds(a.recordId, b.recordId) ||
    (a.line ?? 0) - (b.line ?? 0) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.messageId, b.messageId)
  );
}
