/** The JSON and SARIF reports in pieces are those reports, and pieces are written whole, to files and appended. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/engine/result.js';
import type { Finding } from '../src/types.js';
import { reporters } from '../src/report/index.js';
import { isReportFormat, loadChunkedReporter, REPORT_FORMATS } from '../src/report/load.js';
import { buildJsonReport, renderJsonChunks } from '../src/report/json.js';
import { buildSarif, renderSarifChunks } from '../src/report/sarif.js';
import { writeReport } from '../src/output/write.js';
import { renderJunitChunks } from '../src/report/junit.js';
import { FIXTURE_CWD, makeRunResult } from './fixtures/report/run-result.js';
import { auditedListOf } from '../src/engine/audited-list.js';
import { IN_REPORT_ORDER, sortFindings } from '../src/engine/order.js';

const options = { color: false, cwd: FIXTURE_CWD };

/** What the JSON report was before it came in pieces: the report object, stringified at once. */
const whole = (r: RunResult) => `${JSON.stringify(buildJsonReport(r, options), null, 2)}\n`;

describe('JSON, SARIF and text reports in pieces', () => {
  const base = makeRunResult();

  it('joins to the whole report, with no findings, some, and more than one piece holds', async () => {
    const textChunks = await loadChunkedReporter('text');
    const many = Array.from({ length: 600 }, (_, i) => ({ ...base.findings[i % base.findings.length], line: i + 1 }));
    for (const r of [base, { ...base, findings: [] }, { ...base, findings: many }]) {
      const pieces = [...renderJsonChunks(r, options)];
      expect(pieces.join('')).toBe(whole(r));
      expect(reporters.json(r, options)).toBe(whole(r));
      if (r.findings.length === 600) expect(pieces.length).toBeGreaterThan(3);
      const sarif = [...renderSarifChunks(r, options)];
      expect(sarif.join('')).toBe(`${JSON.stringify(buildSarif(r, options), null, 2)}\n`);
      expect(reporters.sarif(r, options)).toBe(sarif.join(''));
      const text = [...textChunks(r, { ...options, width: 100 })];
      expect(text.join('')).toBe(reporters.text(r, { ...options, width: 100 }));
      // Cut between findings, never inside one: every piece but the last ends a finding's last line.
      if (r.findings.length === 600) expect(text.length).toBeGreaterThan(1);
      for (const piece of text.slice(0, -1)) expect(piece.endsWith('\n')).toBe(false);
    }
    expect(base.findings.length).toBeGreaterThan(0);
  });

  it("every format the CLI loads is the library's reporter of that name, in pieces or as its one whole text", async () => {
    expect([...REPORT_FORMATS]).toEqual(Object.keys(reporters));
    for (const format of REPORT_FORMATS) {
      expect([...(await loadChunkedReporter(format))(base, options)].join('')).toBe(reporters[format](base, options));
    }
    expect(isReportFormat('nope')).toBe(false);
    expect(isReportFormat('toString')).toBe(false);
  });

  it('writes pieces to a file (atomically) and appends them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalaudit-chunks-'));
    const file = join(dir, 'out', 'report.json');
    await writeReport({ kind: 'file', path: file }, renderJsonChunks(base, options));
    expect(readFileSync(file, 'utf8')).toBe(whole(base));
    const log = join(dir, 'summary.md');
    writeFileSync(log, 'before\n');
    await writeReport({ kind: 'file', path: log, append: true }, ['a', 'ü\n', '猫\n']);
    expect(readFileSync(log, 'utf8')).toBe('before\naü\n猫\n');
  });

  it('passes on an error making the pieces as it is (not as a failure to write), leaving the old file in place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalaudit-chunks-'));
    const file = join(dir, 'report.json');
    writeFileSync(file, 'the last report\n');
    const planted = new TypeError('planted reporter bug');
    function* failing(): Generator<string> {
      yield '{\n';
      throw planted;
    }
    await expect(writeReport({ kind: 'file', path: file }, failing())).rejects.toBe(planted);
    expect(readFileSync(file, 'utf8')).toBe('the last report\n');
    expect(readdirSync(dir)).toEqual(['report.json']); // no temporary file left
    await expect(writeReport({ kind: 'file', path: file, append: true }, failing())).rejects.toBe(planted);
    // A piece that is no string, or pieces that cannot be iterated, are the maker's fault too.
    await expect(writeReport({ kind: 'file', path: file }, [42 as unknown as string])).rejects.toThrow(/a report piece is number, not a string/);
    const broken = { [Symbol.iterator]: () => { throw planted; } } as unknown as Iterable<string>;
    await expect(writeReport({ kind: 'file', path: file }, broken)).rejects.toBe(planted);
    // The append above wrote its first piece, and took it back when the next failed.
    expect(readFileSync(file, 'utf8')).toBe('the last report\n');
    // A failure to write is still one, naming the file.
    await expect(writeReport({ kind: 'file', path: join(file, 'x.json') }, ['{}'])).rejects.toThrow(/cannot write .*report\.json/);
  });

  it.runIf(existsSync('/dev/full'))('closes the pieces when a write fails partway (what makes them releases what it holds)', async () => {
    let closed = false;
    function* pieces(): Generator<string> {
      try {
        for (let i = 0; i < 100; i++) yield 'x'.repeat(1 << 16);
      } finally {
        closed = true;
      }
    }
    // /dev/full takes the open and refuses every write (ENOSPC).
    await expect(writeReport({ kind: 'file', path: '/dev/full', append: true }, pieces())).rejects.toThrow(/cannot write \/dev\/full/);
    expect(closed).toBe(true);
  });
});

