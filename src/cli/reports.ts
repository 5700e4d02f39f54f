/**
 * Which reports a run writes. `--report FORMAT[=PATH]` is repeatable (no PATH, or `-`, is
 * stdout); `--format F --output P` is the one-report case and adds one more when given with
 * --report; with neither, the Markdown report goes to stdout. At most one report may go to
 * stdout, and no two to the same file. `--step-summary` appends the summary report to
 * $GITHUB_STEP_SUMMARY on GitHub Actions.
 */
import { resolve } from 'node:path';
import { DEFAULT_FORMAT, REPORT_FORMATS, isReportFormat, type ReportFormat } from '../report/load.js';
import type { OutputTarget } from '../output/write.js';
import { didYouMean } from '../suggest.js';
import { UsageError } from './usage-error.js';

export interface ReportRequest {
  format: ReportFormat;
  target: OutputTarget;
}

function formatOf(name: string, flag: string): ReportFormat {
  if (!isReportFormat(name)) {
    throw new UsageError(`${flag}: unknown report format ${JSON.stringify(name)}${didYouMean(name, REPORT_FORMATS)}; formats: ${REPORT_FORMATS.join(', ')}`);
  }
  return name;
}

function targetOf(path: string | undefined): OutputTarget {
  return path === undefined || path === '' || path === '-' ? { kind: 'stdout' } : { kind: 'file', path };
}

export function reportRequests(specs: readonly string[], format: string | undefined, output: string | undefined): ReportRequest[] {
  const out: ReportRequest[] = specs.map((spec) => {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    return { format: formatOf(name.trim(), `--report ${spec}`), target: targetOf(eq < 0 ? undefined : spec.slice(eq + 1)) };
  });
  if (format !== undefined || output !== undefined || out.length === 0) {
    out.push({ format: formatOf(format ?? DEFAULT_FORMAT, '--format'), target: targetOf(output) });
  }
  if (out.filter((r) => r.target.kind === 'stdout').length > 1) {
    throw new UsageError(`only one report can go to stdout, but ${out.filter((r) => r.target.kind === 'stdout').map((r) => r.format).join(' and ')} would: give the others a file (--report FORMAT=PATH)`);
  }
  const seen = new Map<string, string>();
  for (const r of out) {
    if (r.target.kind !== 'file') continue;
    const key = resolve(r.target.path);
    if (seen.has(key)) throw new UsageError(`two reports would be written to ${r.target.path} (${seen.get(key)} and ${r.format})`);
    seen.set(key, r.format);
  }
  return out;
}

/** The step summary's target on GitHub Actions, or why there is none. */
export function stepSummaryTarget(env: NodeJS.ProcessEnv): OutputTarget | string {
  if (env.GITHUB_ACTIONS !== 'true') return 'not running on GitHub Actions (GITHUB_ACTIONS is not "true")';
  if (!env.GITHUB_STEP_SUMMARY) return 'GITHUB_STEP_SUMMARY is not set';
  return { kind: 'file', path: env.GITHUB_STEP_SUMMARY, append: true };
}
