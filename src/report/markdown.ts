/**
 * The default report: what a reviewer reads in a pull request or a bug report. Metric impact
 * first (is the headline number wrong?), then what was read, then what was found, rule by rule.
 */
import type { Accuracy, FileSummary, RunResult } from '../engine/result.js';
import { EVIDENCE_LEVELS } from '../engine/coverage.js';
import type { Finding, Severity } from '../types.js';
import { countOf, coverageSentence, displayPath, escapeCell, formatDelta, formatPercent, formatValuePair, severityCounts } from './format.js';
import { compareText, inReportOrder } from '../engine/order.js';
import { severityRank } from '../engine/severity.js';
import { markdownTable as table } from './layout.js';
import { absoluteDocsUrl } from '../project.js';
import { gateLines } from './gate-text.js';
import type { ReportOptions } from './reporter.js';

/** Past this many rows a rule's table stops helping a reader; the JSON report has them all. */
export const MAX_ROWS_PER_RULE = 200;

export function renderMarkdown(result: RunResult, options: ReportOptions): string {
  const digest = digestFindings(result, MAX_ROWS_PER_RULE);
  const { rules } = digest;
  const sections = [
    [title(digest)],
    gateSection(options),
    metricImpact(result, options.cwd),
    ['## What was checked', '', coverageSentence(result.summary)],
    filesSection(result, options.cwd),
    digest.total === 0 ? noFindings(result) : rulesSection(rules),
    ...rules.map((rule) => ruleFindingsSection(rule, digest.shown.get(rule.id)!, options.cwd)),
  ];
  return `${sections.filter((s) => s.length > 0).map((s) => s.join('\n')).join('\n\n')}\n`;
}

/** The CI gate's verdict beyond the findings (thresholds, --max-warnings, baseline), when the CLI decided one. */
export function gateSection(options: ReportOptions): string[] {
  const lines = options.gate ? gateLines(options.gate) : [];
  return lines.length === 0 ? [] : ['## CI gate', '', ...lines.map((l) => `- ${escapeCell(l)}`)];
}

function title(digest: FindingsDigest): string {
  if (digest.total === 0) return '# evalaudit: no findings';
  const c = digest.bySeverity;
  return `# evalaudit: ${countOf(digest.total, 'finding')} (${severityCounts(c)})`;
}

// ── Metric impact ────────────────────────────────────────────────────────────

function metricImpact(result: RunResult, cwd: string | undefined): string[] {
  const overall = result.summary.accuracy;
  if (overall.groups === 0) return [];
  const rows = [accuracyRow('All files', overall)];
  if (result.files.length > 1) {
    for (const f of result.files) {
      if (f.accuracy.groups > 0) rows.push(accuracyRow(escapeCell(displayPath(f.file, cwd)), f.accuracy));
    }
  }
  return [
    '## Metric impact',
    '',
    impactSentence(overall),
    '',
    ...table(['Scope', 'Groups', 'Recorded accuracy', 'Recomputed accuracy', 'Change', 'Answers changed'], 'lrrrrr', rows),
  ];
}

export function accuracyRow(scope: string, a: Accuracy): string[] {
  return [scope, String(a.groups), formatPercent(a.recorded), formatPercent(a.recomputed), formatDelta(a.recorded, a.recomputed), String(a.changed)];
}

export function impactSentence(a: Accuracy): string {
  const groups = countOf(a.groups, 'group');
  if (a.recorded === null) {
    return `Recomputed from the reference log-probs, multiple-choice accuracy is **${formatPercent(a.recomputed)}** over ${groups}; the run records no pick to compare it with.`;
  }
  const change = a.changed === 0 ? 'no answer changes' : `the answer changes in ${a.changed} of ${groups}`;
  return `Recomputed from the reference log-probs, multiple-choice accuracy goes from **${formatPercent(a.recorded)}** (recorded) to **${formatPercent(a.recomputed)}** (${formatDelta(a.recorded, a.recomputed)}): ${change}.`;
}

// ── Files ────────────────────────────────────────────────────────────────────

/** Per file: rows read, the audited ones by evidence level, skipped and invalid. */
function filesSection(result: RunResult, cwd: string | undefined): string[] {
  const counts = (f: Pick<FileSummary, 'records' | 'coverage' | 'skipped' | 'invalid'>) => [
    String(f.records),
    ...EVIDENCE_LEVELS.map((l) => String(f.coverage[l])),
    String(f.skipped),
    String(f.invalid),
  ];
  const rows = result.files.map((f) => [escapeCell(displayPath(f.file, cwd)), f.format === null ? '(not detected)' : escapeCell(f.format), ...counts(f)]);
  if (result.files.length > 1) rows.push([`**Total** (${countOf(result.summary.files, 'file')})`, '', ...counts(result.summary)]);
  const header = ['File', 'Format', 'Records', 'Logits', 'Server', 'Top-k', 'Values only', 'Score only', 'Skipped', 'Invalid'];
  const lines = ['## Files', '', ...table(header, 'llrrrrrrrr', rows)];
  const { summary } = result;
  if (summary.skipped > 0) {
    const reasons = Object.keys(summary.skipReasons).sort(compareText).map((r) => `${summary.skipReasons[r]} × ${escapeCell(r)}`);
    lines.push('', `Skipped rows hold nothing to audit: ${reasons.join('; ')}.`);
  }
  return lines;
}

