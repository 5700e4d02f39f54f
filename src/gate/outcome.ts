/**
 * What the CI gate decided, beyond the findings themselves: the baseline's suppressions and
 * stale entries, the accuracy thresholds, --max-warnings. Reporters show it when given one.
 */
import type { Severity } from '../types.js';
import type { FindingList } from '../engine/finding-spool.js';
import type { FindingKey } from '../report/finding-key.js';

export type FailOn = Severity | 'none';
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'info', 'none'];

export interface BaselineOutcome {
  /** The baseline file, as reports show paths. */
  file: string;
  /** Findings the baseline accepted: left out of the report's findings and counts. */
  suppressed: FindingList;
  /** Entries no finding matched any more: fixed, or moved (their record or message changed). */
  stale: FindingKey[];
  /** --update-baseline wrote it in this run (then nothing is stale). */
  updated: boolean;
}

/** One accuracy threshold: |recomputed − recorded| in percentage points must not exceed `limit`. */
export interface AccuracyCheck {
  scope: 'run' | 'file' | 'task';
  /** `all files`, a file's display path, or a task name. */
  name: string;
  /** The flag or config key the limit came from (a file glob for file thresholds). */
  source: string;
  limit: number;
  groups: number;
  recorded: number | null;
  recomputed: number | null;
  /** Recomputed minus recorded, in percentage points; null when it cannot be measured. */
  change: number | null;
  passed: boolean;
  /** Why a check failed without a measurement. */
  note?: string;
}

export interface GateOutcome {
  failOn: FailOn;
  /** Reported findings (after the baseline) at or above fail-on. */
  failing: number;
  maxWarnings?: { limit: number; warnings: number; passed: boolean };
  accuracy: AccuracyCheck[];
  baseline?: BaselineOutcome;
  /** No failing finding, no threshold exceeded. */
  passed: boolean;
}
