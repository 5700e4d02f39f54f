/**
 * A whole file audited on a worker thread posts its findings to the main thread as they arise
 * (FindingPost), so the worker never holds more than POSTED_AT of them: the file stage posts
 * each full batch in the order the findings arose and keeps only the rest for its pass; and an
 * audit on two threads whose workers post (a file read twice among them: its first reading's
 * posts are dropped) writes what one thread writes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/types.js';
import { FileStage, POSTED_AT, type FindingPost } from '../src/engine/file-pass.js';
import { audit, engineConfig } from '../src/engine/index.js';
import { HELD } from '../src/engine/finding-spool.js';
import { auditWholeFile } from '../src/parallel/tasks.js';
import { WorkerThread } from '../src/parallel/worker-thread.js';
import { newAccounting } from '../src/ingest/index.js';
import { defaultRuleSet } from '../rules/index.js';
import { renderJson } from '../src/report/json.js';
import { defaultWorkerModule } from '../src/parallel/worker-module.js';

describe('findings posted from a worker', () => {
  it('the file stage posts every POSTED_AT findings, in order, and its pass holds the rest', () => {
    const posts: Finding[][] = [];
    let restarts = 0;
    const post: FindingPost = { batch: (fs) => posts.push(fs), restart: () => restarts++ };
    const stage = new FileStage('x.jsonl', 'canonical', engineConfig(defaultRuleSet), {}, false, undefined, post);
    const n = 2 * POSTED_AT + 17;
    for (let line = 1; line <= n; line++) stage.item({ kind: 'invalid', file: 'x.jsonl', line, message: 'not valid JSON', code: 'unreadable' });
    const pass = stage.finish({ ...newAccounting(), rows: n });
    expect(posts.map((b) => b.length)).toEqual([POSTED_AT, POSTED_AT]);
    expect(pass.findings).toHaveLength(17);
    expect([...posts.flat(), ...pass.findings].map((f) => f.line)).toEqual(Array.from({ length: n }, (_, k) => k + 1));
    expect(restarts).toBe(0);
  });

  it('an audit on two threads whose worker posts (one file read twice) reports what one thread reports', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-posted-'));
    try {
      // Files of POSTED_AT + 1500 and HELD + 1000 probability-product findings (more than a worker holds).
      const rows = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `{"id": "${prefix}${i}", "group": "${prefix}g${i >> 2}", "score": ${0.1 + (i % 7) / 10}, "logprobs": [-1.0, -0.5]}`);
      const n = POSTED_AT + 1500;
      const files = ['a', 'b', 'c', 'd'].map((k) => join(dir, `${k}.jsonl`));
      await writeFile(files[0], rows('a', 200).join('\n'));
      await writeFile(files[1], rows('b', n).join('\n'));
      // Its first group comes back at its end: read twice, the first reading's posts dropped
      // after this thread has spilled some of them (more than HELD).
      const c = rows('c', HELD + 1000);
      await writeFile(files[2], [...c.slice(1), c[0]].join('\n'));
      await writeFile(files[3], rows('d', n).join('\n'));
      const one = await audit(files, { rules: defaultRuleSet });
      // Whole files (no line ranges), any input size: the worker's loops take the second and third files.
      const two = await audit(files, { rules: defaultRuleSet, jobs: 2, workerModule: defaultWorkerModule(), parallel: { rangeBytes: 1 << 30, minBytes: 0, minLineBytes: 0 } });
      expect(one.findings.length).toBeGreaterThan(3 * POSTED_AT);
      expect(renderJson(two, { color: false, cwd: dir })).toBe(renderJson(one, { color: false, cwd: dir }));
      expect(two.summary).toEqual(one.summary);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("a worker thread posts a whole file's findings while it audits it, and says when it reads the file again", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-posted-'));
    const thread = new WorkerThread(defaultWorkerModule(), { precision: 'auto', read: {}, listAudited: false });
    try {
      const rows = Array.from({ length: 2 * POSTED_AT + 5 }, (_, i) => `{"id": "r${i}", "group": "g${i >> 2}", "score": ${0.1 + (i % 7) / 10}, "logprobs": [-1.0, -0.5]}`);
      const straight = join(dir, 'straight.jsonl');
      await writeFile(straight, rows.join('\n'));
      // Its first group comes back at its end: streaming stops there and the file is read again.
      const scattered = join(dir, 'scattered.jsonl');
      await writeFile(scattered, [...rows.slice(1), rows[0]].join('\n'));
      const ctx = { config: engineConfig(defaultRuleSet), read: {}, listAudited: false };
      for (const [file, restarts] of [[straight, 0], [scattered, 1]] as const) {
        const got: Finding[][] = [];
        let restarted = 0;
        const result = await thread.run({ kind: 'file', file }, { batch: (fs) => got.push(fs), restart: () => ((restarted++, got.length = 0)) });
        if (result.kind !== 'file') throw new Error('a file task gives a file result');
        expect(restarted, file).toBe(restarts);
        expect(got.length, file).toBeGreaterThan(0);
        expect(result.pass.findings.length, file).toBeLessThan(POSTED_AT);
        // What was posted, then the rest, is what the pass on this thread arrives at, in the same order.
        const here = await auditWholeFile(file, ctx);
        expect([...got.flat(), ...result.pass.findings].map((f) => `${f.line} ${f.ruleId}`)).toEqual(here.findings.map((f) => `${f.line} ${f.ruleId}`));
      }
    } finally {
      await thread.terminate();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
