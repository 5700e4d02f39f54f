/**
 * The benchmark's inputs, at a tiny size: each generator writes the same bytes for the same spec
 * (and other bytes for another seed), every record validates against the canonical schema, the
 * audit finds exactly the bugs the generator put in (the counts bench/run.ts checks each timed
 * run against), a split into files keeps the bytes and the findings, an input is regenerated
 * when its generator version changes and not merely when it is present, and the Python baseline
 * flags the same records. No timing here: that is `npm run bench`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureInput, ensureSplit, expectedFindings, generate, GENERATOR_VERSION, GROUP_SIZE, type InputSpec, type Manifest } from '../bench/generate.js';
import { runCli } from './helpers/cli-process.js';
import { parseCpuLine, stealShare, warm } from '../bench/machine.js';

const dir = mkdtempSync(join(tmpdir(), 'evalaudit-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 10 groups, every other one buggy: each kind's five bugs once. */
const SPECS: Record<string, InputSpec> = {
  score: { kind: 'score', records: 40, bugEvery: 2 },
  compact: { kind: 'score', compact: true, records: 40, bugEvery: 2 },
  topk: { kind: 'topk', records: 40, bugEvery: 2 },
  logits: { kind: 'logits', records: 40, bugEvery: 2, vocab: 256 },
};
const COVERAGE: Record<string, string> = { score: 'score', compact: 'score', topk: 'topk', logits: 'logits' };

/** JSON.parse that reads Python's NaN / Infinity as numbers (they occur as values only). */
function parsePython(line: string): unknown {
  const marked = line.replace(/(?<=[:[,] ?)(NaN|-?Infinity)(?=[,\]}])/g, '"__$1__"');
  const values: Record<string, number> = { __NaN__: NaN, __Infinity__: Infinity, '__-Infinity__': -Infinity };
  return JSON.parse(marked, (_key, v: unknown) => (typeof v === 'string' && v in values ? values[v] : v));
}

interface Summary {
  records: number;
  audited: number;
  invalid: number;
  coverage: Record<string, number>;
  byRule: Record<string, number>;
}

function auditSummary(path: string): Summary {
  const report = join(dir, 'report.json');
  const run = runCli(['audit', path, '--format', 'json', '--output', report, '--fail-on', 'none', '--no-config']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (JSON.parse(readFileSync(report, 'utf8')) as { summary: Summary }).summary;
}

const made = new Map<string, Manifest>();
for (const [name, spec] of Object.entries(SPECS)) made.set(name, generate(join(dir, `${name}.jsonl`), spec));

describe('bench generators', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'record.schema.json'), 'utf8')) as object;
  // As the audit validates: strict off, so a number may be NaN or ±Infinity (strictNumbers would refuse them).
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

  for (const [name, spec] of Object.entries(SPECS)) {
    describe(name, () => {
      const file = join(dir, `${name}.jsonl`);
      const manifest = made.get(name)!;

      it('writes the same bytes for the same spec, other bytes for another seed', () => {
        const again = join(dir, `${name}-again.jsonl`);
        expect(generate(again, spec)).toEqual(manifest);
        expect(readFileSync(again).equals(readFileSync(file))).toBe(true);
        generate(again, { ...spec, seed: 7 });
        expect(readFileSync(again).equals(readFileSync(file))).toBe(false);
      });

      it('writes what its manifest says: records, groups of 4, bytes, five buggy groups', () => {
        const lines = readFileSync(file, 'utf8').split('\n');
        expect(lines.pop()).toBe('');
        expect(lines.length).toBe(manifest.records);
        expect(manifest).toMatchObject({ version: GENERATOR_VERSION, records: 40, groups: 10, bytes: readFileSync(file).length });
        expect(Object.values(manifest.buggyGroups)).toEqual([1, 1, 1, 1, 1]);
        const groups = lines.map((l) => (parsePython(l) as { group: string }).group);
        for (let i = 0; i < groups.length; i++) expect(groups[i]).toBe(groups[i - (i % GROUP_SIZE)]);
      });

      it('writes records that validate against the canonical schema', () => {
        for (const line of readFileSync(file, 'utf8').trimEnd().split('\n')) {
          const ok = validate(parsePython(line));
          expect(ok, JSON.stringify(validate.errors)).toBe(true);
        }
      });

      it('is audited with exactly the findings its bugs make', () => {
        const s = auditSummary(file);
        expect({ records: s.records, audited: s.audited, invalid: s.invalid }).toEqual({ records: 40, audited: 40, invalid: 0 });
        expect(s.coverage[COVERAGE[name]]).toBe(40);
        expect(s.byRule).toEqual(expectedFindings(manifest));
        expect(Object.keys(s.byRule)).toHaveLength(5);
      });
    });
  }

  it('sizes rows as the benchmark says: score ~480 B, compact ~130 B, top-k ~8 KB, logits one row of the vocabulary per token', () => {
    const per = (name: string) => made.get(name)!.bytes / made.get(name)!.records;
    expect(per('score')).toBeGreaterThan(400);
    expect(per('score')).toBeLessThan(560);
    expect(per('compact')).toBeLessThan(140);
    expect(per('topk')).toBeGreaterThan(6000);
    expect(per('topk')).toBeLessThan(11000);
    const first = parsePython(readFileSync(join(dir, 'logits.jsonl'), 'utf8').split('\n')[0]) as { logits: number[][]; token_ids: number[] };
    expect(first.logits.length).toBe(first.token_ids.length);
    for (const row of first.logits) expect(row.length).toBe(256);
  });
});

