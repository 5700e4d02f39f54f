/**
 * Which shard audits which file (`evalaudit audit --shard INDEX/COUNT`). Shards are numbered
 * from 0, as GitHub Actions' `strategy.job-index` and Kubernetes' `JOB_COMPLETION_INDEX` count.
 *
 * A file goes to the shard its key hashes to (SHA-256, first 4 bytes, modulo COUNT): the key is
 * the file's path relative to the input root it was found under (a file named directly: its
 * name), so the assignment depends on nothing but that path and COUNT, and adding files moves
 * no other file. An lm-evaluation-harness run stays together: its results file and samples files
 * share a key, their directory and the run's date (lm-eval-run.ts), or for the undated names of
 * lm-eval ≤ v0.4.2 their directory when it holds a `results.json`.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { isSamplesName, lmEvalRunDate } from '../ingest/formats/lm-eval-run.js';
import { STDIN } from '../ingest/index.js';

export interface Shard {
  /** 0-based. */
  index: number;
  count: number;
}

export const SHARD_USAGE = '--shard takes INDEX/COUNT, INDEX counted from 0 (0 ≤ INDEX < COUNT) as GitHub\'s strategy.job-index and Kubernetes\' JOB_COMPLETION_INDEX count';

/** `2/4` as a shard, or a message saying what is wrong with the spec. */
export function parseShard(spec: string): Shard | string {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) return `${SHARD_USAGE}, got ${JSON.stringify(spec)}`;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(count) || count < 1) return `${SHARD_USAGE}: COUNT must be at least 1, got ${JSON.stringify(spec)}`;
  if (index >= count) return `${SHARD_USAGE}: with COUNT ${count} the shards are 0/${count} … ${count - 1}/${count}, got ${JSON.stringify(spec)}${index === count ? ' (counting from 1?)' : ''}`;
  return { index, count };
}

/** The files of `files` (in their order) that the shard audits; `roots` are the input paths they were listed from. */
export function shareOf(files: readonly string[], roots: readonly string[], shard: Shard): string[] {
  const keys = new ShardKeys(roots);
  return files.filter((f) => shardOfKey(keys.of(f), shard.count) === shard.index);
}

export function shardOfKey(key: string, count: number): number {
  return createHash('sha256').update(key, 'utf8').digest().readUInt32BE(0) % count;
}

/** Shard keys of files, with each directory's listing read once. */
export class ShardKeys {
  private readonly listings = new Map<string, string[]>();
  constructor(private readonly roots: readonly string[]) {}

  of(file: string): string {
    const rel = relativeToRoot(file, this.roots);
    const slash = rel.lastIndexOf('/');
    const dir = slash < 0 ? '.' : rel.slice(0, slash);
    const date = lmEvalRunDate(file);
    if (date !== null) return `lm-eval run\u0000${dir}\u0000${date}`;
    if (this.inUndatedRun(file)) return `lm-eval run\u0000${dir}\u0000`;
    return rel;
  }

  /** A results.json, or a samples file beside one: one ≤ v0.4.2 run per directory. */
  private inUndatedRun(file: string): boolean {
    if (file === STDIN) return false;
    const name = basename(file);
    if (name !== 'results.json' && !isSamplesName(name, null)) return false;
    const dir = dirname(file);
    let names = this.listings.get(dir);
    if (!names) {
      try {
        names = readdirSync(dir);
      } catch {
        names = [];
      }
      this.listings.set(dir, names);
    }
    return names.includes('results.json');
  }
}

/** The file's path below the first input root that holds it, with `/` between names. */
export function relativeToRoot(file: string, roots: readonly string[]): string {
  const abs = resolve(file);
  for (const root of roots) {
    const rel = relative(resolve(root), abs);
    if (rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return basename(file);
}
