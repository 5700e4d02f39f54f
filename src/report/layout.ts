/**
 * Layout shared by the reporters and explain: display width, tables and the two output styles
 * (a terminal and Markdown). Written once so that every table pads and escapes alike.
 */
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';
import { escapeCell, escapeUnprintable } from './format.js';

/**
 * Columns a string takes on a terminal (string-width: East Asian wide characters and emoji take
 * two, combining marks none, ANSI codes none), so CJK and accented tokens pad right.
 */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

/**
 * Lines of at most `width` columns, broken at spaces; a word longer than a line (a long token or
 * path) is cut, so that no line ever exceeds the width.
 */
export function wrapToWidth(text: string, width: number): string[] {
  return wrapAnsi(text, Math.max(1, width), { hard: true, trim: true }).split('\n');
}

/** Pads with spaces on the right to `width` display columns (String#padEnd counts code units). */
export function padToWidth(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

/** A GFM table; `align` has one letter per column, l or r. Cells must already be escaped. */
export function markdownTable(header: readonly string[], align: string, rows: readonly (readonly string[])[]): string[] {
  const rule = [...align].map((a) => (a === 'r' ? '---:' : '---'));
  return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
}

/** A plain-text table padded to each column's widest cell, with a dashes rule under the header. */
export function textTable(header: readonly string[], align: string, rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, c) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[c] ?? ''))));
  const pad = (cells: readonly string[]) =>
    cells
      .map((cell, c) => {
        const fill = ' '.repeat(widths[c] - displayWidth(cell));
        return align[c] === 'r' ? fill + cell : cell + fill;
      })
      .join('  ')
      .trimEnd();
  return [pad(header), pad(widths.map((w) => '-'.repeat(w))), ...rows.map(pad)];
}

/** What differs between the terminal and Markdown; a document is written once against it. */
export interface Style {
  /** A token, completion or prompt: quoted, so leading spaces and newlines show. */
  quote(text: string): string;
  /** Free text (messages, ids, paths) made safe for the medium. */
  text(text: string): string;
  heading(title: string, level: 1 | 2 | 3): string[];
  /** Cells must already be escaped; `align` has one letter per column, l or r. */
  table(header: readonly string[], align: string, rows: readonly (readonly string[])[]): string[];
  /** `key: value` lines; values already escaped. */
  items(pairs: readonly (readonly [string, string])[], indent?: number): string[];
}

/**
 * On a terminal a token is printed as a JSON string: whitespace shows, and control characters
 * or bidi overrides that JSON leaves raw are escaped so they cannot drive the terminal.
 */
export const TEXT_STYLE: Style = {
  quote: (t) => escapeUnprintable(JSON.stringify(t)),
  text: (t) => escapeUnprintable(t),
  heading: (title, level) => (level === 1 ? [title, ''] : level === 2 ? [title, '-'.repeat(displayWidth(title))] : [`${title}:`]),
  table: textTable,
  items(pairs, indent = 0) {
    // Values start in one column, so a list of numbers reads like a table.
    const keyWidth = Math.max(...pairs.map(([k]) => displayWidth(k)));
    return pairs.map(([k, v]) => `${' '.repeat(indent)}${padToWidth(`${k}:`, keyWidth + 1)} ${v}`.trimEnd());
  },
};

/**
 * In Markdown a token is JSON-quoted and then escaped: a table cell trims the leading space
 * that often tells two tokens apart, and escapeCell keeps `|` and friends from breaking the row.
 */
export const MARKDOWN_STYLE: Style = {
  quote: (t) => escapeCell(JSON.stringify(t)),
  text: (t) => escapeCell(t),
  // The blank line keeps a following table or list its own block in every renderer.
  heading: (title, level) => [`${'#'.repeat(level)} ${title}`, ''],
  table: markdownTable,
  items(pairs, indent = 0) {
    return pairs.map(([k, v]) => `${'  '.repeat(indent / 2)}- **${k}:** ${v}`.trimEnd());
  },
};
