/** What an audit produces: the input to every reporter. */
import type { Finding, Severity } from '../types.js';
import type { RuleMeta } from './rule.js';
import type { EvidenceLevel } from '../reference/sequence.js';

export interface Accuracy {
  /** Multiple-choice groups with a pick (or a recorded metric) that could be scored. */
  groups: number;
  /** Share of groups whose recorded pick is gold (null when no group records a pick). */
  recorded: number | null;
  /** Share of groups whose reference-best candidate is gold. */
  recomputed: number | null;
  /** Groups whose answer changes when picked by the reference total. */
  changed: number;
}

export interface FileSummary {
  file: string;
  /** Adapter that read it (null when no format was recognised). */
  format: string | null;
  records: number;
  invalid: number;
  /** Rows read but holding nothing to audit; `skipReasons` tallies them by reason. */
  skipped: number;
  skipReasons: Record<string, number>;
  /** Audited records by the best evidence they carried: what could be recomputed, and how well. */
  coverage: Coverage;
  accuracy: Accuracy;
}

/** Audited records per evidence level (logits, server log-probs, top-k, per-token values only, score only). */
export type Coverage = Record<EvidenceLevel, number>;

export interface RunSummary {
  files: number;
  records: number;
  invalid: number;
  skipped: number;
  coverage: Coverage;
  findings: Record<Severity, number>;
  byRule: Record<string, number>;
  accuracy: Accuracy;
}

export interface RunResult {
  summary: RunSummary;
  files: FileSummary[];
  /** Sorted by file, line, rule id, record id: the same input gives the same order. */
  findings: Finding[];
  /** Metadata of every rule that was enabled, with its effective severity. */
  rules: (RuleMeta & { severity: Severity })[];
}
