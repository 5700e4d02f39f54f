/**
 * The CI gate: after the audit, the baseline takes out accepted findings, then the exit code is
 * decided by what is left at or above --fail-on, by --max-warnings (as ESLint's) and by the
 * accuracy thresholds. Reporters are given the outcome to show it.
 */
import type { RunResult } from '../engine/result.js';
import { SEVERITIES, reaches } from '../engine/severity.js';
import type { AccuracyCheck, BaselineOutcome, FailOn, GateOutcome } from './outcome.js';

export { applyBaseline, baselineText, readBaseline } from './baseline.js';
export { checkAccuracy, type AccuracyThresholds } from './thresholds.js';
export { FAIL_ON, type FailOn, type GateOutcome, type AccuracyCheck, type BaselineOutcome } from './outcome.js';

export interface GateInput {
  failOn: FailOn;
  maxWarnings?: number;
  accuracy: AccuracyCheck[];
  baseline?: BaselineOutcome;
}

/** `result` is the run as reported (after the baseline). */
export function decideGate(result: RunResult, input: GateInput): GateOutcome {
  const { failOn } = input;
  // From the counts, which equal the findings' (reading a large run's list means reading it from disk).
  const failing = failOn === 'none' ? 0 : SEVERITIES.filter((s) => reaches(s, failOn)).reduce((n, s) => n + result.summary.findings[s], 0);
  const warnings = result.summary.findings.warning;
  const maxWarnings = input.maxWarnings === undefined ? undefined : { limit: input.maxWarnings, warnings, passed: warnings <= input.maxWarnings };
  const passed = failing === 0 && (maxWarnings?.passed ?? true) && input.accuracy.every((c) => c.passed);
  return {
    failOn: input.failOn,
    failing,
    ...(maxWarnings ? { maxWarnings } : {}),
    accuracy: input.accuracy,
    ...(input.baseline ? { baseline: input.baseline } : {}),
    passed,
  };
}
