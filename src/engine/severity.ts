/** Severities, their ranking and counting: the one place that knows which is worse. */
import type { Finding, Severity } from '../types.js';

/** Worst first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** 0 for the worst (error). */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Findings per severity, every severity present (zero when none). */
export function countBySeverity(findings: Iterable<Pick<Finding, 'severity'>>): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** The worst severity with a non-zero count, or null. */
export function worstSeverity(counts: Readonly<Record<Severity, number>>): Severity | null {
  for (const s of SEVERITIES) if (counts[s] > 0) return s;
  return null;
}

/** Whether a finding of `severity` reaches the threshold `atLeast` (error ≥ warning ≥ info). */
export function reaches(severity: Severity, atLeast: Severity): boolean {
  return severityRank(severity) <= severityRank(atLeast);
}
