/** The group scope: a multiple-choice item once its file is read. */
import type { Finding, RecordId, Severity } from '../types.js';
import { GroupContext, type Candidate } from './group-context.js';
import { harmonizeGroup, type HeldFinding } from './harmonize.js';
import type { Diagnosis, RuleMeta } from './rule.js';
import { ruleFailed, toFinding } from './findings.js';
import { failureRule, type EngineConfig } from './verdict.js';

export interface GroupOutcome {
  context: GroupContext;
  /** The candidates' record findings, harmonised within the group and filtered by severity. */
  recordFindings: Finding[];
  /** The first group rule that speaks, if any. */
  group: { meta: RuleMeta; severity: Severity; diagnosis: Diagnosis } | null;
}

/**
 * Its record findings settled against each other (a range-only diagnosis may be renamed by a
 * sibling), then the group rules asked in order. audit and explain both finish groups here (in
 * the one file pass), so they never disagree.
 */
export function finishGroup(file: string, key: RecordId, candidates: Candidate[], held: readonly HeldFinding[], config: EngineConfig): GroupOutcome {
  harmonizeGroup(held, config.rules);
  const recordFindings: Finding[] = [];
  for (const h of held) {
    // Harmonisation may have renamed a finding to a rule with another (or no) severity.
    const sev = config.severities.get(h.finding.ruleId);
    if (sev === undefined || sev === 'off') continue;
    h.finding.severity = sev;
    recordFindings.push(h.finding);
  }
  const context = new GroupContext(file, key, candidates);
  for (const rule of config.rules.group) {
    const severity = config.severities.get(rule.meta.id);
    if (severity === undefined || severity === 'off') continue;
    let diagnosis;
    try {
      diagnosis = rule.checks.group!(context);
    } catch (err) {
      // The group is not fully audited: that is its finding (unless rule-failure is off), never clean.
      diagnosis = ruleFailed('group', rule.meta.id, file, candidates[0].line, err);
      const failure = failureRule(config);
      if (failure) return { context, recordFindings, group: { ...failure, diagnosis } };
      continue;
    }
    if (diagnosis) return { context, recordFindings, group: { meta: rule.meta, severity, diagnosis } };
  }
  return { context, recordFindings, group: null };
}

/** The group rule's finding, about the candidate it names (default: the pick). */
export function groupFinding(outcome: GroupOutcome): Finding | null {
  if (!outcome.group) return null;
  const { meta, severity, diagnosis: d } = outcome.group;
  const g = outcome.context;
  return toFinding(meta, severity, g.file, d.line ?? g.candidates[0].line, d, d.recordId ?? g.selected?.id, g.group);
}
