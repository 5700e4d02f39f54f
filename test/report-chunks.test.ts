/** The JSON and SARIF reports in pieces are those reports, and pieces are written whole, to files and appended. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/engine/result.js';
import { reporters } from '../src/report/index.js';
import { isReportFormat, loadChunkedReporter, REPORT_FORMATS } from '../src/report/load.js';
import { buildJsonReport, renderJsonChunks } from '../src/report/json.js';
import { buildSarif, renderSarifChunks } from '../src/report/sarif.js';
import { writeReport } from '../src/output/write.js';
import { FIXTURE_CWD, makeRunResult } from './fixtures/report/run-result.js';

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
});
