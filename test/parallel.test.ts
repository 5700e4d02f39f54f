/**
 * --jobs: reports byte-identical with one thread and two (whole files spread over threads, and a
 * large JSONL file cut into line ranges whose groups, invalid rows, duplicate ids and line breaks
 * straddle the cuts), line ranges numbered as the readers number lines, and a worker that dies
 * failing the run with the file named. The tuning options make small inputs split, so the tests
 * stay small; no timing is asserted.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultRuleSet, rules as defaultRules } from '../rules/index.js';
import { createRule } from '../src/engine/rule.js';
import { createRuleSet } from '../src/engine/rule-set.js';
import { audit, type AuditOptions } from '../src/engine/index.js';
import { findReporter } from '../src/report/index.js';
import { longRows, planRanges } from '../src/parallel/ranges.js';
import { defaultWorkerModule } from '../src/parallel/worker-module.js';
import { MIN_RANGE_LINE_BYTES } from '../src/parallel/index.js';
import { auditWholeFile, runTask } from '../src/parallel/tasks.js';
import { engineConfig } from '../src/engine/index.js';
import type { RunResult } from '../src/engine/result.js';
import { runCli } from './helpers/cli-process.js';
import { WORKER_YOUNG_MB, WorkerThread } from '../src/parallel/worker-thread.js';
import type { Worker } from 'node:worker_threads';
import { auditedEntries } from '../src/engine/audited-list.js';
import { AUTO_PARALLEL_BYTES, MAX_DEFAULT_JOBS, threadsOf } from '../src/config/settings.js';

const RANGE = 64 * 1024;
const threads = (jobs: number): AuditOptions => ({ rules: defaultRuleSet, jobs, workerModule: defaultWorkerModule(), parallel: { rangeBytes: RANGE, minBytes: 0, minLineBytes: 0 } });

function reports(result: RunResult): string[] {
  return ['json', 'markdown', 'sarif'].map((format) => findReporter(format)!(result, { color: false, cwd: process.cwd() }));
}

let dir: string;
let big: string;

/**
 * A few MB built from the sample top-k run: each copy renamed (ids and groups), every third with
 * CRLF endings, and broken JSON, a schema-invalid row, a repeated id, blank lines, a lone CR
 * and a byte-order mark planted along the way.
 */
