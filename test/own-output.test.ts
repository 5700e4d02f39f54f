/**
 * evalaudit's own outputs met again in an audited tree (a CI job that writes its report into the
 * results folder audits it on the next run): each is read as `evalaudit-output` and skipped, so
 * the second audit finds what the first found, no more.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE } from '../src/config/load.js';
import { OWN_CONFIG_FILE, OWN_OUTPUT_SKIP, OWN_PARTIAL_FORMAT } from '../src/ingest/formats/evalaudit-output.js';
import { PARTIAL_FORMAT } from '../src/shard/partial-report.js';
import { runCli } from './helpers/cli-process.js';

const root = join(__dirname, '..');

describe("evalaudit's own outputs in the audited tree", () => {
  it('the report, SARIF log, baseline, partial report and config are skipped with why: the findings stay those of the run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalaudit-own-'));
    copyFileSync(join(root, 'sample-runs', 'cat.jsonl'), join(dir, 'cat.jsonl'));
    const first = runCli(['audit', dir, '--format', 'json', '--fail-on', 'none'], { cwd: tmpdir() });
    expect(first.code).toBe(0);
    const findings = JSON.parse(first.stdout).findings;
    expect(findings.length).toBeGreaterThan(0);

    writeFileSync(join(dir, 'evalaudit.json'), first.stdout);
    expect(runCli(['audit', dir, '--format', 'sarif', '-o', join(dir, 'evalaudit.sarif.json'), '--fail-on', 'none']).code).toBe(0);
    expect(runCli(['audit', join(dir, 'cat.jsonl'), '--update-baseline', '--baseline', join(dir, 'evalaudit.baseline.json')]).code).toBe(0);
    expect(runCli(['audit', join(dir, 'cat.jsonl'), '--shard', '0/1', '-o', join(dir, 'part-0.json')]).code).toBe(0);
    writeFileSync(join(dir, 'evalaudit.config.json'), '{"failOn": "error"}\n');

    const again = runCli(['audit', dir, '--format', 'json', '--fail-on', 'none'], { cwd: tmpdir() });
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.findings).toEqual(findings);
    const own = report.files.filter((f: { format: string }) => f.format === 'evalaudit-output').map((f: { file: string; skipReasons: object }) => [f.file.split('/').pop(), Object.keys(f.skipReasons)]);
    expect(own.sort()).toEqual(
      ['evalaudit.baseline.json', 'evalaudit.config.json', 'evalaudit.json', 'evalaudit.sarif.json', 'part-0.json'].map((name) => [name, [OWN_OUTPUT_SKIP]]),
    );
  });

  it("names the partial format and config file as the shard and config layers do", () => {
    expect(OWN_PARTIAL_FORMAT).toBe(PARTIAL_FORMAT);
    expect(OWN_CONFIG_FILE).toBe(CONFIG_FILE);
  });
});
