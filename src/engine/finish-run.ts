/**
 * The run-level finish of an audit: from every file's pass, in file order, to the RunResult the
 * reporters read (run rules on the merged run context, findings sorted, totals, coverage,
 * accuracy per run and task). audit calls it on the passes it just made; merge on the passes of
 * the shards' partial reports, so one machine and many give the same report.
 */
import type { Finding, SeveritySetting } from '../types.js';
import { pairedHeadlines, type RunContext } from './run-context.js';
import type { FileSummary, RunResult } from './result.js';
import type { FilePass } from './file-pass.js';
import { compareFindings } from './order.js';
import { Spool, heldPart, partTotals } from './finding-spool.js';
import { ruleFailed, toFinding } from './findings.js';
import { accuracyOf, addTally, newTally, tasksAccuracy, type AccuracyTally } from './accuracy.js';
import { addCoverage, newCoverage } from './coverage.js';
import { failureRule, severityOf, type EngineConfig } from './verdict.js';

/**
 * Finishes a run from its file passes, which must be in file order (the order of listInputFiles).
 * `spool` is the one the passes wrote their findings to (FilePass.spooled), if they did.
 */
export function finishRun(passes: readonly FilePass[], config: EngineConfig, spool: Spool = new Spool()): RunResult {
  // Each pass's findings, then the run rules': the order a stable sort of them all breaks ties in.
  const parts = passes.map((p) => p.spooled ?? heldPart([...p.findings].sort(compareFindings)));
  const run = runContext(passes);
  parts.push(heldPart(runFindings(run, config, passes[0]?.summary.file).sort(compareFindings)));
  const headlines = pairedHeadlines(run);
  const findings = spool.merge(parts);
  const { bySeverity, byRule } = partTotals(parts);
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
      findings: bySeverity,
      byRule,
      accuracy: accuracyOf(total),
      ...(tasks ? { tasks } : {}),
      ...(headlines > 0 ? { headlines } : {}),
    },
    files: summaries,
    findings,
    rules: config.rules.catalogue
      .filter((m) => config.severities.get(m.id) !== 'off')
      .map((m) => ({ ...m, severity: config.severities.get(m.id) as Exclude<SeveritySetting, 'off'> })),
  };
}

/** What the run rules see, merged in file order: sums and lists must not depend on which file finished first. */
function runContext(passes: readonly FilePass[]): RunContext {
  return {
    aggregates: passes.flatMap((p) => p.aggregates),
    samples: mergeSamples(passes.map((p) => p.samples)),
    scores: passes.map((p) => p.scores),
    precision: passes.flatMap((p) => (p.precision ? [p.precision] : [])),
  };
}

/** The findings of the enabled run rules; a run rule that throws is a rule-failure finding, shown at the run's first file. */
function runFindings(run: RunContext, config: EngineConfig, firstFile = '(run)'): Finding[] {
  const findings: Finding[] = [];
  for (const rule of config.rules.run) {
    if (config.severities.get(rule.meta.id) === 'off') continue;
    let diagnoses;
    try {
      diagnoses = rule.checks.run!(run);
    } catch (err) {
      const d = ruleFailed('run', rule.meta.id, firstFile, 0, err);
      const failure = failureRule(config);
      if (failure) findings.push(toFinding(failure.meta, failure.severity, firstFile, 0, d));
      continue;
    }
    for (const d of diagnoses) {
      const severity = severityOf(config, rule.meta.id, d);
      if (severity !== undefined && severity !== 'off') findings.push(toFinding(rule.meta, severity, d.file, d.line, d, d.recordId));
    }
  }
  return findings;
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
