/**
 * The library API: everything the CLI does is reachable from here. `audit` and `explain` take
 * the rules to run (`rules: defaultRuleSet`, or a set of your own made with `createRuleSet`:
 * it must include `invalid-record` and `rule-failure`, e.g. `createRuleSet([invalidRecord, ruleFailure, myRule])`).
 */
export { audit, engineConfig, diagnoseRecord, resolveSeverities, createRuleSet, ConfigError, type AuditOptions, type RecordVerdict, type RuleSet, type EngineConfig } from './engine/index.js';
export type { RunResult, RunSummary, FileSummary, Accuracy } from './engine/result.js';
export type { FindingList } from './engine/finding-spool.js';
export { SpoolReadError } from './engine/spool-runs.js';
export { createRule, type Rule, type RuleMeta, type Diagnosis, type RunDiagnosis, type Checks, type Scope } from './engine/rule.js';
export { RecordContext } from './engine/record-context.js';
export { GroupContext, type Candidate } from './engine/group-context.js';
export { buildReference, type StepReference } from './reference/sequence.js';
export * as math from './reference/math.js';
export * as precision from './reference/precision.js';
export { SCORE_KINDS } from './reference/score-kinds.js';
export { readFileItems, listInputFiles, adapters, InputError } from './ingest/index.js';
export { reporters, findReporter } from './report/index.js';
export { defaultRuleSet, rules } from '../rules/index.js';
export { default as invalidRecord } from '../rules/invalid-record.js';
export { default as ruleFailure } from '../rules/rule-failure.js';
export { explain, ExplainError, type ExplainOptions } from './explain/index.js';
export { defaultWorkerModule } from './parallel/worker-module.js';
export { serveAuditWorker } from './parallel/worker-host.js';
export type * from './types.js';
