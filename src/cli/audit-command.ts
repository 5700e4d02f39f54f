/**
 * `evalaudit audit`: settings from the config file and flags, the audit, the CI gate (baseline,
 * thresholds, --max-warnings), then every requested report through the one output function.
 */
import { relative } from 'node:path';
import picomatch from 'picomatch';
import type { RuleSet } from '../engine/rule-set.js';
import { audit, nothingAudited } from '../engine/index.js';
import { listInputFiles, type ReadOptions } from '../ingest/index.js';
import { findChunkedReporter } from '../report/index.js';
import { displayPath } from '../report/format.js';
import { keyLine, accuracyCheckLine, maxWarningsLine } from '../report/gate-text.js';
import { applyBaseline, baselineText, checkAccuracy, decideGate, readBaseline, type BaselineOutcome } from '../gate/index.js';
import type { FindingKey } from '../report/finding-key.js';
import { loadConfig } from '../config/load.js';
import { resolveSettings, settingsAsConfig, type Settings } from '../config/settings.js';
import { checkTarget, writeReport, type OutputTarget } from '../output/write.js';
import { flagSettings } from './options.js';
import { reportRequests, stepSummaryTarget, type ReportRequest } from './reports.js';
import { startProgress, terminalWidth, useColor } from './terminal.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_BASELINE = 'evalaudit.baseline.json';
/** Stale baseline entries listed on stderr; the reports have them all. */
const MAX_STALE_LINES = 20;

export interface AuditArgs {
  paths?: string[];
  format?: string;
  output?: string;
  report: string[];
  'step-summary'?: boolean;
  'update-baseline'?: boolean;
  config?: string | false;
  'print-config'?: boolean;
  color?: boolean;
  rule: string[];
  map: string[];
  'map-config'?: string;
  'input-format'?: string;
  ignore: string[];
  [flag: string]: unknown;
}

interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  err: (s: string) => void;
}

/** Settings of audit or explain: the config file (unless --no-config) under the flags. */
export function settingsOf(args: AuditArgs, rules: RuleSet, cwd: string): Settings {
  const loaded = loadConfig(cwd, args.config);
  return resolveSettings(flagSettings(args), loaded, rules.catalogue.map((m) => m.id));
}

export function readOptionsOf(s: Settings): ReadOptions {
  // A field map describes a custom layout, read with the mapped adapter unless told otherwise.
  return Object.keys(s.map).length > 0 ? { inputFormat: s.inputFormat ?? 'mapped', fieldMap: s.map } : { inputFormat: s.inputFormat };
}

export function printConfig(s: Settings, cwd: string): string {
  return `${JSON.stringify(settingsAsConfig(s, cwd, relative), null, 2)}\n`;
}

export async function runAudit(args: AuditArgs, rules: RuleSet, io: Io): Promise<number> {
  const settings = settingsOf(args, rules, io.cwd);
  if (args['print-config']) {
    await writeReport({ kind: 'stdout' }, printConfig(settings, io.cwd));
    return 0;
  }
  const paths = args.paths ?? [];
  if (paths.length === 0) throw new UsageError('name the files or directories to audit');
  const requests = reportRequests(args.report, args.format, args.output);
  const summaryTarget = args['step-summary'] ? stepSummaryTarget(io.env) : undefined;
  if (typeof summaryTarget === 'string') io.err(`evalaudit: --step-summary: ${summaryTarget}; no step summary written\n`);
  const baselinePath = settings.baseline ?? (args['update-baseline'] ? DEFAULT_BASELINE : undefined);
  const files = await inputFiles(paths, settings.ignore, io.cwd);
  // Fails before the audit: a report that could not be written, or that would overwrite an input.
  for (const r of requests) await checkTarget(r.target, files);
  if (args['update-baseline']) await checkTarget({ kind: 'file', path: baselinePath! }, files);
  // Read before the audit: a missing or broken baseline is a usage error, not a surprise at the end.
  const accepted: FindingKey[] | undefined = baselinePath !== undefined && !args['update-baseline'] ? readBaseline(baselinePath) : undefined;

  const progress = startProgress();
  let result;
  try {
    result = await audit(files, {
      rules,
      severities: settings.rules,
      concurrency: settings.concurrency,
      read: readOptionsOf(settings),
      onProgress: progress?.update,
      listAudited: requests.some((r) => r.format === 'junit'),
      ...(settings.precision !== undefined ? { precision: settings.precision } : {}),
    });
  } finally {
    progress?.stop();
  }

  let baseline: BaselineOutcome | undefined;
  let reported = result;
  if (baselinePath !== undefined) {
    const file = displayPath(baselinePath, io.cwd);
    if (args['update-baseline']) {
      await writeReport({ kind: 'file', path: baselinePath }, baselineText(result.findings, io.cwd));
      reported = { ...result, findings: [], summary: { ...result.summary, findings: { error: 0, warning: 0, info: 0 }, byRule: {} } };
      baseline = { file, suppressed: result.findings, stale: [], updated: true };
    } else {
      const applied = applyBaseline(result, accepted!, io.cwd);
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
  const render = (r: ReportRequest) =>
    findChunkedReporter(r.format)!(reported, {
      color: r.target.kind === 'stdout' && r.format === 'text' && useColor(process.stdout, io.env, args.color),
      cwd: io.cwd,
      width,
      maxFindings: settings.maxFindings,
      gate,
    });
  for (const r of requests) await writeReport(r.target, render(r));
  if (summaryTarget !== undefined && typeof summaryTarget !== 'string') await writeReport(summaryTarget, render({ format: 'summary', target: summaryTarget as OutputTarget }));

  reportGate(gate, io);
  let code = gate.passed ? 0 : 1;
  // An audit that checked nothing is no pass (as ESLint's "no files matching"): say why, per file.
  const empty = nothingAudited(result);
  if (empty.length > 0 && !settings.allowEmpty) {
    for (const e of empty) io.err(`evalaudit: nothing audited in ${displayPath(e.file, io.cwd)}: ${e.why}\n`);
    io.err('evalaudit: no record was audited (--allow-empty accepts that)\n');
    code = 2;
  }
  return code;
}

/** The input files, less those an ignore glob matches (against the path reports show). */
async function inputFiles(paths: readonly string[], ignore: readonly string[], cwd: string): Promise<string[]> {
  const files = await listInputFiles(paths);
  if (ignore.length === 0) return files;
  const ignored = picomatch([...ignore], { dot: true });
  const kept = files.filter((f) => !ignored(displayPath(f, cwd)));
  if (kept.length === 0) throw new UsageError(`every input file is ignored (${files.length} matched ${ignore.map((g) => JSON.stringify(g)).join(', ')})`);
  return kept;
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
