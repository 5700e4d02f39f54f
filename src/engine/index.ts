/**
 * The engine: reads every file (the one file pass asks the record rules about each record, first
 * root cause wins, and the group rules about each multiple-choice group once its file is read),
 * then asks the run rules at the end. It is handed its rules (a RuleSet) and their severities;
 * it never imports rules/.
 */
import { availableParallelism } from 'node:os';
import pLimit from 'p-limit';
import type { Finding, SeveritySetting } from '../types.js';
import { listInputFiles, type ReadOptions } from '../ingest/index.js';
import type { RunContext } from './run-context.js';
import type { FileSummary, RunResult } from './result.js';
import type { FilePass } from './file-pass.js';
import type { RuleSet } from './rule-set.js';
import { resolveSeverities } from './rule-set.js';
import { compareFindings } from './order.js';
import { countBySeverity } from './severity.js';
import { guarded, toFinding } from './findings.js';
import { auditWholeFile } from '../parallel/tasks.js';
import { parallelPasses } from '../parallel/index.js';
import { accuracyOf, addTally, newTally, tasksAccuracy, type AccuracyTally } from './accuracy.js';
import { addCoverage, newCoverage } from './coverage.js';
import { severityOf, type EngineConfig } from './verdict.js';
import type { PrecisionSetting } from '../reference/precision.js';

export interface AuditOptions {
  /** The rules to run, in order (the CLI passes the default set from rules/index.ts). */
  rules: RuleSet;
  /** Per-rule severity overrides (`--rule id=sev`). */
  severities?: Record<string, SeveritySetting>;
  /** Files read at once on one thread (`--jobs 1`; with more threads, each reads one file or range at a time). */
  concurrency?: number;
  /**
   * Threads to audit on, the main one included (default: os.availableParallelism()). More than
   * one needs `workerModule`; without it the audit runs on this thread whatever `jobs` says.
   */
  jobs?: number;
  /**
   * The worker threads' entry module: it imports the rules, which cannot be posted to a thread.
   * `defaultWorkerModule` (from the package root) runs the default rule set; for a RuleSet of your
   * own, write an entry that calls `serveAuditWorker(yourRules)`. Its rules must be `rules`.
   */
  workerModule?: string | URL;
  /** Tuning (tests): bytes per range of a large file, and the input size below which no worker starts. */
  parallel?: { rangeBytes?: number; minBytes?: number };
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
  const files = await listInputFiles(paths);
  const passes = (await parallelPassesOf(files, config, options)) ?? (await filePasses(files, config, options));

  const findings: Finding[] = passes.flatMap((p) => p.findings);
  // What the run rules see, merged in file order: files finish in any order under --concurrency,
  // and sums and lists must not depend on it.
  const run: RunContext = {
    aggregates: passes.flatMap((p) => p.aggregates),
    samples: mergeSamples(passes.map((p) => p.samples)),
    scores: passes.map((p) => p.scores),
    precision: passes.flatMap((p) => (p.precision ? [p.precision] : [])),
  };
  for (const rule of config.rules.run) {
    if (config.severities.get(rule.meta.id) === 'off') continue;
    for (const d of guarded(rule.meta.id, '(run)', 0, () => rule.checks.run!(run)) ?? []) {
      const severity = severityOf(config, rule.meta.id, d);
      if (severity !== undefined && severity !== 'off') findings.push(toFinding(rule.meta, severity, d.file, d.line, d, d.recordId));
    }
  }

  findings.sort(compareFindings);
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  const total = newTally();
  const taskTotals = new Map<string, AccuracyTally>();
  for (const p of passes) {
    addTally(total, p.tally);
    for (const [task, t] of p.taskTallies) {
      if (!taskTotals.has(task)) taskTotals.set(task, newTally());
      addTally(taskTotals.get(task)!, t);
    }
  }
  const tasks = tasksAccuracy(taskTotals);
  const summaries: FileSummary[] = passes.map((p) => p.summary);
  const coverage = newCoverage();
  for (const f of summaries) addCoverage(coverage, f.coverage);
  const skipReasons: Record<string, number> = {};
  for (const f of summaries) for (const [reason, n] of Object.entries(f.skipReasons)) skipReasons[reason] = (skipReasons[reason] ?? 0) + n;
  return {
    summary: {
      files: summaries.length,
      records: sum(summaries, (f) => f.records),
      audited: sum(summaries, (f) => f.audited),
      invalid: sum(summaries, (f) => f.invalid),
      skipped: sum(summaries, (f) => f.skipped),
      skipReasons,
      coverage,
      findings: countBySeverity(findings),
      byRule,
      accuracy: accuracyOf(total),
      ...(tasks ? { tasks } : {}),
    },
    files: summaries,
    findings,
    rules: config.rules.catalogue
      .filter((m) => config.severities.get(m.id) !== 'off')
      .map((m) => ({ ...m, severity: config.severities.get(m.id) as Exclude<SeveritySetting, 'off'> })),
  };
}

/** Every file's pass on this thread, `concurrency` files read at once (`--jobs 1`). */
async function filePasses(files: readonly string[], config: EngineConfig, options: AuditOptions): Promise<FilePass[]> {
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const ctx = { config, read: options.read ?? {}, listAudited: options.listAudited === true };
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
async function parallelPassesOf(files: readonly string[], config: EngineConfig, options: AuditOptions): Promise<FilePass[] | null> {
  const jobs = options.jobs ?? availableParallelism();
  if (jobs < 2 || options.workerModule === undefined || files.length === 0) return null;
  const read = options.read ?? {};
  const listAudited = options.listAudited === true;
  const settings = { severities: options.severities, precision: config.precision ?? 'auto', read, listAudited };
  const count = { done: 0, total: files.length };
  let records = 0;
  const onDone = options.onProgress && ((n: number, file: string, done: number) => options.onProgress!((records += n), file, { ...count, done }));
  return parallelPasses(files, { config, read, listAudited }, settings, { jobs, workerModule: options.workerModule, ...options.parallel }, onDone);
}

/** Every file's per-sample metrics, added up in file order. */
function mergeSamples(perFile: readonly RunContext['samples'][]): RunContext['samples'] {
  const out: RunContext['samples'] = new Map();
  for (const samples of perFile) {
    for (const [task, byMetric] of samples) {
      let into = out.get(task);
      if (!into) out.set(task, (into = new Map()));
      for (const [metric, m] of byMetric) {
        const t = into.get(metric);
        if (!t) into.set(metric, { sum: m.sum, count: m.count, files: new Set(m.files) });
        else {
          t.sum += m.sum;
          t.count += m.count;
          for (const f of m.files) t.files.add(f);
        }
      }
    }
  }
  return out;
}

function sum<T>(items: readonly T[], f: (t: T) => number): number {
  let s = 0;
  for (const t of items) s += f(t);
  return s;
}

export { diagnoseRecord, recordFinding, type EngineConfig, type RecordVerdict } from './verdict.js';
export { finishGroup, type GroupOutcome } from './groups.js';
export { candidateOf } from './candidates.js';
export { guarded } from './findings.js';
export { passFile, type PassObserver, type FilePass } from './file-pass.js';
export { AccountingError, checkAccounting } from './accounting.js';
export { nothingAudited, auditedOf, EVIDENCE_LEVELS } from './coverage.js';
export { ConfigError, createRuleSet, resolveSeverities, type RuleSet } from './rule-set.js';
