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
import { runCli, runShell } from '../helpers/cli-process.js';
import { HELD } from '../../src/engine/finding-spool.js';

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

/** A partial report's lines, parsed (it is JSON Lines: the header first). */
const linesOf = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
/** How many passes a partial holds (its header says, and its pass lines agree). */
function passCount(path: string): number {
  const [header, ...rest] = linesOf(path);
  expect(rest.filter((l) => 'pass' in l)).toHaveLength(header.passes as number);
  return header.passes as number;
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
    const passes = partials.map(passCount);
    expect(passes.filter((n) => n > 0).length).toBeGreaterThan(1); // the files really are spread
    expectSameAsOneMachine(['sample-runs'], partials, 'four');
    // In any order on the command line.
    const reversed = reports(['merge', ...[...partials].reverse()], join(tmp, 'four', 'reversed'));
    expect(reversed.files.json).toBe(readFileSync(join(tmp, 'four', 'single', 'report.json'), 'utf8'));
    // From pipes (read once: merge keeps them open after their header), beside regular files.
    const piped = runShell(`"$NODE" "$BIN" merge <(cat '${partials[0]}') '${partials[1]}' <(cat '${partials[2]}') <(cat '${partials[3]}') --format json`, root);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe(readFileSync(join(tmp, 'four', 'single', 'report.json'), 'utf8'));
  });

  it('1 shard, and shards that get no file (3 shards of one file)', () => {
    expectSameAsOneMachine(['sample-runs'], shards('one', ['sample-runs'], 1), 'one');
    const partials = shards('empty', ['sample-runs/cat.jsonl'], 3);
    const empty = partials.filter((p) => passCount(p) === 0);
    expect(empty.length).toBe(2);
    expectSameAsOneMachine(['sample-runs/cat.jsonl'], partials, 'empty');
  });

  it('partials follow schema/partial.schema.json, line by line', () => {
    const schema = JSON.parse(readFileSync(join(root, 'schema', 'partial.schema.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const kinds = new Set<string>();
    for (const p of shards('schema', ['sample-runs'], 2)) {
      for (const line of linesOf(p)) {
        expect(validate(line), JSON.stringify(validate.errors)).toBe(true);
        kinds.add('format' in line ? 'header' : Object.keys(line).sort().join(','));
      }
    }
    // Every kind of line was there to be checked.
    expect([...kinds].sort()).toEqual(['audited', 'audited,findings,index,pass', 'finding', 'header']);
    expect(validate({ format: 'evalaudit-partial' })).toBe(false);
    expect(validate({ finding: 1, audited: [] })).toBe(false);
  });

  it('a shard whose findings spill (more than a pass holds) merges to the single-process reports', () => {
    // HELD + 808 probability-product findings in one file, 2,000 score mismatches in another:
    // the shard writes the first from the spool's sorted runs, merge spools them again.
    const dir = join(tmp, 'spilled', 'runs');
    mkdirSync(dir, { recursive: true });
    const rows = (n: number, score: (i: number) => string) => Array.from({ length: n }, (_, i) => `{"id": "r${i}", "score": ${score(i)}, "logprobs": [-1.0, -0.5]}`).join('\n');
    writeFileSync(join(dir, 'a.jsonl'), rows(HELD + 808, (i) => String(0.1 + (i % 7) / 10)));
    writeFileSync(join(dir, 'b.jsonl'), rows(3000, (i) => (i % 3 === 0 ? '-1.5' : '-9.25')));
    const partials = shards('spilled', [dir], 2);
    const findings = partials.reduce((n, p) => n + linesOf(p).filter((l) => 'finding' in l).length, 0);
    expect(findings).toBe(HELD + 2808);
    expectSameAsOneMachine([dir], partials, 'spilled');
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
    const [head, ...rest] = readFileSync(parts[0], 'utf8').split('\n');
    const doc = JSON.parse(head) as { tool: { version: string } };
    doc.tool.version = '0.0.0-elsewhere';
    const old = join(tmp, 'errors', 'old.json');
    writeFileSync(old, [JSON.stringify(doc), ...rest].join('\n'));
    const r = merge(old, ...parts.slice(1));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${old} was written by evalaudit 0.0.0-elsewhere`);
  });

  it('a partial cut short, or with a line that is not what its pass promised, naming the file and line', () => {
    // The shard with most lines (it has findings), and the other three.
    const lineCount = (p: string) => readFileSync(p, 'utf8').split('\n').length;
    const k = parts.reduce((best, p, i) => (lineCount(p) > lineCount(parts[best]) ? i : best), 0);
    const others = parts.filter((_, i) => i !== k);
    const full = readFileSync(parts[k], 'utf8').split('\n').filter((l) => l !== '');
    expect(full.length).toBeGreaterThan(3);
    const cut = join(tmp, 'errors', 'cut.json');
    writeFileSync(cut, `${full.slice(0, -1).join('\n')}\n`);
    const r = merge(cut, ...others);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cut}: the partial report is incomplete`);
    // A pass line where one of the previous pass's findings should be.
    const at = full.findIndex((l) => l.startsWith('{"finding"'));
    const swapped = join(tmp, 'errors', 'swapped.json');
    writeFileSync(swapped, `${[...full.slice(0, at), full[1], ...full.slice(at + 1)].join('\n')}\n`);
    expect(at).toBeGreaterThan(1);
    const s = merge(swapped, ...others);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(new RegExp(`${swapped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${at + 1}: \\d+ more findings of file \\d+ were expected`));
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
