/**
 * The library API: everything the CLI does is reachable from here.
 */
export { audit, diagnoseRecord, resolveSeverities, ConfigError, type AuditOptions, type RecordVerdict } from './engine/index.js';
export type { RunResult, RunSummary, FileSummary, Accuracy } from './engine/result.js';
export type { RuleMeta, Diagnosis, RecordRule, GroupRule, RunRule } from './engine/rule.js';
export { RecordContext } from './engine/record-context.js';
export { buildReference, type StepReference } from './reference/sequence.js';
export * as math from './reference/math.js';
export { readFileItems, listInputFiles, adapters, InputError } from './ingest/index.js';
export { reporters, findReporter } from './report/index.js';
export { ruleCatalogue, recordRules, groupRules, runRules } from '../rules/index.js';
export { explain } from './explain.js';
export type * from './types.js';
