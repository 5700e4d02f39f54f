/**
 * The findings spool (src/engine/finding-spool.ts): findings written out as sorted runs and
 * merged back must be exactly what one stable sort of them all gives (order, ties, every value,
 * the numbers JSON cannot spell), and an audit whose findings spill must write the same report
 * as one that holds them all, leaving no temporary file behind.
 */
import { describe, expect, it, vi } from 'vitest';
import { closeSync, existsSync, openSync, readdirSync, readlinkSync, rmSync, writeSync } from 'node:fs';
import fc from 'fast-check';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../src/types.js';
import { FindingSpool, HELD, Spool, heldPart, partTotals } from '../src/engine/finding-spool.js';
import { IN_REPORT_ORDER, compareFindings, inReportOrder } from '../src/engine/order.js';
import { audit, auditFiles, engineConfig, finishRun } from '../src/engine/index.js';
import { defaultRuleSet } from '../rules/index.js';
import { renderJson } from '../src/report/json.js';
import { runCli } from './helpers/cli-process.js';
import { defaultWorkerModule } from '../src/parallel/worker-module.js';

const odd = fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1.5, -2.25e-300);
const finding: fc.Arbitrary<Finding> = fc.record(
  {
    ruleId: fc.constantFrom('a-rule', 'b-rule', 'c-rule'),
    messageId: fc.constantFrom('m', 'n'),
    severity: fc.constantFrom('error', 'warning', 'info'),
    file: fc.constantFrom('x.jsonl', 'y.jsonl'),
    line: fc.integer({ min: 1, max: 6 }),
    recordId: fc.option(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('r1', 'r2', 'é€😀')), { nil: undefined }),
    message: fc.constantFrom('same', 'other ≤ 1', 'line\nbreak'),
    recorded: fc.option(odd, { nil: undefined }),
    evidence: fc.option(fc.dictionary(fc.constantFrom('k', 'v'), fc.oneof(odd, fc.array(odd, { maxLength: 3 }), fc.constant(undefined))), { nil: undefined }),
  },
  { requiredKeys: ['ruleId', 'messageId', 'severity', 'file', 'line', 'message'] },
  // Plain objects, as the engine makes (fast-check's have no prototype).
).map((f) => ({ ...f, ...(f.evidence ? { evidence: { ...f.evidence } } : {}) })) as fc.Arbitrary<Finding>;

