/**
 * GitHub Actions workflow commands (`::error file=…,line=…,title=…::message`): each finding an
 * annotation on its file and line, titled by its rule id. GitHub shows only the first few
 * annotations of each kind per step, so at most ANNOTATIONS_PER_SEVERITY of each severity are
 * written, and a closing plain line says how many there were in all.
 */
import type { Finding, Severity } from '../types.js';
import type { RunResult } from '../engine/result.js';
import { inReportOrder } from '../engine/order.js';
import { SEVERITIES } from '../engine/severity.js';
import { absoluteDocsUrl } from '../project.js';
import { countOf, displayPath, escapeUnprintable, formatPercent, severityCounts } from './format.js';
import { accuracyCheckLine, keyLine, maxWarningsLine } from './gate-text.js';
import type { ReportOptions } from './reporter.js';

/** GitHub displays 10 error and 10 warning annotations per step (and 50 per job). */
export const ANNOTATIONS_PER_SEVERITY = 10;

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

/** A command's message (after `::`): `%`, CR and LF encoded, as @actions/core's escapeData does. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A command's property value: as the message, and `:` and `,` too, which end a property. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${kind}${props === '' ? '' : ` ${props}`}::${escapeData(message)}`;
}

export function renderGithub(result: RunResult, options: ReportOptions): string {
  const docs = new Map(result.rules.map((r) => [r.id, r.docs]));
  const shown: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const lines: string[] = [];
  let total = 0;
  // One pass in report order, holding only the annotations written.
  for (const f of inReportOrder(result.findings)) {
    total++;
    if (shown[f.severity] >= ANNOTATIONS_PER_SEVERITY) continue;
    shown[f.severity]++;
    lines.push(annotation(f, absoluteDocsUrl(docs.get(f.ruleId), f.ruleId), options.cwd));
  }
  const gate = options.gate;
  // Failed thresholds are the gate's own verdict: always annotated, never capped.
  for (const c of gate?.accuracy ?? []) {
    if (!c.passed) lines.push(command('error', { title: 'evalaudit accuracy' }, accuracyCheckLine(c)));
  }
  if (gate?.maxWarnings && !gate.maxWarnings.passed) lines.push(command('error', { title: 'evalaudit --max-warnings' }, maxWarningsLine(gate.maxWarnings)));
  const stale = gate?.baseline?.stale ?? [];
  if (stale.length > 0) {
    const listed = stale.slice(0, ANNOTATIONS_PER_SEVERITY).map(keyLine);
    if (stale.length > listed.length) listed.push(`…and ${stale.length - listed.length} more`);
    lines.push(command('notice', { title: 'evalaudit baseline' }, `${countOf(stale.length, 'stale baseline entry', 'stale baseline entries')} (no longer found):\n${listed.join('\n')}`));
  }
  lines.push(closing(result, total, shown, options));
  return `${lines.join('\n')}\n`;
}

function annotation(f: Finding, docsUrl: string, cwd: string | undefined): string {
  const record = f.recordId === undefined ? '' : `record ${JSON.stringify(f.recordId)}: `;
  const message = `${record}${escapeUnprintable(f.message)}\n${docsUrl}`;
  return command(COMMAND[f.severity], { file: displayPath(f.file, cwd), line: f.line >= 1 ? f.line : undefined, title: f.ruleId }, message);
}

/** One plain log line: the totals, what was left unannotated, what the baseline took out. */
function closing(result: RunResult, total: number, shown: Record<Severity, number>, options: ReportOptions): string {
  const c = result.summary.findings;
  const parts = [`evalaudit: ${countOf(total, 'finding')} (${severityCounts(c)})`];
  const hidden = total - SEVERITIES.reduce((n, s) => n + shown[s], 0);
  if (hidden > 0) parts.push(`${hidden} not annotated (GitHub shows ${ANNOTATIONS_PER_SEVERITY} of each kind per step; the JSON report and the step summary list them)`);
  const baseline = options.gate?.baseline;
  if (baseline) parts.push(`${baseline.suppressed.length} suppressed by the baseline, ${countOf(baseline.stale.length, 'stale entry', 'stale entries')}`);
  const a = result.summary.accuracy;
  if (a.groups > 0) parts.push(`accuracy ${formatPercent(a.recorded)} recorded, ${formatPercent(a.recomputed)} recomputed`);
  if (options.gate) parts.push(options.gate.passed ? 'gate passed' : 'gate failed');
  return parts.join('; ');
}
