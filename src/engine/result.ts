/** What an audit produces: the input to every reporter. */
import type { Severity } from '../types.js';
import type { RuleMeta } from './rule.js';
import type { FindingList } from './finding-spool.js';
import type { EvidenceLevel } from '../reference/sequence.js';
import type { AuditedList } from './audited-list.js';

export type { AuditedItem } from './audited-list.js';

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
  /** Every record read: audited + invalid + skipped. */
  records: number;
  /** Records that went through the rules. */
  audited: number;
  invalid: number;
  /** Rows read but holding nothing to audit; `skipReasons` tallies them by reason. */
  skipped: number;
  skipReasons: Record<string, number>;
  /** Audited records by the best evidence they carried: what could be recomputed, and how well. */
  coverage: Coverage;
  accuracy: Accuracy;
  /** Accuracy per task (lm-eval and other harnesses name each record's task); absent when no group names one. */
  tasks?: Record<string, Accuracy>;
  /**
   * What was audited, one entry per ungrouped record and per group, in line order: only when
   * AuditOptions.listAudited asks (JUnit's testcases). Compact (audited-list.ts): read it with auditedEntries.
   */
  auditedItems?: AuditedList;
}

/** Audited records per evidence level (logits, server log-probs, top-k, per-token values only, score only). */
export type Coverage = Record<EvidenceLevel, number>;

export interface RunSummary {
  files: number;
  /** audited + invalid + skipped, as in each file. */
  records: number;
  audited: number;
  invalid: number;
  skipped: number;
  skipReasons: Record<string, number>;
  coverage: Coverage;
  findings: Record<Severity, number>;
  /** Findings per rule, its keys in rule-id order. */
  byRule: Record<string, number>;
  accuracy: Accuracy;
  /** Accuracy per task over all files; absent when no group names one. */
  tasks?: Record<string, Accuracy>;
  /**
   * Headline numbers of results files that have per-sample values of their own run to be checked
   * against (lm-eval's results beside its samples); absent when none. A run of generative tasks
   * audits no record but checks these: it is not an empty audit.
   */
  headlines?: number;
}

export interface RunResult {
  summary: RunSummary;
  files: FileSummary[];
  /**
   * Sorted by file, line, rule id, record id: the same input gives the same order. Iterate it
   * (as often as needed); a large run's list reads its findings back from a temporary file as it
   * goes (finding-spool.ts), so copy it into an array only when you need one.
   */
  findings: FindingList;
  /** Metadata of every rule that was enabled, with its effective severity. */
  rules: (RuleMeta & { severity: Severity })[];
}