// ── Rules ────────────────────────────────────────────────────────────────────

export interface RuleRow {
  id: string;
  severity: Severity;
  count: number;
  summary: string;
  docs: string;
}

/** What the Markdown reports show of the findings, gathered in one pass over them in report order. */
export interface FindingsDigest {
  total: number;
  bySeverity: Record<Severity, number>;
  /** One row per rule with findings: most severe first, then most findings, then by id. */
  rules: RuleRow[];
  /** Each rule's first findings (at most `keep` of them), in report order. */
  shown: Map<string, Finding[]>;
}

/**
 * The findings' counts and each rule's first `keep` findings: a report that shows a bounded
 * number per rule holds only those, not every finding of the run (which may be read back from
 * disk as it is iterated: finding-spool.ts).
 */
export function digestFindings(result: RunResult, keep: number): FindingsDigest {
  const byId = new Map<string, RuleRow>();
  const shown = new Map<string, Finding[]>();
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  let total = 0;
  for (const f of inReportOrder(result.findings)) {
    total++;
    bySeverity[f.severity]++;
    const row = byId.get(f.ruleId);
    if (row) {
      row.count++;
      if (severityRank(f.severity) < severityRank(row.severity)) row.severity = f.severity;
      const own = shown.get(f.ruleId)!;
      if (own.length < keep) own.push(f);
      continue;
    }
    // Findings the engine itself raises (an unreadable record) may have no rule metadata.
    const meta = result.rules.find((r) => r.id === f.ruleId);
    byId.set(f.ruleId, {
      id: f.ruleId,
      severity: meta?.severity ?? f.severity,
      count: 1,
      summary: meta?.summary ?? '',
      docs: absoluteDocsUrl(meta?.docs, f.ruleId),
    });
    shown.set(f.ruleId, keep > 0 ? [f] : []);
  }
  const rules = [...byId.values()].sort(
    (a, b) => severityRank(a.severity) - severityRank(b.severity) || b.count - a.count || compareText(a.id, b.id),
  );
  return { total, bySeverity, rules, shown };
}

export function ruleLink(rule: RuleRow): string {
  return `[${escapeCell(rule.id)}](${rule.docs.replace(/[ ()<>]/g, encodeURIComponent)})`;
}

function rulesSection(rules: readonly RuleRow[]): string[] {
  const rows = rules.map((r) => [ruleLink(r), r.severity, String(r.count), escapeCell(r.summary)]);
  return ['## Findings by rule', '', ...table(['Rule', 'Severity', 'Findings', 'Summary'], 'llrl', rows)];
}

function noFindings(result: RunResult): string[] {
  const { summary } = result;
  const files = countOf(summary.files, 'file');
  if (summary.audited > 0) {
    return [
      `No findings: ${countOf(result.rules.length, 'rule')} checked ${countOf(summary.audited, 'record')} in ${files} and found nothing to report.` +
        // Skipped rows were not checked: say so, they are no clean bill.
        (summary.skipped > 0 ? ` ${countOf(summary.skipped, 'row')} held nothing to audit (skipped).` : ''),
    ];
  }
  if (summary.headlines) return [`No findings: ${countOf(summary.headlines, 'headline number')} checked against their samples; no record in ${files} had log-likelihoods to audit.`];
  return [`No findings, and nothing audited: no record in ${files} could be checked.`];
}

// ── Findings, rule by rule ───────────────────────────────────────────────────

function ruleFindingsSection(rule: RuleRow, shown: readonly Finding[], cwd: string | undefined): string[] {
  const lines = [`### ${ruleLink(rule)} (${rule.severity}, ${rule.count})`, ''];
  if (rule.summary !== '') lines.push(escapeCell(rule.summary), '');
  lines.push(...table(['Location', 'Record', 'Recorded', 'Expected', 'Message'], 'llrrl', shown.map((f) => findingRow(f, cwd))));
  if (rule.count > shown.length) {
    lines.push('', `…and ${rule.count - shown.length} more not shown here; \`--format json\` lists them all.`);
  }
  return lines;
}

export function findingRow(f: Finding, cwd: string | undefined): string[] {
  const [recorded, expected] = formatValuePair(f.recorded, f.expected);
  return [escapeCell(`${displayPath(f.file, cwd)}:${f.line}`), recordCell(f), recorded, expected, escapeCell(f.message)];
}

function recordCell(f: Finding): string {
  const group = f.group === undefined ? undefined : `group ${escapeCell(String(f.group))}`;
  if (f.recordId === undefined) return group ?? '—';
  const id = escapeCell(String(f.recordId));
  return group === undefined ? id : `${id} (${group})`;
}
