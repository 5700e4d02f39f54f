/**
 * What every audit must satisfy, whatever its input: counts that add up (and match the
 * model where it knows them), a report valid against its schema, the same bytes for any
 * --concurrency, and Markdown whose tables a real parser (micromark's GFM tables, as GitHub
 * renders them) reads back cell for cell as written.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { gfmTable } from 'micromark-extension-gfm-table';
import type { RunResult } from '../../src/engine/result.js';
import { buildJsonReport } from '../../src/report/json.js';
import { displayPath, escapeUnprintable } from '../../src/report/format.js';
import { MAX_ROWS_PER_RULE, renderMarkdown } from '../../src/report/markdown.js';
import { reportValidator } from '../helpers/report-schema.js';
import type { FileCase } from './arbitraries.js';

export function writeRun(files: readonly FileCase[]): { dir: string; paths: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-fuzz-'));
  const paths = files.map((f) => {
    const path = join(dir, f.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    return path;
  });
  return { dir, paths };
}

/** Counts that add up, and that match the model where it knows them. */
export function checkAccounting(result: RunResult, files: readonly FileCase[], paths: readonly string[]): void {
  const { summary } = result;
  expect(summary.files).toBe(files.length);
  for (const f of result.files) expect(f.records, f.file).toBe(f.audited + f.invalid + f.skipped);
  const sum = (key: 'records' | 'audited' | 'invalid' | 'skipped') => result.files.reduce((s, f) => s + f[key], 0);
  expect([summary.records, summary.audited, summary.invalid, summary.skipped]).toEqual([sum('records'), sum('audited'), sum('invalid'), sum('skipped')]);
  files.forEach((c, i) => {
    const got = result.files.find((f) => f.file === paths[i]);
    expect(got, paths[i]).toBeDefined();
    if (c.expect === null || !got) return;
    expect(got.format, paths[i]).not.toBeNull();
    expect({ records: got.records, invalid: got.invalid, skipped: got.skipped }, paths[i]).toEqual({ records: c.expect.records, invalid: c.expect.invalid, skipped: c.expect.skipped });
    const lines = [...result.findings].filter((x) => x.file === paths[i] && x.ruleId === 'invalid-record').map((x) => x.line);
    expect(lines, paths[i]).toEqual(c.expect.invalidLines);
  });
}

export function checkSchema(result: RunResult, cwd: string): void {
  const validate = reportValidator();
  const ok = validate(buildJsonReport(result, { cwd }));
  expect(ok, JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
}

interface MdNode {
  type: string;
  value?: string;
  depth?: number;
  children?: MdNode[];
}

/** The plain text of a node, as a reader sees it (escapes resolved), without recursion. */
function plainText(node: MdNode): string {
  let out = '';
  const stack: MdNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (typeof n.value === 'string') out += n.value;
    if (n.children) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

/** A cell as GFM renders it: surrounding spaces dropped. */
const cellText = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');

/** Tables of the Markdown report after their heading, read back by a GFM parser. */
function tablesByHeading(markdown: string): Map<string, string[][]> {
  const tree = fromMarkdown(markdown, { extensions: [gfmTable()], mdastExtensions: [gfmTableFromMarkdown()] }) as MdNode;
  const out = new Map<string, string[][]>();
  let heading = '';
  for (const node of tree.children ?? []) {
    if (node.type === 'heading') heading = plainText(node);
    if (node.type === 'table') out.set(heading, (node.children ?? []).map((row) => (row.children ?? []).map((cell) => plainText(cell))));
  }
  return out;
}

export function checkMarkdown(result: RunResult, cwd: string): void {
  const markdown = renderMarkdown(result, { cwd, color: false });
  const tables = tablesByHeading(markdown);
  for (const [heading, rows] of tables) {
    for (const row of rows) expect(row.length, `a row of the ${heading} table: ${JSON.stringify(row)}`).toBe(rows[0].length);
  }
  const files = tables.get('Files');
  expect(files).toBeDefined();
  // File, format, records, the evidence columns, skipped, invalid.
  const fileRows = result.files.map((f) => [cellText(escapeUnprintable(displayPath(f.file, cwd))), String(f.records), String(f.skipped), String(f.invalid)]);
  expect(files!.slice(1, 1 + result.files.length).map((r) => [r[0], r[2], r[r.length - 2], r[r.length - 1]])).toEqual(fileRows);
  // Each rule's findings, in report order, with their location, record and message as written.
  const byRule = new Map<string, string[][]>();
  for (const f of result.findings) {
    const list = byRule.get(f.ruleId) ?? [];
    if (list.length < MAX_ROWS_PER_RULE) {
      const id = f.recordId === undefined ? undefined : escapeUnprintable(String(f.recordId));
      const group = f.group === undefined ? undefined : `group ${escapeUnprintable(String(f.group))}`;
      const record = id === undefined ? (group ?? '—') : group === undefined ? id : `${id} (${group})`;
      list.push([escapeUnprintable(`${displayPath(f.file, cwd)}:${f.line}`), record, escapeUnprintable(f.message)].map(cellText));
    }
    byRule.set(f.ruleId, list);
  }
  for (const [heading, rows] of tables) {
    const rule = /^(\S+) \(/.exec(heading)?.[1];
    if (rule === undefined || !byRule.has(rule)) continue;
    expect(rows.slice(1).map((r) => [r[0], r[1], r[4]]), heading).toEqual(byRule.get(rule));
    byRule.delete(rule);
  }
  expect([...byRule.keys()], 'rules whose findings have no table').toEqual([]);
}
