/**
 * The engine: reads every file (the one file pass asks the record rules about each record, first
 * root cause wins, and the group rules about each multiple-choice group once its file is read),
 * then asks the run rules at the end. It is handed its rules (a RuleSet) and their severities;
 * it never imports rules/.
 */
import pLimit from 'p-limit';
import type { SeveritySetting } from '../types.js';
import { listInputFiles, type ReadOptions } from '../ingest/index.js';
import type { RunResult } from './result.js';
import type { FilePass } from './file-pass.js';
import type { RuleSet } from './rule-set.js';
import { resolveSeverities } from './rule-set.js';
import { auditWholeFile } from '../parallel/tasks.js';
import { parallelPasses } from '../parallel/index.js';
import type { EngineConfig } from './verdict.js';
import { finishRun } from './finish-run.js';
import { Spool } from './finding-spool.js';
import type { PrecisionSetting } from '../reference/precision.js';

export interface AuditOptions {
  /** The rules to run, in order (the CLI passes the default set from rules/index.ts). */
  rules: RuleSet;
  /** Per-rule severity overrides (`--rule id=sev`). */
  severities?: Record<string, SeveritySetting>;
  /** Files read at once on one thread (`--jobs 1`; with more threads, each reads one file or range at a time). */
  concurrency?: number;
  /**
   * Threads to audit on, the main one included (default 1 here; the CLI defaults to the available
   * cores: see README, Both cores). More than one needs `workerModule`; without it the audit runs
   * on this thread whatever `jobs` says.
   */
  jobs?: number;
  /**
   * The worker threads' entry module: it imports the rules, which cannot be posted to a thread.
   * `defaultWorkerModule` (from the package root) runs the default rule set; for a RuleSet of your
   * own, write an entry that calls `serveAuditWorker(yourRules)`. Its rules must be `rules`.
   */
  workerModule?: string | URL;
  /**
   * Tuning: bytes per range of a large file, the input size below which no worker starts (the CLI
   * raises it when `--jobs` is not given: config/settings.ts threadsOf), the average row size below which a file is not cut.
   */
  parallel?: { rangeBytes?: number; minBytes?: number; minLineBytes?: number };
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
  const spool = new Spool();
  let passes: FilePass[];
  try {
    passes = await auditFiles(await listInputFiles(paths), config, options, spool);
  } catch (err) {
    spool.discard(); // a long-lived host must not keep the file of a run that failed
    throw err;
  }
  return finishRun(passes, config, spool);
}

/** What auditFiles needs beyond the engine config (which holds the rules, severities and precision). */
export type FilesOptions = Omit<AuditOptions, 'rules' | 'severities' | 'precision'>;

/**
 * Each file's pass, in the order of `files`, on `jobs` threads or this one: what finishRun
 * makes a run of, and what a shard writes to its partial report.
 */
export async function auditFiles(files: readonly string[], config: EngineConfig, options: FilesOptions, spool?: Spool): Promise<FilePass[]> {
  return (await parallelPassesOf(files, config, options, spool)) ?? (await filePasses(files, config, options, spool));
}

/** Every file's pass on this thread, `concurrency` files read at once (`--jobs 1`); their findings into `spool` when given. */
async function filePasses(files: readonly string[], config: EngineConfig, options: FilesOptions, spool?: Spool): Promise<FilePass[]> {
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const ctx = { config, read: options.read ?? {}, listAudited: options.listAudited === true, spool };
  const progress = options.onProgress;
  let recordsSeen = 0;
  const count = { done: 0, total: files.length };
  return Promise.all(
    files.map((file) =>
      limit(async () => {
        const pass = await auditWholeFile(file, ctx, progress && (() => (++recordsSeen & 255) === 0 && progress(recordsSeen, file, count)));
        count.done++;
        progress?.(recordsSeen, file, count);
        return pass;
      }),
    ),
  );
}

/** Every file's pass on `jobs` threads (src/parallel/); null when one thread does: `--jobs 1`, no worker module, or an input too small to share. */
async function parallelPassesOf(files: readonly string[], config: EngineConfig, options: FilesOptions, spool?: Spool): Promise<FilePass[] | null> {
  const jobs = options.jobs ?? 1;
  if (jobs < 2 || options.workerModule === undefined || files.length === 0) return null;
  const read = options.read ?? {};
  const listAudited = options.listAudited === true;
  const settings = { severities: config.overrides && { ...config.overrides }, precision: config.precision ?? 'auto', read, listAudited };
  const count = { done: 0, total: files.length };
  let records = 0;
  const onDone = options.onProgress && ((n: number, file: string, done: number) => options.onProgress!((records += n), file, { ...count, done }));
  return parallelPasses(files, { config, read, listAudited, spool }, settings, { jobs, workerModule: options.workerModule, ...options.parallel }, onDone);
}

export { finishRun } from './finish-run.js';
export { diagnoseRecord, recordFinding, type EngineConfig, type RecordVerdict } from './verdict.js';
export { finishGroup, type GroupOutcome } from './groups.js';
export { candidateOf } from './candidates.js';
export { passFile, type PassObserver, type FilePass } from './file-pass.js';
export { AccountingError, checkAccounting } from './accounting.js';
export { nothingAudited, auditedOf, EVIDENCE_LEVELS } from './coverage.js';
export { ConfigError, createRuleSet, resolveSeverities, type RuleSet } from './rule-set.js';