describe('JUnit in pieces', () => {
  /** A file of `n` groups, a finding on every 100th group and one on an unreadable line, its files listed after another file. */
  function large(n: number): RunResult {
    const base = makeRunResult();
    const file = base.files[0];
    const items = Array.from({ length: n }, (_, i) => ({ kind: 'group' as const, id: `g${i}`, line: 4 * i + 1 }));
    const template = base.findings[0]; // an error on group q17 of that file
    const findings: Finding[] = items.filter((_, i) => i % 100 === 0).map((item) => ({ ...template, group: item.id, recordId: `${item.id}-c`, line: item.line + 1 }));
    findings.push({ ...template, group: undefined, recordId: undefined, line: 4 * n + 1, message: 'not valid JSON' });
    // The other file is listed first but sorts after this one: its suite still comes first.
    const other = { ...base.files[3], auditedItems: auditedListOf([{ kind: 'record' as const, id: 'r0', line: 1 }]) };
    const otherFinding = { ...template, file: other.file, group: undefined, recordId: 'r0', line: 1 };
    return { ...base, files: [other, { ...file, auditedItems: auditedListOf(items) }], findings: [...findings, otherFinding] };
  }

  it('writes a file of many test cases in bounded pieces, its counts matching its test cases', () => {
    const r = large(20_000);
    const pieces = [...renderJunitChunks(r, options)];
    const xml = pieces.join('');
    expect(xml).toBe(reporters.junit(r, options));
    expect(xml.length).toBeGreaterThan(1_500_000);
    // Pieces do not grow with the file: the previous renderer gave the whole text as one.
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100_000);
    const cases = xml.match(/<testcase /g)!.length;
    const failing = xml.match(/<failure /g)!.length;
    expect(cases).toBe(20_000 + 1 + 1); // the groups, the unreadable line, the other file's record
    expect(failing).toBe(200 + 1 + 1);
    expect(xml).toContain(`<testsuites name="evalaudit" tests="${cases}" failures="${failing}" errors="0">`);
    expect([...xml.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['/tmp/scratch/arc_easy.jsonl', 'runs/mmlu_samples.jsonl']);
    // A group's finding is in its group's test case; the line's after every audited item.
    expect(xml).toMatch(/<testcase name="group &quot;g100&quot;"[^>]*>\n\s*<failure type="non-finite-logprob"[^>]*>error non-finite-logprob \(line 402, record &quot;g100-c&quot;\)/);
    expect(xml).toMatch(/<testcase name="group &quot;g19999&quot;"[^>]*\/>\n\s*<testcase name="line 80001"/);
  });

  it("writes a file's test cases as it reads the file's findings, in the same text as when it must hold them", () => {
    const r = large(20_000);
    const suite = (xml: string) => xml.match(/ {2}<testsuite name="runs\/mmlu_samples.jsonl"[^]*?<\/testsuite>/)![0];
    // Listed second, the large file's findings come before its testsuite may be written: they are held.
    const held = suite(reporters.junit(r, options));
    // Listed first (the findings' order), its test cases are written as its findings are read.
    const sorted = sortFindings(r.findings);
    let read = 0;
    const counted = { [IN_REPORT_ORDER]: true as const, length: sorted.length, *[Symbol.iterator]() { for (const f of sorted) { read++; yield f; } } };
    const streamed = { ...r, files: [r.files[1], r.files[0]], findings: counted };
    let readAtMiddle = -1;
    const pieces: string[] = [];
    for (const piece of renderJunitChunks(streamed, options)) {
      if (readAtMiddle < 0 && piece.includes('<testcase name="group &quot;g10000&quot;"')) readAtMiddle = read;
      pieces.push(piece);
    }
    expect(suite(pieces.join(''))).toBe(held);
    // The first pass (the counts) reads every finding; the second had read about half the file's when its middle group was written.
    expect(readAtMiddle).toBeGreaterThan(sorted.length);
    expect(readAtMiddle).toBeLessThan(sorted.length + 0.6 * sorted.length);
  });

  it('gives two audited items of one key (a group id in two tasks) the same test case, written as the findings are read or held', () => {
    const base = makeRunResult();
    const file = { ...base.files[0], auditedItems: auditedListOf([{ kind: 'group', id: 'q17', line: 2 }, { kind: 'record', id: 'q19', line: 8 }, { kind: 'group', id: 'q17', line: 9 }]) };
    const findings = base.findings.filter((f) => f.file === file.file);
    expect(findings.some((f) => f.group === 'q17')).toBe(true);
    const cases = (files: RunResult['files']) => [...reporters.junit({ ...base, files, findings }, options).matchAll(/<testcase name="group &quot;q17&quot;"[^]*?<\/testcase>/g)].map((m) => m[0]);
    const streamed = cases([file]);
    expect(streamed).toHaveLength(2);
    expect(streamed[1]).toBe(streamed[0]);
    // The same file listed twice: its findings are held, and each listing has the same test cases.
    expect(cases([file, file])).toEqual([...streamed, ...streamed]);
  });
});

