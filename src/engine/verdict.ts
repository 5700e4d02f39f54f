/** The record scope: each record's one root cause, the first rule whose hypothesis reproduces its numbers. */
import type { AuditRecord, Finding, RecordId, SeveritySetting } from '../types.js';
import { RecordContext } from './record-context.js';
import type { Diagnosis, RuleMeta } from './rule.js';
import type { RuleSet } from './rule-set.js';
import { guarded, toFinding } from './findings.js';

/** What the engine runs with: the rules and their effective severities. */
export interface EngineConfig {
  rules: RuleSet;
  severities: ReadonlyMap<string, SeveritySetting>;
}

export interface RecordVerdict {
  ctx: RecordContext;
  rule: RuleMeta | null;
  diagnosis: Diagnosis | null;
}

export function diagnoseRecord(record: AuditRecord, file: string, line: number, config: EngineConfig): RecordVerdict {
  const ctx = new RecordContext(record, file, line);
  for (const rule of config.rules.record) {
    if (config.severities.get(rule.meta.id) === 'off') continue;
    const d = guarded(rule.meta.id, file, line, () => rule.checks.record!(ctx));
    if (d) return { ctx, rule: rule.meta, diagnosis: d };
  }
  return { ctx, rule: null, diagnosis: null };
}

/** A record verdict as the finding audit reports, or null when there is none or its rule is off. */
export function recordFinding(v: RecordVerdict, file: string, line: number, config: EngineConfig): Finding | null {
  if (!v.rule || !v.diagnosis) return null;
  const severity = config.severities.get(v.rule.id);
  if (severity === undefined || severity === 'off') return null;
  return toFinding(v.rule, severity, file, line, v.diagnosis, v.ctx.id, v.ctx.record.group);
}

/** A finding of the set's rule `id` with a diagnosis the engine itself made, or null when that rule is off. */
export function engineFinding(config: EngineConfig, id: string, file: string, line: number, d: Diagnosis, recordId?: RecordId): Finding | null {
  const rule = config.rules.byId.get(id);
  const severity = config.severities.get(id);
  if (!rule || severity === undefined || severity === 'off') return null;
  return toFinding(rule.meta, severity, file, line, d, recordId);
}
