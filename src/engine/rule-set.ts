/**
 * A rule set: the rules an audit runs, in order. The engine never imports rules/; the
 * composition roots (src/cli.ts, src/index.ts) hand it the default set from rules/index.ts, and
 * a library user may hand it another (ESLint's linter is likewise given its rules by config).
 */
import type { SeveritySetting } from '../types.js';
import type { Rule, RuleMeta } from './rule.js';
import { compareText } from './order.js';

export class ConfigError extends Error {}

/** Raised by the engine from what ingest reports, so every rule set needs it: unreadable rows must never vanish. */
export const INVALID_RECORD = 'invalid-record';

/** Raised by the engine when a rule throws, so every rule set needs it: a record no rule could finish auditing must never pass as clean. */
export const RULE_FAILURE = 'rule-failure';

export interface RuleSet {
  /** Every rule, in the order given: within each scope, the order they are asked in. */
  readonly all: readonly Rule[];
  /** The rules with a record check, in order: the first whose hypothesis reproduces a record is its root cause. */
  readonly record: readonly Rule[];
  /** The rules with a group check, in order: the first that speaks is the group's finding. */
  readonly group: readonly Rule[];
  readonly run: readonly Rule[];
  /**
   * Record rules whose diagnoses may rest on a number's range alone, narrow to wide (their
   * order in the set): within a group, the widest explanation a sibling needs covers them all.
   */
  readonly range: readonly Rule[];
  /** Every rule's metadata, by id in code-unit order (the rule table). */
  readonly catalogue: readonly RuleMeta[];
  readonly byId: ReadonlyMap<string, Rule>;
}

export function createRuleSet(rules: readonly Rule[]): RuleSet {
  const byId = new Map<string, Rule>();
  for (const r of rules) {
    if (byId.has(r.meta.id)) throw new ConfigError(`rule ${r.meta.id} is in the rule set twice`);
    byId.set(r.meta.id, r);
  }
  if (!byId.has(INVALID_RECORD)) throw new ConfigError(`a rule set must include ${INVALID_RECORD}: rows that cannot be read are reported by it`);
  if (!byId.has(RULE_FAILURE)) throw new ConfigError(`a rule set must include ${RULE_FAILURE}: a rule that throws is reported by it`);
  const record = rules.filter((r) => r.checks.record !== undefined);
  return {
    all: rules,
    record,
    group: rules.filter((r) => r.checks.group !== undefined),
    run: rules.filter((r) => r.checks.run !== undefined),
    range: record.filter((r) => r.meta.range === true),
    catalogue: rules.map((r) => r.meta).sort((a, b) => compareText(a.id, b.id)),
    byId,
  };
}

/** Effective severity of each rule of the set, with overrides validated against it. */
export function resolveSeverities(rules: RuleSet, overrides: Readonly<Record<string, SeveritySetting>> = {}): Map<string, SeveritySetting> {
  const out = new Map<string, SeveritySetting>();
  for (const m of rules.catalogue) out.set(m.id, m.defaultSeverity);
  for (const [id, sev] of Object.entries(overrides)) {
    if (!out.has(id)) throw new ConfigError(`unknown rule ${id}; rules: ${rules.catalogue.map((m) => m.id).join(', ')}`);
    out.set(id, sev);
  }
  return out;
}
