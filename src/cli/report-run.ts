/**
 * What audit and merge do once they hold a RunResult: the CI gate (baseline, thresholds,
 * --max-warnings), every requested report through the one output function, the gate said on
 * stderr, and the exit code (2 when nothing was audited). planReports checks before the work
 * that every report can be written and reads the baseline, so a mistake costs no audit.
 */
import type { RunResult } from '../engine/result.js';
import { nothingAudited } from '../engine/index.js';
import { loadChunkedReporter } from '../report/load.js';
import { displayPath } from '../report/format.js';
import { keyLine, accuracyCheckLine, maxWarningsLine } from '../report/gate-text.js';
import { applyBaseline, baselineText, checkAccuracy, decideGate, readBaseline, type BaselineOutcome } from '../gate/index.js';
import type { FindingKey } from '../report/finding-key.js';
import type { Settings } from '../config/settings.js';
import { checkTarget, writeReport, type OutputTarget } from '../output/write.js';
import { reportRequests, stepSummaryTarget, type ReportRequest } from './reports.js';
import { terminalWidth, useColor } from './terminal.js';

export const DEFAULT_BASELINE = 'evalaudit.baseline.json';
/** Stale baseline entries listed on stderr; the reports have them all. */
const MAX_STALE_LINES = 20;
/** Files an empty audit names on stderr, at most (a HELM suite of run folders without log-probs has hundreds). */
const MAX_EMPTY_LINES = 20;

export interface ReportArgs {
  format?: string;
  output?: string;
  report: string[];
  'step-summary'?: boolean;
  'update-baseline'?: boolean;
  color?: boolean;
}

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  err: (s: string) => void;
}

/** The reports to write and the baseline to apply (its accepted findings once checkPlan has read it). */
export interface ReportPlan {
  requests: ReportRequest[];
  summaryTarget: OutputTarget | undefined;
  baselinePath: string | undefined;
  accepted: FindingKey[] | undefined;
}

/** The reports asked for (a usage error before anything is read when they cannot be). */
export function planReports(args: ReportArgs, settings: Settings, io: Io): ReportPlan {
  const requests = reportRequests(args.report, args.format, args.output);
  const summary = args['step-summary'] ? stepSummaryTarget(io.env) : undefined;
  if (typeof summary === 'string') io.err(`evalaudit: --step-summary: ${summary}; no step summary written\n`);
  const baselinePath = settings.baseline ?? (args['update-baseline'] ? DEFAULT_BASELINE : undefined);
  return { requests, summaryTarget: typeof summary === 'string' ? undefined : summary, baselinePath, accepted: undefined };
}

/** Fails before the run: a report that could not be written or would overwrite an input, a missing or broken baseline. */
export async function checkPlan(plan: ReportPlan, args: ReportArgs, inputs: readonly string[]): Promise<void> {
  for (const r of plan.requests) await checkTarget(r.target, inputs);
  if (args['update-baseline']) await checkTarget({ kind: 'file', path: plan.baselinePath! }, inputs);
  if (plan.baselinePath !== undefined && !args['update-baseline']) plan.accepted = readBaseline(plan.baselinePath);
}

/** Gates and reports a finished run; returns the exit code. */
export async function reportRun(result: RunResult, plan: ReportPlan, settings: Settings, args: ReportArgs, io: Io): Promise<number> {
  let baseline: BaselineOutcome | undefined;
  let reported = result;
  const { baselinePath } = plan;
  if (baselinePath !== undefined) {
    const file = displayPath(baselinePath, io.cwd);
    if (args['update-baseline']) {
      await writeReport({ kind: 'file', path: baselinePath }, baselineText(result.findings, io.cwd));
      reported = { ...result, findings: [], summary: { ...result.summary, findings: { error: 0, warning: 0, info: 0 }, byRule: {} } };
      baseline = { file, suppressed: result.findings, stale: [], updated: true };
    } else {
      const applied = applyBaseline(result, plan.accepted!, io.cwd);
      reported = applied.result;
      baseline = { file, suppressed: applied.suppressed, stale: applied.stale, updated: false };
    }
  }
  const gate = decideGate(reported, {
    failOn: settings.failOn,
    maxWarnings: settings.maxWarnings,
    accuracy: checkAccuracy(reported, settings.thresholds, io.cwd),
    baseline,
  });

  const width = terminalWidth(process.stdout, io.env);
  const render = async (r: ReportRequest) =>
    (await loadChunkedReporter(r.format))(reported, {
      color: r.target.kind === 'stdout' && r.format === 'text' && useColor(process.stdout, io.env, args.color),
      cwd: io.cwd,
      width,
      maxFindings: settings.maxFindings,
      gate,
    });
  for (const r of plan.requests) await writeReport(r.target, await render(r));
  if (plan.summaryTarget !== undefined) await writeReport(plan.summaryTarget, await render({ format: 'summary', target: plan.summaryTarget }));

  reportGate(gate, io);
  let code = gate.passed ? 0 : 1;
  // An audit that checked nothing is no pass (as ESLint's "no files matching"): say why, per file.
  const empty = nothingAudited(result);
  if (empty.length > 0 && !settings.allowEmpty) {
    for (const e of empty.slice(0, MAX_EMPTY_LINES)) io.err(`evalaudit: nothing audited in ${displayPath(e.file, io.cwd)}: ${e.why}\n`);
    if (empty.length > MAX_EMPTY_LINES) io.err(`evalaudit: …and in ${empty.length - MAX_EMPTY_LINES} more files (the JSON report's files[] says why for each)\n`);
    io.err('evalaudit: no record was audited (--allow-empty accepts that)\n');
    code = 2;
  }
  return code;
}

/** What the reports say about the gate, on stderr too: a report written to a file is not read in the log. */
function reportGate(gate: ReturnType<typeof decideGate>, io: Io): void {
  for (const c of gate.accuracy) if (!c.passed) io.err(`evalaudit: ${accuracyCheckLine(c)}\n`);
  if (gate.maxWarnings && !gate.maxWarnings.passed) io.err(`evalaudit: ${maxWarningsLine(gate.maxWarnings)}\n`);
  const b = gate.baseline;
  if (!b) return;
  if (b.updated) io.err(`evalaudit: baseline ${b.file} written: ${b.suppressed.length} findings accepted\n`);
  else io.err(`evalaudit: ${b.suppressed.length} suppressed by the baseline ${b.file}\n`);
  if (b.stale.length > 0) {
    io.err(`evalaudit: ${b.stale.length} stale baseline ${b.stale.length === 1 ? 'entry' : 'entries'} (no longer found; --update-baseline drops them):\n`);
    for (const k of b.stale.slice(0, MAX_STALE_LINES)) io.err(`  ${keyLine(k)}\n`);
    if (b.stale.length > MAX_STALE_LINES) io.err(`  …and ${b.stale.length - MAX_STALE_LINES} more (the JSON report's gate.baseline.stale lists them all)\n`);
  }
}
