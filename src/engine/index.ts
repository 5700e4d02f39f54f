/**
 * The engine: reads every file (the one file pass asks the record rules about each record, first
 * root cause wins, and the group rules about each multiple-choice group once its file is read),
 * then asks the run rules at the end. It is handed its rules (a RuleSet) and their severities;
 * it never imports rules/.
 */
import pLimit from 'p-limit';
import type { SeveritySetting } from '../types.js';
import { listInputFiles, readFileItems, type ReadOptions } from '../ingest/index.js';
import type { AuditedItem, RunResult } from './result.js';
import type { FilePass, PassObserver } from './file-pass.js';
import type { RuleSet } from './rule-set.js';
import { resolveSeverities } from './rule-set.js';
import { passFile } from './file-pass.js';
import { checkAccounting } from './accounting.js';
import type { EngineConfig } from './verdict.js';
import { finishRun } from './finish-run.js';
import type { PrecisionSetting } from '../reference/precision.js';

export interface AuditOptions {
  /** The rules to run, in order (the CLI passes the default set from rules/index.ts). */
  rules: RuleSet;
  /** Per-rule severity overrides (`--rule id=sev`). */
  severities?: Record<string, SeveritySetting>;
  /** Files read at once. */
  concurrency?: number;
  read?: ReadOptions;
  /**
   * Called every 256 records with the running record count and the file being read, and once
   * more as each file is done, with how many files are done of how many.
   */
  onProgress?: (records: number, file: string, files: { done: number; total: number }) => void;
  /** List each file's audited records and groups in its summary (`auditedItems`), as JUnit's testcases need. */
  listAudited?: boolean;
  /** The precision the pipeline ran in (`--precision`); `auto` (the default) infers it from the evidence. */
  precision?: PrecisionSetting;
}

/** The rules, effective severities and precision an audit or explain runs with. Throws ConfigError for an unknown rule id. */
export function engineConfig(rules: RuleSet, overrides?: Record<string, SeveritySetting>, precision: PrecisionSetting = 'auto'): EngineConfig {
  return { rules, severities: resolveSeverities(rules, overrides), precision, overrides };
}

/** Audits the given files and directories. Throws InputError for an unreadable path. */
export async function audit(paths: readonly string[], options: AuditOptions): Promise<RunResult> {
  const config = engineConfig(options.rules, options.severities, options.precision);
  return finishRun(await auditFiles(await listInputFiles(paths), config, options), config);
}

/**
 * Each file's pass, in the order of `files` (however many are read at once): what finishRun
 * makes a run of, and what a shard writes to its partial report.
 */
export async function auditFiles(files: readonly string[], config: EngineConfig, options: Omit<AuditOptions, 'rules' | 'severities' | 'precision'>): Promise<FilePass[]> {
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  let recordsSeen = 0;
  const count = { done: 0, total: files.length };
  return Promise.all(
    files.map((file) =>
      limit(async () => {
        const reading = await readFileItems(file, options.read);
        const progress = options.onProgress;
        const audited: AuditedItem[] | undefined = options.listAudited ? [] : undefined;
        const pass = await passFile(file, reading, config, audited ? listing(audited) : {}, progress && (() => (++recordsSeen & 255) === 0 && progress(recordsSeen, file, count)));
        checkAccounting(pass.summary, reading.accounting);
        if (audited) pass.summary.auditedItems = audited.sort((a, b) => a.line - b.line);
        count.done++;
        progress?.(recordsSeen, file, count);
        return pass;
      }),
    ),
  );
}

/** Observes a file pass for its audited records (ungrouped) and groups (at their first candidate's line). */
function listing(into: AuditedItem[]): PassObserver {
  return {
    record(record, line) {
      if (record.group === undefined) into.push({ kind: 'record', id: record.id, line });
    },
    group(outcome) {
      const first = Math.min(...outcome.context.candidates.map((c) => c.line));
      into.push({ kind: 'group', id: outcome.context.group, line: first });
    },
  };
}

export { diagnoseRecord, recordFinding, type EngineConfig, type RecordVerdict } from './verdict.js';
export { finishGroup, type GroupOutcome } from './groups.js';
export { candidateOf } from './candidates.js';
export { guarded } from './findings.js';
export { finishRun } from './finish-run.js';
export { passFile, type PassObserver, type FilePass } from './file-pass.js';
export { AccountingError, checkAccounting } from './accounting.js';
export { nothingAudited, auditedOf, EVIDENCE_LEVELS } from './coverage.js';
export { ConfigError, createRuleSet, resolveSeverities, type RuleSet } from './rule-set.js';