function writeBigRun(file: string): void {
  const source = readFileSync('sample-runs/choice-topk.jsonl', 'utf8').split('\n').filter((l) => l.trim() !== '');
  const parts: string[] = ['\ufeff'];
  for (let copy = 0; copy < 24; copy++) {
    const eol = copy % 3 === 1 ? '\r\n' : '\n';
    source.forEach((text, i) => {
      // Renamed in the text: the sample rows hold NaN, which JSON.parse refuses.
      const line = text.replace(/"(id|group)": "([^"]+)"/g, (_m, key: string, v: string) => `"${key}": "${v}-k${copy}"`);
      parts.push(line + eol);
      if (i === 7) parts.push('{"id": "broken-' + copy + '", "logprobs": [' + eol);
      if (i === 11) parts.push(JSON.stringify({ id: `schema-${copy}`, score: 'high' }) + eol);
      if (i === 13) parts.push(line + eol); // its id again
      if (i === 17) parts.push(eol + '   ' + eol);
      if (i === 19 && copy % 4 === 0) parts.push(line.replace(/"id": "[^"]+"/, `"id": "cr-${copy}"`).replace(/"group": "[^"]+", /, '') + '\r');
    });
  }
  writeFileSync(file, parts.join(''));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'evalaudit-jobs-'));
  big = join(dir, 'big-topk.jsonl');
  writeBigRun(big);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--jobs', () => {
  it('cuts a large file at line starts, numbering lines as the readers do (LF, CRLF, lone CR)', async () => {
    const text = readFileSync(big);
    const ranges = (await planRanges(big, RANGE))!;
    expect(ranges.length).toBeGreaterThan(10);
    expect(ranges[0].start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(text.length);
    for (let k = 1; k < ranges.length; k++) {
      expect(ranges[k].start).toBe(ranges[k - 1].end);
      expect(text[ranges[k].start - 1]).toBe(10);
      const before = text.subarray(0, ranges[k].start).toString('latin1');
      expect(ranges[k].line).toBe(before.split(/\r\n|\r|\n/).length);
    }
  });

  it('cuts only a file of long rows: short ones are read whole by one thread (their file stage is most of the work)', async () => {
    const ranges = (await planRanges(big, RANGE))!;
    const last = ranges.at(-1)!;
    const average = last.start / (last.line - 1);
    expect(longRows(ranges, Math.floor(average))).toBe(true);
    expect(longRows(ranges, Math.ceil(average) + 1)).toBe(false);
    // 2 MiB ranges of 500-byte rows against the default: not cut; of 9 kB rows: cut.
    const ofRows = (bytes: number) => [0, 1, 2].map((k) => ({ start: k * 2 ** 21, end: (k + 1) * 2 ** 21, line: 1 + Math.round((k * 2 ** 21) / bytes) }));
    expect(longRows(ofRows(500), MIN_RANGE_LINE_BYTES)).toBe(false);
    expect(longRows(ofRows(9000), MIN_RANGE_LINE_BYTES)).toBe(true);
    // planRanges tells short rows by its first range and stops there; long ones are cut as before.
    expect(await planRanges(big, RANGE, Math.ceil(average) * 4)).toBeNull();
    expect(await planRanges(big, RANGE, Math.floor(average) / 4)).toEqual(ranges);
  });

  it('does not scan on when the first range holds short rows, whatever follows them', async () => {
    const file = join(dir, 'short-then-long.jsonl');
    const short = `{"id": "s", "pad": "${'x'.repeat(40)}"}\n`;
    const long = `{"id": "l", "pad": "${'y'.repeat(20000)}"}\n`;
    writeFileSync(file, short.repeat(Math.ceil((2 * RANGE) / short.length)) + long.repeat(Math.ceil((8 * RANGE) / long.length)));
    expect(await planRanges(file, RANGE, 2048)).toBeNull();
    expect((await planRanges(file, RANGE))!.length).toBeGreaterThan(8);
  });

  it('reports the same, byte for byte, on one thread and two: a large file in line ranges', async () => {
    const one = await audit([big], threads(1));
    const two = await audit([big], threads(2));
    // The planted problems are there to be found on both sides of the cuts.
    const codes = new Set([...two.findings].map((f) => f.messageId));
    for (const code of ['duplicateId', 'unreadable', 'schema']) expect(codes, code).toContain(code);
    expect([...two.findings].filter((f) => f.messageId === 'duplicateId')).toHaveLength(24);
    expect(two.summary.records).toBe(one.summary.records);
    expect(reports(two)).toEqual(reports(one));
  });

  it('a line starting with U+FEFF where a range starts is read as one thread reads it (a byte-order mark is only at byte 0)', async () => {
    const source = readFileSync('sample-runs/choice-topk.jsonl', 'utf8').split('\n').filter((l) => l.trim() !== '');
    const lines: string[] = [];
    for (let copy = 0; copy < 12; copy++) for (const text of source) lines.push('\ufeff' + text.replace(/"(id|group)": "([^"]+)"/g, (_m, key: string, v: string) => `"${key}": "${v}-b${copy}"`));
    const file = join(dir, 'bom-lines.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    expect((await planRanges(file, RANGE))!.length).toBeGreaterThan(2);
    const one = await audit([file], threads(1));
    const two = await audit([file], threads(2));
    // The first is the file's mark; every other line opens with a character JSON does not allow.
    expect(one.summary.invalid).toBe(lines.length - 1);
    expect(reports(two)).toEqual(reports(one));
  });

  it('a file whose groups are not contiguous is audited again whole, with the same report', async () => {
    // 40 renamed copies of the sample run, and a record with a finding of the first copy moved to
    // the end: its group comes back after it was finished.
    const sample = 'sample-runs/choice-topk.jsonl';
    const source = readFileSync(sample, 'utf8').split('\n').filter((l) => l.trim() !== '');
    const f = [...(await audit([sample], threads(1))).findings].find((x) => x.group !== undefined && x.recordId !== x.group && x.line > 1)!;
    const all = Array.from({ length: 40 }, (_, copy) => source.map((t) => t.replace(/"(id|group)": "([^"]+)"/g, (_m, k: string, v: string) => `"${k}": "${v}-k${copy}"`))).flat();
    const movedId = `${f.recordId}-k0`;
    const scattered = join(dir, 'scattered.jsonl');
    writeFileSync(scattered, [...all.slice(0, f.line - 1), ...all.slice(f.line), all[f.line - 1]].join('\n') + '\n');
    const progress: number[] = [];
    const one = await audit([scattered], threads(1));
    const two = await audit([scattered], { ...threads(2), onProgress: (_n, _f, files) => progress.push(files.done) });
    expect([...one.findings].some((x) => x.recordId === movedId && x.line === all.length)).toBe(true);
    expect(reports(two)).toEqual(reports(one));
    expect(progress).toEqual([1]);
  });

  it('a group whose records straddle a cut is judged whole', async () => {
    const ranges = (await planRanges(big, RANGE))!;
    const lines = readFileSync(big, 'utf8').split(/\r\n|\r|\n/);
    const rangeOf = (line: number) => ranges.findIndex((r, k) => line >= r.line && (k === ranges.length - 1 || line < ranges[k + 1].line));
    const groupLines = new Map<string, number[]>();
    lines.forEach((text, i) => {
      const m = /"group": ?"([^"]+)"/.exec(text);
      if (m) groupLines.set(m[1], [...(groupLines.get(m[1]) ?? []), i + 1]);
    });
    const straddling = [...groupLines.values()].filter((ls) => rangeOf(ls[0]) !== rangeOf(ls.at(-1)!));
    expect(straddling.length).toBeGreaterThan(0);
    const two = await audit([big], { ...threads(2), listAudited: true });
    const listed = new Map([...auditedEntries(two.files[0].auditedItems!)].filter((a) => a.kind === 'group').map((a) => [String(a.id), a.line]));
    for (const ls of straddling) expect([...listed.values()]).toContain(ls[0]);
  });

  it('reports the same, byte for byte, on one thread and two: the sample runs, files spread over threads', async () => {
    const options = { ...threads(2), parallel: { rangeBytes: 1 << 30, minBytes: 0, minLineBytes: 0 } };
    expect(reports(await audit(['sample-runs'], options))).toEqual(reports(await audit(['sample-runs'], threads(1))));
    // The sample runs again, their larger files in line ranges too.
    expect(reports(await audit(['sample-runs'], { ...threads(2), parallel: { rangeBytes: 8192, minBytes: 0, minLineBytes: 0 } }))).toEqual(reports(await audit(['sample-runs'], threads(1))));
  });

  it('starts no more workers than there are tasks: none for one file read whole, three for a file in ranges', async () => {
    // Every thread started is stopped once, at the run's end or as soon as it has nothing to do.
    const stops = vi.spyOn(WorkerThread.prototype, 'terminate');
    try {
      // Its rows count as too short to cut (minLineBytes): one task, on this thread.
      const whole = await audit([big], { ...threads(4), parallel: { rangeBytes: RANGE, minBytes: 0, minLineBytes: 1e9 } });
      expect(stops).toHaveBeenCalledTimes(0);
      expect(reports(whole)).toEqual(reports(await audit([big], threads(1))));
      const ranged = await audit([big], threads(4));
      expect(stops).toHaveBeenCalledTimes(3);
      expect(reports(ranged)).toEqual(reports(await audit([big], threads(1))));
    } finally {
      stops.mockRestore();
    }
  });

  it('a worker thread that dies fails the run, naming the file it was auditing', async () => {
    const crashing = new URL('./fixtures/parallel/crashing-worker.mjs', import.meta.url);
    const run = audit([big], { ...threads(2), workerModule: crashing });
    await expect(run).rejects.toThrow(/internal error: a worker thread failed \(planted worker failure\) while auditing .*big-topk\.jsonl/);
  });

  it('a rule that throws on a worker is the rule-failure finding it is on this thread', async () => {
    const everyThird = createRule(
      { id: 'throws-every-third', defaultSeverity: 'warning', evidence: 'the line', summary: 'throws on every third line', messages: { never: 'never said' } },
      { record: (ctx) => { if (ctx.line % 3 === 0) throw new Error(`planted at line ${ctx.line}`); return null; } },
    );
    const rules = createRuleSet([...defaultRules, everyThird]);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const one = await audit([big], { ...threads(1), rules });
      const two = await audit([big], { ...threads(2), rules, workerModule: new URL('./fixtures/parallel/throwing-worker.mjs', import.meta.url) });
      expect(one.summary.byRule['rule-failure']).toBeGreaterThan(100);
      expect(reports(two)).toEqual(reports(one));
    } finally {
      err.mockRestore();
    }
  });

  it('a worker thread that never says it is ready gets no task: this thread audits the whole run and returns', async () => {
    const silent = new URL('./fixtures/parallel/silent-worker.mjs', import.meta.url);
    expect(reports(await audit([big], { ...threads(2), workerModule: silent }))).toEqual(reports(await audit([big], threads(1))));
  });

  it('without a worker module (a RuleSet of your own) the audit runs on one thread whatever --jobs says', async () => {
    const result = await audit([big], { rules: defaultRuleSet, jobs: 2, parallel: { rangeBytes: RANGE, minBytes: 0, minLineBytes: 0 } });
    expect(reports(result)).toEqual(reports(await audit([big], threads(1))));
  });

  it("a file pass and a range's outcomes survive the post to another thread unchanged (no class instance lost)", async () => {
    const ctx = { config: engineConfig(defaultRuleSet), read: {}, listAudited: true };
    for (const file of ['sample-runs/choice-topk.jsonl', 'sample-runs/logits.jsonl', 'sample-runs/choice-pertoken.csv', big]) {
      const pass = await auditWholeFile(file, ctx);
      expect(structuredClone(pass), file).toStrictEqual(pass);
    }
    const [range] = (await planRanges(big, RANGE))!;
    const result = await runTask({ kind: 'range', file: big, format: 'canonical', range }, ctx);
    expect(result.kind === 'range' && result.result.items.some((i) => i.kind === 'outcome' && i.candidate !== undefined)).toBe(true);
    expect(structuredClone(result)).toStrictEqual(result);
  });

  it('the command line: --jobs 2 writes what --jobs 1 writes; --jobs 0 is a usage error', () => {
    // Three copies of the run: enough input for the command to start a worker.
    const files = [1, 2, 3].map((k) => join(dir, `copy-${k}.jsonl`));
    for (const f of files) copyFileSync(big, f);
    const run = (jobs: string, env?: NodeJS.ProcessEnv) => runCli(['audit', ...files, '--format', 'json', '--fail-on', 'none', '--jobs', jobs], env ? { env } : {});
    const one = run('1');
    // NODE_DEBUG=esm names every module loaded: the worker thread runs the build's bundle (test/bundle.test.ts).
    const two = run('2', { ...process.env, NODE_DEBUG: 'esm' });
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toMatch(/Storing file:\/\/\S+\/dist\/bundle\/worker\.js /);
    const zero = run('0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--jobs');
    // No --jobs: more threads only for an input of AUTO_PARALLEL_BYTES or more, which this is not.
    const unset = runCli(['audit', ...files, '--format', 'json', '--fail-on', 'none'], { env: { ...process.env, NODE_DEBUG: 'esm' } });
    expect(unset.stdout).toBe(one.stdout);
    expect(unset.stderr).not.toMatch(/dist\/bundle\/worker\.js/);
  });

  it("a worker's young generation is WORKER_YOUNG_MB, unless the process was given a size of its own (NODE_OPTIONS)", async () => {
    const youngOf = async () => {
      const thread = new WorkerThread(defaultWorkerModule(), { precision: 'auto', read: {}, listAudited: false });
      try {
        return (thread as unknown as { worker: Worker }).worker.resourceLimits?.maxYoungGenerationSizeMb;
      } finally {
        await thread.terminate();
      }
    };
    try {
      vi.stubEnv('NODE_OPTIONS', '');
      expect(await youngOf()).toBe(WORKER_YOUNG_MB);
      vi.stubEnv('NODE_OPTIONS', '--max-semi-space-size=4');
      expect(await youngOf()).not.toBe(WORKER_YOUNG_MB);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('the command line defaults --jobs to the available cores (at most MAX_DEFAULT_JOBS) on an input of AUTO_PARALLEL_BYTES or more; a flag or the config file decides otherwise', () => {
    expect(threadsOf({})).toEqual({ jobs: Math.min(availableParallelism(), MAX_DEFAULT_JOBS), parallel: { minBytes: AUTO_PARALLEL_BYTES } });
    expect(threadsOf({ jobs: 1 })).toEqual({ jobs: 1 });
    expect(threadsOf({ jobs: 9 })).toEqual({ jobs: 9 });
  });
});
