/**
 * The terminal report, after ESLint's "stylish": findings grouped by file, one line each
 * (`line  severity  message  rule-id`), then a one-line tally.
 */
import type { RunResult } from '../engine/result.js';
import type { Finding, Severity } from '../types.js';
import { countOf, coverageSentence, displayPath, escapeUnprintable, formatDelta, formatPercent } from './format.js';
import { sortFindings } from '../engine/order.js';
import { countBySeverity, worstSeverity } from '../engine/severity.js';
import { displayWidth as width } from './layout.js';
import type { ReportOptions } from './reporter.js';

type Paint = (text: string) => string;

interface Palette {
  file: Paint;
  dim: Paint;
  severity: Record<Severity, Paint>;
  /** The tally line: red when there are errors, yellow for warnings only, green when clean. */
  tally: Record<Severity | 'clean', Paint>;
}

/** Open and close codes per style, so nested or adjacent styles reset only what they set. */
function sgr(open: number, close: number): Paint {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const plain: Paint = (text) => text;
const bold = sgr(1, 22);

const COLOR: Palette = {
  file: sgr(4, 24),
  dim: sgr(2, 22),
  severity: { error: sgr(31, 39), warning: sgr(33, 39), info: sgr(36, 39) },
  tally: {
    error: (t) => bold(sgr(31, 39)(t)),
    warning: (t) => bold(sgr(33, 39)(t)),
    info: (t) => bold(sgr(36, 39)(t)),
    clean: (t) => bold(sgr(32, 39)(t)),
  },
};

const NO_COLOR: Palette = {
  file: plain,
  dim: plain,
  severity: { error: plain, warning: plain, info: plain },
  tally: { error: plain, warning: plain, info: plain, clean: plain },
};

export function renderText(result: RunResult, options: ReportOptions): string {
  const palette = options.color ? COLOR : NO_COLOR;
  const findings = sortFindings(result.findings);
  const blocks = groupByFile(findings).map(([file, own]) => fileBlock(displayPath(file, options.cwd), own, palette));
  const footer = [tally(result, findings, palette), `  ${coverageSentence(result.summary)}`, ...accuracyLine(result)];
  return `${[...blocks, footer.join('\n')].join('\n\n')}\n`;
}

/** Findings are sorted by file, so each file's findings are one run. */
function groupByFile(findings: readonly Finding[]): [string, Finding[]][] {
  const groups: [string, Finding[]][] = [];
  for (const f of findings) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[0] === f.file) last[1].push(f);
    else groups.push([f.file, [f]]);
  }
  return groups;
}

/** Columns are padded on the plain text, then painted, so colour codes do not skew alignment. */
function fileBlock(path: string, findings: readonly Finding[], palette: Palette): string {
  const rows = findings.map((f) => ({
    line: String(f.line),
    severity: f.severity,
    message: escapeUnprintable(f.message),
    ruleId: escapeUnprintable(f.ruleId),
  }));
  const lineWidth = Math.max(...rows.map((r) => r.line.length));
  const severityWidth = Math.max(...rows.map((r) => r.severity.length));
  const messageWidth = Math.max(...rows.map((r) => width(r.message)));
  const lines = rows.map(
    (r) =>
      `  ${palette.dim(r.line.padStart(lineWidth))}  ` +
      `${palette.severity[r.severity](r.severity.padEnd(severityWidth))}  ` +
      `${r.message}${' '.repeat(messageWidth - width(r.message))}  ` +
      palette.dim(r.ruleId),
  );
  return [palette.file(escapeUnprintable(path)), ...lines].join('\n');
}

function tally(result: RunResult, findings: readonly Finding[], palette: Palette): string {
  if (findings.length === 0) {
    const { summary } = result;
    const audited = summary.records - summary.invalid - summary.skipped;
    // Nothing checked is no pass: never print the green tick for it.
    if (audited === 0) return palette.tally.warning(`✖ Nothing audited (${countOf(summary.records, 'row')} in ${countOf(summary.files, 'file')})`);
    return palette.tally.clean(`✔ No problems (${countOf(audited, 'record')} audited in ${countOf(summary.files, 'file')})`);
  }
  const c = countBySeverity(findings);
  const worst: Severity = worstSeverity(c) ?? 'info';
  const text = `✖ ${countOf(findings.length, 'problem')} (${countOf(c.error, 'error')}, ${countOf(c.warning, 'warning')}, ${countOf(c.info, 'info', 'info')})`;
  return palette.tally[worst](text);
}

/** The headline number, when the run has one: does the audit change it? */
function accuracyLine(result: RunResult): string[] {
  const a = result.summary.accuracy;
  if (a.groups === 0) return [];
  const change = a.recorded === null ? '' : ` (${formatDelta(a.recorded, a.recomputed)})`;
  return [
    `  accuracy ${formatPercent(a.recorded)} recorded, ${formatPercent(a.recomputed)} recomputed${change}; ` +
      `${a.changed} of ${countOf(a.groups, 'group')} change answer`,
  ];
}
