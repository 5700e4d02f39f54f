/**
 * Sharded audits end to end, each shard a separate process of the built CLI: `audit --shard`
 * then `merge` writes the very bytes (JSON, Markdown, SARIF, JUnit, text) and exit code one
 * `audit` of every file writes, for 4 shards, 1 shard, and shards that get no file; partials
 * follow their schema; and merge refuses, naming the files, a set of partials that is not one
 * audit's complete set of shards.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';

const root = join(__dirname, '..', '..');
const FORMATS = ['json', 'markdown', 'sarif', 'junit', 'text'] as const;
let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'evalaudit-shards-'));
});

const inRoot = (args: string[]) => runCli(args, { cwd: root, env: { ...process.env, COLUMNS: '80', FORCE_COLOR: '0', GITHUB_ACTIONS: '' } });

/** Every report format of one run, written by --report into `dir`; returns the exit code and the reports. */
function reports(command: string[], dir: string): { code: number | null; stderr: string; files: Record<string, string> } {
  mkdirSync(dir, { recursive: true });
  const r = inRoot([...command, ...FORMATS.flatMap((f) => ['--report', `${f}=${join(dir, `report.${f}`)}`])]);
  return { code: r.code, stderr: r.stderr, files: Object.fromEntries(FORMATS.map((f) => [f, readFileSync(join(dir, `report.${f}`), 'utf8')])) };
}

/** Runs COUNT shards of `paths` (extra flags for each), each its own process; returns the partials' paths. */
function shards(name: string, paths: string[], count: number, flags: (i: number) => string[] = () => []): string[] {
  return Array.from({ length: count }, (_, i) => {
    const out = join(tmp, name, `part-${i}.json`);
    const r = inRoot(['audit', ...paths, '--shard', `${i}/${count}`, '--output', out, ...flags(i)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return out;
  });
}

function expectSameAsOneMachine(paths: string[], partials: string[], name: string): void {
  const single = reports(['audit', ...paths], join(tmp, name, 'single'));
  const merged = reports(['merge', ...partials], join(tmp, name, 'merged'));
  expect(merged.code).toBe(single.code);
  expect(merged.stderr).toBe(single.stderr);
  for (const f of FORMATS) expect(merged.files[f], f).toBe(single.files[f]);
}

describe('audit --shard, then merge', () => {
  it('4 shards over the sample runs: byte for byte the single-process reports, and the same exit code', () => {
    const partials = shards('four', ['sample-runs'], 4);
    const passes = partials.map((p) => (JSON.parse(readFileSync(p, 'utf8')) as { passes: unknown[] }).passes.length);
    expect(passes.filter((n) => n > 0).length).toBeGreaterThan(1); // the files really are spread
    expectSameAsOneMachine(['sample-runs'], partials, 'four');
    // In any order on the command line.
    const reversed = reports(['merge', ...[...partials].reverse()], join(tmp, 'four', 'reversed'));
    expect(reversed.files.json).toBe(readFileSync(join(tmp, 'four', 'single', 'report.json'), 'utf8'));
  });

  it('1 shard, and shards that get no file (3 shards of one file)', () => {
    expectSameAsOneMachine(['sample-runs'], shards('one', ['sample-runs'], 1), 'one');
    const partials = shards('empty', ['sample-runs/cat.jsonl'], 3);
    const empty = partials.filter((p) => (JSON.parse(readFileSync(p, 'utf8')) as { passes: unknown[] }).passes.length === 0);
    expect(empty.length).toBe(2);
    expectSameAsOneMachine(['sample-runs/cat.jsonl'], partials, 'empty');
  });

  it('partials follow schema/partial.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema', 'partial.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    for (const p of shards('schema', ['sample-runs'], 2)) {
      expect(validate(JSON.parse(readFileSync(p, 'utf8'))), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ format: 'evalaudit-partial' })).toBe(false);
  });
});

describe('merge refuses what is not one audit', () => {
  let parts: string[] = [];
  beforeAll(() => {
    parts = shards('errors', ['sample-runs'], 4);
  });
  const merge = (...files: string[]) => inRoot(['merge', ...files, '--format', 'json']);

  it('a missing shard', () => {
    const r = merge(parts[0], parts[1], parts[3]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing shard 2/4');
  });

  it('a shard given twice, naming both files', () => {
    const copy = join(tmp, 'errors', 'copy-of-1.json');
    cpSync(parts[1], copy);
    const r = merge(...parts, copy);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`shard 1/4 is given twice: ${parts[1]} and ${copy}`);
  });

  it('partials of other settings, inputs, shard counts or tool versions', () => {
    const [other] = shards('other-rules', ['sample-runs'], 4, (i) => (i === 0 ? ['--rule', 'low-precision=off'] : []));
    expect(merge(other, ...parts.slice(1)).stderr).toMatch(/are shards of different audits: their settings .* differ/);
    const [ignored] = shards('other-inputs', ['sample-runs'], 1, () => ['--ignore', '**/cat.jsonl']);
    expect(merge(ignored, ...parts).stderr).toMatch(/their inputs \(the files found\) differ/);
    const [two] = shards('other-count', ['sample-runs'], 2);
    expect(merge(two, ...parts.slice(1)).stderr).toMatch(/their shard count differ.*\(2 and 4\)/);
    const doc = JSON.parse(readFileSync(parts[0], 'utf8')) as { tool: { version: string } };
    doc.tool.version = '0.0.0-elsewhere';
    const old = join(tmp, 'errors', 'old.json');
    writeFileSync(old, JSON.stringify(doc));
    const r = merge(old, ...parts.slice(1));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${old} was written by evalaudit 0.0.0-elsewhere`);
  });

  it('a file that is no partial report', () => {
    const report = join(tmp, 'errors', 'report.json');
    inRoot(['audit', 'sample-runs', '--format', 'json', '--output', report]);
    const r = merge(report);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${report} is no partial report`);
    expect(inRoot(['merge']).stderr).toContain('name the partial reports to merge');
  });
});

describe('--shard usage errors', () => {
  it.each([
    ['4/4', /with COUNT 4 the shards are 0\/4 … 3\/4.*counting from 1/],
    ['0/0', /COUNT must be at least 1/],
    ['x', /--shard takes INDEX\/COUNT, INDEX counted from 0/],
  ])('--shard %s', (spec, message) => {
    const r = inRoot(['audit', 'sample-runs', '--shard', spec]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
  it('report and gate flags belong to merge; stdin cannot be sharded', () => {
    const r = inRoot(['audit', 'sample-runs', '--shard', '0/2', '--format', 'json', '--fail-on', 'warning']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format, --fail-on belong to evalaudit merge');
    expect(inRoot(['audit', '-', '--shard', '0/2']).stderr).toContain('standard input (-) cannot be sharded');
  });
});