describe('bench inputs on disk', () => {
  it('splits a file at group boundaries into files holding the same bytes and findings', () => {
    const file = join(dir, 'topk.jsonl');
    const split = join(dir, 'topk-x3');
    const m = ensureSplit(file, made.get('topk')!, split, 3);
    const parts = readdirSync(split).sort();
    expect(parts).toEqual(['part-000.jsonl', 'part-001.jsonl', 'part-002.jsonl']);
    const texts = parts.map((p) => readFileSync(join(split, p), 'utf8'));
    expect(texts.join('')).toBe(readFileSync(file, 'utf8'));
    for (const t of texts) expect(t.split('\n').length - 1).toBeGreaterThan(0);
    for (const t of texts) expect((t.split('\n').length - 1) % GROUP_SIZE).toBe(0);
    expect(m.files).toBe(3);
    expect(auditSummary(split).byRule).toEqual(expectedFindings(m));
  });

  it('regenerates an input when its generator version or spec changes, not because it is present', () => {
    const file = join(dir, 'kept.jsonl');
    const spec: InputSpec = { kind: 'score', records: 8 };
    let generated = 0;
    const count = () => void generated++;
    ensureInput(file, spec, count);
    ensureInput(file, spec, count);
    expect(generated).toBe(1);
    const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8')) as Manifest;
    writeFileSync(`${file}.manifest.json`, JSON.stringify({ ...manifest, version: GENERATOR_VERSION - 1 }));
    ensureInput(file, spec, count);
    expect(generated).toBe(2);
    ensureInput(file, { ...spec, records: 12 }, count);
    expect(generated).toBe(3);
    writeFileSync(file, 'truncated\n');
    ensureInput(file, { ...spec, records: 12 }, count);
    expect(generated).toBe(4);
  });
});

const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!numpy)('the Python baseline (bench/py_auditor.py)', () => {
  // It flags records whose numbers disagree and groups whose pick or scores are wrong.
  const expected: Record<string, { mismatches: number; groupMismatches: number }> = {
    score: { mismatches: 4 + 4 + 1, groupMismatches: 2 }, // product, positive sum, one NaN; a shared score, the worst picked
    topk: { mismatches: 20, groupMismatches: 0 },
    logits: { mismatches: 20, groupMismatches: 0 },
  };
  for (const [name, want] of Object.entries(expected)) {
    it(`flags the buggy ${name} records and nothing clean`, () => {
      const run = spawnSync('python3', [join(__dirname, '..', 'bench', 'py_auditor.py'), join(dir, `${name}.jsonl`)], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ records: 40, ...want });
    });
  }
});

describe('bench machine readings', () => {
  it("reads /proc/stat's cpu line: the total of its first eight fields and the steal among them", () => {
    const stat = 'cpu  100 5 20 800 10 1 2 12 40 0\ncpu0 50 2 10 400 5 0 1 6 20 0\nintr 123\n';
    // guest (40) is inside user already: not counted twice.
    expect(parseCpuLine(stat)).toEqual({ total: 950, steal: 12 });
    expect(parseCpuLine('cpu0 1 2 3 4 5 6 7 8\n')).toBeNull();
    expect(parseCpuLine('cpu  1 2 3\n')).toBeNull();
  });

  it('the steal share is the stolen part of the time between two readings', () => {
    expect(stealShare({ total: 1000, steal: 10 }, { total: 1400, steal: 110 })).toBeCloseTo(0.25, 12);
    expect(stealShare({ total: 1000, steal: 10 }, { total: 1000, steal: 10 })).toBeNull();
    expect(stealShare(null, { total: 1, steal: 0 })).toBeNull();
  });

  it('warm reads every byte of a file, or of every file under a directory', () => {
    const tree = join(dir, 'warm');
    mkdirSync(join(tree, 'sub'), { recursive: true });
    writeFileSync(join(tree, 'a.jsonl'), 'x'.repeat(3 << 20)); // more than one read buffer
    writeFileSync(join(tree, 'sub', 'b.jsonl'), 'yy');
    expect(warm(join(tree, 'a.jsonl'))).toBe(3 << 20);
    expect(warm(tree)).toBe((3 << 20) + 2);
    expect(warm(join(tree, 'missing'))).toBe(0);
  });
});
