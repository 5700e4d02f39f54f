/**
 * Which shard audits which file: the --shard argument (0-based, validated), an assignment that
 * depends only on the path below the input root (stable when files are added, the same wherever
 * the tree is checked out), and an lm-eval run's results file kept with its samples files.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseShard, relativeToRoot, shareOf, ShardKeys, shardOfKey } from '../../src/shard/assign.js';

function tree(files: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-shard-'));
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  return dir;
}

describe('--shard INDEX/COUNT', () => {
  it('reads a 0-based index below the count', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
  });
  it('says what is wrong with anything else', () => {
    expect(parseShard('4/4')).toMatch(/0\/4 … 3\/4, got "4\/4" \(counting from 1\?\)/);
    expect(parseShard('0/0')).toMatch(/COUNT must be at least 1/);
    for (const bad of ['', '1', '-1/4', '1/4/2', 'a/b', '1.5/4', '1of4']) expect(parseShard(bad), bad).toMatch(/^--shard takes INDEX\/COUNT/);
  });
});

describe('assignment', () => {
  const names = Array.from({ length: 200 }, (_, i) => `model-${i % 7}/task-${i}.jsonl`);

  it('spreads files over every shard and gives each file exactly one', () => {
    const dir = tree(names);
    const files = names.map((n) => join(dir, n));
    const shares = [0, 1, 2, 3].map((index) => shareOf(files, [dir], { index, count: 4 }));
    expect(shares.flat().sort()).toEqual([...files].sort());
    for (const s of shares) expect(s.length).toBeGreaterThan(20);
  });

  it('is stable when files are added, and the same wherever the tree is', () => {
    const a = tree(names);
    const b = tree([...names, 'model-9/new.jsonl', 'extra/x.csv']);
    const shardIn = (dir: string) => new Map(names.map((n) => [n, shardOfKey(new ShardKeys([dir]).of(join(dir, n)), 5)]));
    expect(shardIn(b)).toEqual(shardIn(a));
  });

  it('keys a file by its path below the root it was found under; a file named directly by its name', () => {
    expect(relativeToRoot('/x/runs/a/b.jsonl', ['/y', '/x/runs'])).toBe('a/b.jsonl');
    expect(relativeToRoot('/x/runs/a/b.jsonl', ['/x/runs/a/b.jsonl'])).toBe('b.jsonl');
    expect(relativeToRoot('/x/runsb/c.jsonl', ['/x/runs'])).toBe('c.jsonl');
    expect(relativeToRoot('/x/runs/..c.jsonl', ['/x/runs'])).toBe('..c.jsonl');
  });

  it("keeps a dated lm-eval run's results and samples files together, and apart from other runs", () => {
    const run = (model: string, date: string) => [`${model}/results_${date}.json`, `${model}/samples_arc_easy_${date}.jsonl`, `${model}/samples_hellaswag_${date}.jsonl`];
    const runs = Array.from({ length: 12 }, (_, i) => run(`org/model-${i}`, `2024-06-0${1 + (i % 3)}T12-00-00.123456`));
    const dir = tree(runs.flat());
    const keys = new ShardKeys([dir]);
    for (const r of runs) expect(new Set(r.map((f) => keys.of(join(dir, f)))).size, r[0]).toBe(1);
    expect(new Set(runs.map((r) => keys.of(join(dir, r[0])))).size).toBe(runs.length);
    // Two runs in one directory are two runs.
    const two = tree([...run('m', '2024-06-01T12-00-00'), ...run('m', '2024-06-02T12-00-00')]);
    expect(new ShardKeys([two]).of(join(two, 'm/results_2024-06-01T12-00-00.json'))).not.toBe(new ShardKeys([two]).of(join(two, 'm/results_2024-06-02T12-00-00.json')));
  });

  it('keeps an undated (≤ v0.4.2) run together by its directory, and leaves other directories file by file', () => {
    const dir = tree(['old/results.json', 'old/pretrained=gpt2_arc_easy.jsonl', 'old/pretrained=gpt2_hellaswag.jsonl', 'plain/a.jsonl', 'plain/b.jsonl']);
    const keys = new ShardKeys([dir]);
    const k = (f: string) => keys.of(join(dir, f));
    expect(k('old/pretrained=gpt2_arc_easy.jsonl')).toBe(k('old/results.json'));
    expect(k('old/pretrained=gpt2_hellaswag.jsonl')).toBe(k('old/results.json'));
    expect(k('plain/a.jsonl')).not.toBe(k('plain/b.jsonl'));
  });
});
