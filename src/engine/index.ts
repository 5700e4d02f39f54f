/**
 * The engine: reads every file (the one file pass asks the record rules about each record, first
 * root cause wins, and the group rules about each multiple-choice group once its file is read),
 * then asks the run rules at the end. It is handed its rules (a RuleSet) and their severities;
 * it never imports rules/.
 */
import pLimit from 'p-limit';
import type { Finding, SeveritySetting } from '../types.js';
import { listInputFiles, readFileItems, rereadable, type ReadOptions } from '../ingest/index.js';
import type { RunContext } from './run-context.js';
import type { AuditedItem, FileSummary, RunResult } from './result.js';
import type { PassObserver } from './file-pass.js';
import type { RuleSet } from './rule-set.js';
import { resolveSeverities } from './rule-set.js';
import { compareFindings } from './order.js';
import { countBySeverity } from './severity.js';
import { guarded, toFinding } from './findings.js';
import { passFile } from './file-pass.js';
import { accuracyOf, addTally, newTally, tasksAccuracy, type AccuracyTally } from './accuracy.js';
import { addCoverage, newCoverage } from './coverage.js';
import { checkAccounting } from './accounting.js';
import { severityOf, type EngineConfig } from './verdict.js';
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
  const files = await listInputFiles(paths);
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  let recordsSeen = 0;
  const count = { done: 0, total: files.length };

  const passes = await Promise.all(
    files.map((file) =>
      limit(async () => {
        const reading = await readFileItems(file, options.read);
        const progress = options.onProgress;
        const audited: AuditedItem[] | undefined = options.listAudited ? [] : undefined;
        // A file that can be read again streams its groups (file-pass.ts).
        const reopen = (await rereadable(file)) ? () => readFileItems(file, options.read) : undefined;
        const pass = await passFile(file, reading, config, audited ? listing(audited) : {}, progress && (() => (++recordsSeen & 255) === 0 && progress(recordsSeen, file, count)), reopen);
        checkAccounting(pass.summary, pass.accounting);
        if (audited) pass.summary.auditedItems = audited.sort((a, b) => a.line - b.line);
        count.done++;
        progress?.(recordsSeen, file, count);
        return pass;
      }),
    ),
  );

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
    restart() {
      into.length = 0;
    },
  };
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
