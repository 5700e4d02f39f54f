/**
 * The short Markdown report for a pull-request comment and GitHub's step summary: the verdict,
 * metric impact, coverage, findings by rule, and the first few findings of each rule with a
 * count of the rest. Its size is bounded whatever the run (a PR comment holds 65,536
 * characters; the full Markdown report of a large run does not fit): fewer findings per rule
 * are shown until it fits, and as a last resort it is cut with a line saying so.
 */
import type { RunResult } from '../engine/result.js';
import type { Finding } from '../types.js';
import { countOf, coverageSentence, displayPath, escapeCell, formatDelta, severityCounts } from './format.js';
import { markdownTable } from './layout.js';
import { accuracyRow, digestFindings, findingRow, gateSection, impactSentence, ruleLink, type FindingsDigest, type RuleRow } from './markdown.js';
import { keyLine } from './gate-text.js';
import type { ReportOptions } from './reporter.js';

/** Findings shown per rule unless --max-findings says otherwise. */
export const DEFAULT_MAX_FINDINGS = 5;
/** Under GitHub's 65,536-character comment limit, with room for a bot's own header. */
export const SUMMARY_MAX_CHARS = 60_000;
/** A message longer than this is cut in a table cell (the JSON report has it whole). */
const MAX_CELL_CHARS = 300;
/** Files listed in the metric-impact table, largest change first. */
const MAX_FILE_ROWS = 10;
/** Stale baseline entries listed. */
const MAX_STALE_ROWS = 10;

export function renderSummary(result: RunResult, options: ReportOptions): string {
  let perRule = Math.max(0, Math.floor(options.maxFindings ?? DEFAULT_MAX_FINDINGS));
  // No more than the first perRule of each rule is ever shown: only those are held.
  const digest = digestFindings(result, perRule);
  for (;;) {
    const text = compose(result, options, digest, perRule);
    if (text.length <= SUMMARY_MAX_CHARS) return text;
    if (perRule === 0) return cut(text);
    perRule = Math.floor(perRule / 2);
  }
}

function compose(result: RunResult, options: ReportOptions, digest: FindingsDigest, perRule: number): string {
  const { rules } = digest;
  const sections = [
    [heading(result, digest.total, options)],
    gateSection(options),
    impact(result, options.cwd),
    [`**What was checked:** ${escapeCell(coverageSentence(result.summary))}`],
    rules.length === 0 ? [] : markdownTable(['Rule', 'Severity', 'Findings'], 'llr', rules.map((r) => [ruleLink(r), r.severity, String(r.count)])),
    ...(perRule === 0 ? [] : rules.map((r) => ruleFindings(r, digest.shown.get(r.id)!, perRule, options.cwd))),
    stale(options),
  ];
  return `${sections.filter((s) => s.length > 0).map((s) => s.join('\n')).join('\n\n')}\n`;
}

function heading(result: RunResult, total: number, options: ReportOptions): string {
  const c = result.summary.findings;
  const counts = total === 0 ? 'no findings' : `${countOf(total, 'finding')} (${severityCounts(c)})`;
  const verdict = options.gate === undefined ? '' : options.gate.passed ? '✅ passed: ' : '❌ failed: ';
  return `## evalaudit: ${verdict}${counts}`;
}

function impact(result: RunResult, cwd: string | undefined): string[] {
  const a = result.summary.accuracy;
  if (a.groups === 0) return [];
  const lines = [`**Metric impact:** ${impactSentence(a)}`];
  const files = result.files.filter((f) => f.accuracy.groups > 0);
  if (files.length > 1) {
    const change = (f: (typeof files)[number]) => Math.abs((f.accuracy.recomputed ?? 0) - (f.accuracy.recorded ?? 0));
    const shown = [...files].sort((x, y) => change(y) - change(x)).slice(0, MAX_FILE_ROWS);
    const rows = shown.map((f) => accuracyRow(escapeCell(displayPath(f.file, cwd)), f.accuracy));
    lines.push('', ...markdownTable(['Scope', 'Groups', 'Recorded accuracy', 'Recomputed accuracy', 'Change', 'Answers changed'], 'lrrrrr', rows));
    if (files.length > shown.length) lines.push('', `…and ${countOf(files.length - shown.length, 'more file')} (the largest changes are shown; all files: ${formatDelta(a.recorded, a.recomputed)}).`);
  }
  return lines;
}

function ruleFindings(rule: RuleRow, own: readonly Finding[], perRule: number, cwd: string | undefined): string[] {
  const rows = own.slice(0, perRule).map((f) => {
    const [location, record, recorded, expected, message] = findingRow({ ...f, message: clip(f.message) }, cwd);
    return [location, record, recorded, expected, message];
  });
  const lines = [`#### ${ruleLink(rule)} (${rule.severity}, ${rule.count})`, '', ...markdownTable(['Location', 'Record', 'Recorded', 'Expected', 'Message'], 'llrrl', rows)];
  if (rule.count > rows.length) lines.push('', `…and ${rule.count - rows.length} more.`);
  return lines;
}

function stale(options: ReportOptions): string[] {
  const entries = options.gate?.baseline?.stale ?? [];
  if (entries.length === 0) return [];
  const shown = entries.slice(0, MAX_STALE_ROWS).map((k) => `- ${escapeCell(keyLine(k))}`);
  if (entries.length > shown.length) shown.push(`- …and ${entries.length - shown.length} more`);
  return [`**Stale baseline entries** (no longer found; \`--update-baseline\` drops them):`, '', ...shown];
}

function clip(message: string): string {
  const chars = [...message];
  return chars.length <= MAX_CELL_CHARS ? message : `${chars.slice(0, MAX_CELL_CHARS - 1).join('')}…`;
}

/** Past every other bound (thousands of rules, enormous paths): cut at a line, and say so. */
function cut(text: string): string {
  const note = `\n\n…summary cut at ${SUMMARY_MAX_CHARS} characters; the JSON report has everything.\n`;
  const room = text.lastIndexOf('\n', SUMMARY_MAX_CHARS - note.length);
  return text.slice(0, Math.max(0, room)) + note;
}