describe('finding spool', () => {
  it('merges spilled runs of every part into what one stable sort of them all gives, values exact', () => {
    fc.assert(
      fc.property(fc.array(fc.array(finding, { maxLength: 25 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 6 }), (perPart, limit) => {
        const spool = new Spool();
        const parts = perPart.map((fs) => {
          const part = new FindingSpool(spool, limit);
          for (const f of fs) part.add(f);
          return part.finish();
        });
        const list = spool.merge(parts);
        const expected = perPart.flat().sort(compareFindings);
        expect(list.length).toBe(expected.length);
        // toStrictEqual tells NaN, -0 and an undefined member from their JSON spellings.
        expect([...list]).toStrictEqual(expected);
        expect([...list]).toStrictEqual(expected); // read again: iterable as often as needed
        const byRule: Record<string, number> = {};
        const bySeverity = { error: 0, warning: 0, info: 0 };
        for (const f of expected) {
          byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
          bySeverity[f.severity]++;
        }
        const totals = partTotals(parts);
        expect(totals.byRule).toEqual(byRule);
        expect(Object.keys(totals.byRule)).toEqual(Object.keys(byRule).sort());
        expect(totals.bySeverity).toEqual(bySeverity);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps ties in arrival order across runs and parts', () => {
    const base: Finding = { ruleId: 'r', messageId: 'm', severity: 'error', file: 'f', line: 1, message: 'same' };
    const tied = Array.from({ length: 7 }, (_, i) => ({ ...base, evidence: { arrival: i } }));
    const spool = new Spool();
    const first = new FindingSpool(spool, 2);
    for (const f of tied.slice(0, 5)) first.add(f);
    const list = spool.merge([first.finish(), heldPart(tied.slice(5))]);
    expect([...list].map((f) => f.evidence!.arrival)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('holds what it cannot write (no temporary directory) and gives the same list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-spool-'));
    const saved = process.env.TMPDIR;
    try {
      await writeFile(join(dir, 'not-a-dir'), '');
      process.env.TMPDIR = join(dir, 'not-a-dir'); // mkdtemp under a file fails
      const spool = new Spool();
      const part = new FindingSpool(spool, 2);
      const fs: Finding[] = [5, 3, 4, 1, 2].map((line) => ({ ruleId: 'r', messageId: 'm', severity: 'error', file: 'f', line, message: String(line) }));
      for (const f of fs) part.add(f);
      const list = spool.merge([part.finish()]);
      expect(Array.isArray(list)).toBe(true);
      expect([...list].map((f) => f.line)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes nothing once discarded (a pass still running when its run failed holds what it has)', () => {
    const spool = new Spool();
    const fs: Finding[] = [5, 3, 4, 1, 2].map((line) => ({ ruleId: 'r', messageId: 'm', severity: 'error', file: 'f', line, message: String(line) }));
    const before = new FindingSpool(spool, 2);
    for (const f of fs) before.add(f);
    expect(before.finish().runs.length).toBeGreaterThan(0); // it had a file, and wrote to it
    spool.discard();
    expect(spool.writable).toBe(false);
    expect(spool.write('x\n')).toBeNull();
    const after = new FindingSpool(spool, 2);
    for (const f of fs) after.add(f);
    const part = after.finish();
    expect(part.runs).toEqual([]);
    expect(part.held.map((f) => f.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('stops trying to spill once the spool cannot be written (no re-sort of everything held per finding)', async () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = '/nonexistent-evalaudit-dir';
    const write = vi.spyOn(Spool.prototype, 'write');
    const encoded = vi.spyOn(JSON, 'stringify');
    try {
      const spool = new Spool();
      const part = new FindingSpool(spool, 2);
      for (let i = 0; i < 5000; i++) part.add({ ruleId: 'r', messageId: 'm', severity: 'error', file: 'f', line: 5000 - i, message: 'x' });
      expect(write).toHaveBeenCalledTimes(1);
      expect(encoded.mock.calls.length).toBeLessThan(10); // not every held finding again on every add
      expect([...spool.merge([part.finish()])].map((f) => f.line).slice(0, 3)).toEqual([1, 2, 3]);
    } finally {
      write.mockRestore();
      encoded.mockRestore();
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it.runIf(existsSync('/proc/self/fd'))('closes the spool file of an audit that fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-spool-'));
    const spoolFds = () => readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`).includes('evalaudit-findings-'); } catch { return false; } }).length;
    try {
      await writeFile(join(dir, 'a.jsonl'), Array.from({ length: 9000 }, (_, i) => `{"id": "r${i}", "score": 0.5}`).join('\n'));
      await writeFile(join(dir, 'b.jsonl'), '{"id": "x", "score": 0.5}\n');
      const before = spoolFds();
      // b.jsonl is removed once a.jsonl (whose findings spilled) is done: the audit rejects.
      const run = audit([join(dir, 'a.jsonl'), join(dir, 'b.jsonl')], { rules: defaultRuleSet, concurrency: 1, onProgress: (_n, _f, files) => void (files.done === 1 && rmSync(join(dir, 'b.jsonl'), { force: true })) });
      await expect(run).rejects.toThrow();
      expect(spoolFds()).toBe(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sorts a list it cannot know to be ordered (a Set from a caller), and trusts a spooled one', () => {
    const f = (line: number): Finding => ({ ruleId: 'r', messageId: 'm', severity: 'error', file: 'f', line, message: String(line) });
    expect([...inReportOrder(new Set([f(3), f(1), f(2)]))].map((x) => x.line)).toEqual([1, 2, 3]);
    const spool = new Spool();
    const part = new FindingSpool(spool, 1);
    for (const line of [3, 1, 2]) part.add(f(line));
    const list = spool.merge([part.finish()]);
    expect(IN_REPORT_ORDER in list).toBe(true);
    expect(inReportOrder(list)).toBe(list);
  });

  it('is a plain sorted array when nothing was written out', () => {
    const spool = new Spool();
    const part = new FindingSpool(spool);
    part.add({ ruleId: 'r', messageId: 'm', severity: 'error', file: 'f', line: 2, message: 'b' });
    part.add({ ruleId: 'r', messageId: 'm', severity: 'error', file: 'f', line: 1, message: 'a' });
    const list = spool.merge([part.finish()]);
    expect(Array.isArray(list)).toBe(true);
    expect([...list].map((f) => f.line)).toEqual([1, 2]);
  });

  it('writes the same report for an audit whose findings spill as for one that holds them, and removes its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-spool-'));
    try {
      // HELD + 808 probability-product findings (more than a file pass holds) and 2,000 score mismatches, in two files.
      const rows = (n: number, score: (i: number) => string) => Array.from({ length: n }, (_, i) => `{"id": "r${i}", "score": ${score(i)}, "logprobs": [-1.0, -0.5]}`).join('\n');
      await writeFile(join(dir, 'a.jsonl'), rows(HELD + 808, (i) => String(0.1 + (i % 7) / 10)));
      await writeFile(join(dir, 'b.jsonl'), rows(3000, (i) => (i % 3 === 0 ? '-1.5' : '-9.25')));
      const files = [join(dir, 'a.jsonl'), join(dir, 'b.jsonl')];
      const config = engineConfig(defaultRuleSet);
      const spooled = await audit(files, { rules: defaultRuleSet });
      const held = finishRun(await auditFiles(files, config, {}), config);
      expect(Array.isArray(spooled.findings)).toBe(false);
      expect(Array.isArray(held.findings)).toBe(true);
      expect(spooled.findings.length).toBe(HELD + 2808);
      expect(renderJson(spooled, { color: false, cwd: dir })).toBe(renderJson(held, { color: false, cwd: dir }));
      expect(spooled.summary).toEqual(held.summary);
      // On two threads: a.jsonl (~0.9 MB) cut in line ranges (its file stage on this thread),
      // b.jsonl (~165 kB) whole, on either thread (a worker's pass is spooled on arrival).
      const two = await audit(files, { rules: defaultRuleSet, jobs: 2, workerModule: defaultWorkerModule(), parallel: { rangeBytes: 100_000, minBytes: 0, minLineBytes: 0 } });
      expect(Array.isArray(two.findings)).toBe(false);
      expect(renderJson(two, { color: false, cwd: dir })).toBe(renderJson(held, { color: false, cwd: dir }));

      const scratch = await mkdtemp(join(tmpdir(), 'evalaudit-spool-tmp-'));
      const run = runCli(['audit', ...files, '--format', 'json', '--fail-on', 'none'], { env: { ...process.env, TMPDIR: scratch } });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).findings).toHaveLength(HELD + 2808);
      expect(await readdir(scratch)).toEqual([]);
      await rm(scratch, { recursive: true, force: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('reading spilled findings back', () => {
  /** A spool file opened in a new temporary directory and one finding's line as the spool writes it; `body` closes the file, the directory is removed after it. */
  /** A spool file open for reading and writing (closed after `body`), and one finding's line. */
  async function withSpoolFile(body: (fd: number, line: string, path: string) => void): Promise<void> {
    const { encode } = await import('../src/engine/spool-runs.js');
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-spool-read-'));
    const path = join(dir, 'spool');
    const fd = openSync(path, 'w+');
    try {
      body(fd, encode({ ruleId: 'a-rule', messageId: 'm', severity: 'error', file: 'x.jsonl', line: 1, message: 'x' } as Finding) + '\n', path);
    } finally {
      closeSync(fd);
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('a run the spool file cannot give back is a SpoolReadError naming the temporary directory, not an internal error', async () => {
    const { RunReader, SpoolReadError } = await import('../src/engine/spool-runs.js');
    await withSpoolFile((fd, line, path) => {
      writeSync(fd, line);
      // A run that says it is longer than what the file holds (the file cut short under the spool).
      expect(() => new RunReader(fd, { start: 0, end: Buffer.byteLength(line) + 100 })).toThrow(SpoolReadError);
      expect(new RunReader(fd, { start: 0, end: Buffer.byteLength(line) }).head?.ruleId).toBe('a-rule');
      // A descriptor the system refuses to read (open for writing only): its reason, under the temporary directory.
      // (Not a closed one: another open could take its number meanwhile.)
      const writeOnly = openSync(path, 'a');
      const refused = (() => {
        try {
          new RunReader(writeOnly, { start: 0, end: 10 });
        } catch (e) {
          return e as Error;
        } finally {
          closeSync(writeOnly);
        }
      })();
      expect(refused).toBeInstanceOf(SpoolReadError);
      expect(refused!.message).toMatch(new RegExp(`cannot read back the findings spilled to a temporary file \\(under ${tmpdir().replace(/[/\\]/g, '.')}\\): EBADF`));
    });
  });

  it('a damaged line, and a run that ends inside a finding, are SpoolReadErrors (not a SyntaxError, not a finding silently lost)', async () => {
    const { RunReader, SpoolReadError } = await import('../src/engine/spool-runs.js');
    await withSpoolFile((fd, good) => {
      const damaged = good.slice(0, 20) + '\n';
      writeSync(fd, good + damaged + good.slice(0, 10), 0);
      const n = Buffer.byteLength(good);
      // The damaged line is the second of its run: the first still reads, the second is the error.
      const reader = new RunReader(fd, { start: 0, end: n + Buffer.byteLength(damaged) });
      expect(reader.head?.ruleId).toBe('a-rule');
      expect(() => reader.advance()).toThrow(SpoolReadError);
      expect(() => new RunReader(fd, { start: n, end: n + Buffer.byteLength(damaged) })).toThrow(/a finding in the spool cannot be decoded/);
      // A run whose last bytes are no whole line: an error where the old reader ended the run early.
      const cut = new RunReader(fd, { start: 0, end: n + 10 });
      expect(cut.head?.ruleId).toBe('a-rule');
      expect(() => cut.advance()).toThrow(/ends inside a finding/);
    });
  });
});
