/**
 * The terminal report, after ESLint's "stylish" but fitted to the terminal's width: each finding
 * is a `file:line record` line with its rule id at the end (a location most terminals and
 * editors open with a click, and the record id that `explain --record` takes), then its
 * severity and the message wrapped under it. A tally and what was checked close it.
 */
import type { RunResult } from '../engine/result.js';
import type { Finding, Severity } from '../types.js';
import { countOf, coverageSentence, displayPath, escapeUnprintable, formatDelta, formatPercent, severityCounts } from './format.js';
import { inReportOrder } from '../engine/order.js';
import { worstSeverity } from '../engine/severity.js';
import { joined } from './json-pieces.js';
import { displayWidth as width, wrapToWidth } from './layout.js';
import { ruleDocsTemplate } from '../project.js';
import { gateLines } from './gate-text.js';
import type { ReportOptions } from './reporter.js';

/** What a report piped to a file or read in CI is laid out for. */
export const DEFAULT_WIDTH = 80;
/** Below this a terminal is too narrow to lay out; lines keep this width and wrap in it. */
const MIN_WIDTH = 40;
/** `  warning  `: the message column. */
const SEVERITY_WIDTH = 7;
const MESSAGE_INDENT = 2 + SEVERITY_WIDTH + 2;

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
  return joined(renderTextChunks(result, options));
}

/**
 * The same text as `renderText`, piece by piece: each finding's lines as the findings are read
 * (a file's findings are one block, blocks apart by a blank line), then the tally and notes.
 */
export function* renderTextChunks(result: RunResult, options: ReportOptions): Generator<string> {
  const palette = options.color ? COLOR : NO_COLOR;
  const columns = Math.max(MIN_WIDTH, Math.floor(options.width ?? DEFAULT_WIDTH));
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  let file: string | null = null;
  let path = '';
  let piece = '';
  for (const f of inReportOrder(result.findings)) {
    counts[f.severity]++;
    if (f.file !== file) {
      if (file !== null) piece += '\n\n';
      file = f.file;
      path = displayPath(f.file, options.cwd);
    } else piece += '\n';
    piece += findingLines(f, path, columns, palette).join('\n');
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  const notes = [coverageSentence(result.summary), ...accuracyLine(result), ...(options.gate ? gateLines(options.gate) : [])];
  const [tallyText, paintTally] = tally(result, counts, palette);
  const found = counts.error + counts.warning + counts.info;
  const footer = [...wrapToWidth(tallyText, columns).map(paintTally), ...notes.flatMap((n) => indented(n, 2, columns)), ...(found === 0 ? [] : [`  rule docs: ${ruleDocsTemplate}`])];
  yield `${piece}${file === null ? '' : '\n\n'}${footer.join('\n')}\n`;
}

/** Characters of findings' lines gathered before a piece is handed to the writer. */
const PIECE_CHARS = 1 << 16;

function indented(text: string, indent: number, columns: number): string[] {
  return wrapToWidth(text, columns - indent).map((l) => `${' '.repeat(indent)}${l}`);
}

/** Laid out on the plain text, then painted, so colour codes never count towards the width. */
function findingLines(f: Finding, path: string, columns: number, palette: Palette): string[] {
  const location = escapeUnprintable(f.line >= 1 ? `${path}:${f.line}` : path);
  const record = f.recordId !== undefined ? escapeUnprintable(String(f.recordId)) : f.group !== undefined ? `group ${escapeUnprintable(String(f.group))}` : '';
  const rule = escapeUnprintable(f.ruleId);
  // The rule id ends the first line; a long path leaves the record and rule to a line of their own.
  const fits = width(location) + (record === '' ? 0 : 1 + width(record)) + 2 + width(rule) <= columns;
  const head = fits
    ? [withRule(`${palette.file(location)}${record === '' ? '' : ` ${record}`}`, width(location) + (record === '' ? 0 : 1 + width(record)), rule, columns, palette)]
    : [palette.file(location), withRule(`  ${record}`, 2 + width(record), rule, columns, palette)];
  const message = wrapToWidth(escapeUnprintable(f.message), columns - MESSAGE_INDENT);
  const severity = palette.severity[f.severity](f.severity) + ' '.repeat(SEVERITY_WIDTH - f.severity.length);
  return [...head, ...message.map((l, i) => `${i === 0 ? `  ${severity}  ` : ' '.repeat(MESSAGE_INDENT)}${l}`.trimEnd())];
}

/** `left` (already painted, `leftWidth` columns) with the rule id right-aligned at the width, two spaces at least. */
function withRule(left: string, leftWidth: number, rule: string, columns: number, palette: Palette): string {
  return `${left}${' '.repeat(Math.max(2, columns - leftWidth - width(rule)))}${palette.dim(rule)}`;
}


/** The tally's text and its paint (wrapped before it is painted). */
function tally(result: RunResult, c: Record<Severity, number>, palette: Palette): [string, Paint] {
  const found = c.error + c.warning + c.info;
  if (found === 0) {
    const { summary } = result;
    // Nothing checked is no pass: never print the green tick for it.
    const headlines = summary.headlines ?? 0;
    if (summary.audited === 0 && headlines > 0) return [`✔ No problems (${countOf(headlines, 'headline number')} checked, no record audited)`, palette.tally.clean];
    if (summary.audited === 0) return [`✖ Nothing audited (${countOf(summary.records, 'row')} in ${countOf(summary.files, 'file')})`, palette.tally.warning];
    const skipped = summary.skipped > 0 ? `, ${summary.skipped} skipped` : '';
    return [`✔ No problems (${countOf(summary.audited, 'record')} audited in ${countOf(summary.files, 'file')}${skipped})`, palette.tally.clean];
  }
  const worst: Severity = worstSeverity(c) ?? 'info';
  return [`✖ ${countOf(found, 'problem')} (${severityCounts(c)})`, palette.tally[worst]];
}

/** The headline number, when the run has one: does the audit change it? */
function accuracyLine(result: RunResult): string[] {
  const a = result.summary.accuracy;
  if (a.groups === 0) return [];
  const change = a.recorded === null ? '' : ` (${formatDelta(a.recorded, a.recomputed)})`;
  return [
    `accuracy ${formatPercent(a.recorded)} recorded, ${formatPercent(a.recomputed)} recomputed${change}; ` +
      `${a.changed} of ${countOf(a.groups, 'group')} change answer`,
  ];
}
