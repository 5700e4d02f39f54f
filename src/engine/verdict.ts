/** The record scope: each record's one root cause, the first rule whose hypothesis reproduces its numbers. */
import type { AuditRecord, Finding, RecordId, Severity, SeveritySetting } from '../types.js';
import type { PrecisionSetting } from '../reference/precision.js';
import { RecordContext } from './record-context.js';
import type { Diagnosis, Rule, RuleMeta } from './rule.js';
import { RULE_FAILURE, type RuleSet } from './rule-set.js';
import { ruleFailed, toFinding } from './findings.js';

/** What the engine runs with: the rules and their effective severities. */
export interface EngineConfig {
  rules: RuleSet;
  severities: ReadonlyMap<string, SeveritySetting>;
  /** The precision the pipeline ran in (`--precision`); `auto` (the default) infers it from the evidence. */
  precision?: PrecisionSetting;
  /** The severities the user set explicitly: a declared condition is reported at info unless its rule's is set. */
  overrides?: Readonly<Record<string, SeveritySetting>>;
}

export interface RecordVerdict {
  ctx: RecordContext;
  rule: RuleMeta | null;
  diagnosis: Diagnosis | null;
}

/**
 * Rules are asked at float32 tolerances first; when the numbers do not fit float32 and the
 * precision setting allows half precision, once more at that tier (record-context.ts), so that a
 * bug reproduced to float32 rounding is named before a looser reading is tried.
 */
export function diagnoseRecord(record: AuditRecord, file: string, line: number, config: EngineConfig): RecordVerdict {
  const ctx = new RecordContext(record, file, line, config.precision);
  const rules = activeRecordRules(config);
  do {
    for (const rule of rules) {
      let d;
      try {
        d = rule.checks.record!(ctx);
      } catch (err) {
        // The record is not fully audited: that is its verdict (unless rule-failure is off), never clean.
        const failure = failureRule(config);
        if (failure) return { ctx, rule: failure.meta, diagnosis: ruleFailed('record', rule.meta.id, file, line, err) };
        ruleFailed('record', rule.meta.id, file, line, err);
        continue;
      }
      if (d) return { ctx, rule: rule.meta, diagnosis: d };
    }
  } while (ctx.nextTier());
  return { ctx, rule: null, diagnosis: null };
}

/** The rule-failure rule and its severity, or null when it is off (a rule that throws is then said on stderr only). */
export function failureRule(config: EngineConfig): { meta: RuleMeta; severity: Severity } | null {
  const severity = config.severities.get(RULE_FAILURE);
  const rule = config.rules.byId.get(RULE_FAILURE);
  return rule && severity !== undefined && severity !== 'off' ? { meta: rule.meta, severity } : null;
}

const ACTIVE = new WeakMap<EngineConfig, readonly Rule[]>();

/** The record rules not turned off, in order: looked up once per config, not per rule and record. */
function activeRecordRules(config: EngineConfig): readonly Rule[] {
  let rules = ACTIVE.get(config);
  if (!rules) ACTIVE.set(config, (rules = config.rules.record.filter((r) => config.severities.get(r.meta.id) !== 'off')));
  return rules;
}

/** A rule's effective severity for a diagnosis: what the user declared is information, unless they set the rule's severity. */
export function severityOf(config: EngineConfig, id: string, d: Diagnosis): SeveritySetting | undefined {
  const severity = config.severities.get(id);
  if (d.declared && severity !== 'off' && config.overrides?.[id] === undefined) return 'info';
  return severity;
}

/** A record verdict as the finding audit reports, or null when there is none or its rule is off. */
export function recordFinding(v: RecordVerdict, file: string, line: number, config: EngineConfig): Finding | null {
  if (!v.rule || !v.diagnosis) return null;
  const severity = severityOf(config, v.rule.id, v.diagnosis);
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
