/**
 * A run's findings without holding them all: what keeps an audit's memory flat however many
 * findings a large run has (a scorer bug in every item of a 900k-record file is 40k findings).
 *
 * Each file pass holds its findings up to HELD at a time; past that, the held ones are sorted
 * into report order and appended as one sorted run to the run's temporary file, one JSON text a
 * line. The list the run ends with merges the runs as it is iterated (k-way, a run's earlier
 * findings first on a tie, so the order is that of one stable sort of every finding in arrival
 * order), reading each run READ_BYTES at a time: what it holds is a line or two per run. A run
 * whose files have fewer findings than HELD each never touches the disk and ends as a plain
 * sorted array.
 *
 * A finding JSON cannot give back exactly (NaN, ±Infinity, -0, an undefined member, a typed
 * array) is written with V8's serializer instead (slower, and rare), so the round trip is exact.
 * When no temporary file can be made, or a write fails (a full disk), the findings not written
 * are held in memory, as before spooling existed. The file's name is removed as soon as it is
 * open (where the system allows); it is closed once its list is garbage-collected, or when the
 * process exits.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Finding, Severity } from '../types.js';
import { compareFindings, compareText } from './order.js';

/** A run's findings in report order (order.ts); iterable as often as a reporter needs. */
export interface FindingList extends Iterable<Finding> {
  readonly length: number;
}

/** Findings held in memory before a sorted run is written out (~0.5 kB each). */
export const HELD = 8192;
/** Bytes read from a run at a time while merging. */
const READ_BYTES = 1 << 15;

/** A sorted run: bytes [start, end) of the spool file. */
interface Run {
  start: number;
  end: number;
}

/** A file pass's findings in report order: the runs written out, then those still held (sorted), and their counts. */
export interface SpooledFindings {
  runs: Run[];
  held: Finding[];
  count: number;
  bySeverity: Record<Severity, number>;
  byRule: Record<string, number>;
}

/** Counts one finding into a part's tallies. */
function tally(part: Pick<SpooledFindings, 'bySeverity' | 'byRule'>, f: Finding): void {
  part.bySeverity[f.severity]++;
  part.byRule[f.ruleId] = (part.byRule[f.ruleId] ?? 0) + 1;
}

const emptyTallies = (): Pick<SpooledFindings, 'bySeverity' | 'byRule'> => ({ bySeverity: { error: 0, warning: 0, info: 0 }, byRule: {} });

/**
 * An open spool file, closed once nothing can read it. Its name is removed as soon as it is
 * open where the system allows (POSIX: the open descriptor keeps it readable, and the space is
 * freed when it closes, even if the process is killed); elsewhere (Windows) its directory is
 * removed when it is closed.
 */
interface SpoolFile {
  fd: number;
  /** The directory still to remove, or null once removed. */
  dir: string | null;
}

const open = new Set<SpoolFile>();
const release = (file: SpoolFile): void => {
  if (!open.delete(file)) return;
  try {
    closeSync(file.fd);
  } catch {
    // already closed
  }
  if (file.dir !== null) rmSync(file.dir, { recursive: true, force: true });
};
const collected = new FinalizationRegistry<SpoolFile>(release);
let exitHook = false;

/** A run's spool: one temporary file (made when first needed) that every file pass's sorted runs are appended to. */
export class Spool {
  private file: SpoolFile | null = null;
  /** No temporary file could be made: everything is held. */
  private failed = false;
  private bytes = 0;
  private merged = false;

  /**
   * Appends a sorted run's text; null when there is no file to append to (none could be made, or
   * a write failed: a full disk), and the caller holds the run: the audit goes on in memory.
   */
  write(text: string): Run | null {
    if (this.failed) return null;
    const file = this.file ?? this.openFile();
    if (file === null) return null;
    const buf = Buffer.from(text);
    try {
      for (let at = 0; at < buf.length; ) at += writeSync(file.fd, buf, at, buf.length - at, this.bytes + at);
    } catch {
      this.failed = true; // the runs written so far stay readable
      return null;
    }
    const run = { start: this.bytes, end: this.bytes + buf.length };
    this.bytes = run.end;
    return run;
  }

  /**
   * The findings of every part in report order, a part's (and, within it, a run's) before the
   * next's on a tie: what one stable sort of them all, in part order, gives. A plain array when
   * nothing was written out.
   */
  merge(parts: readonly SpooledFindings[]): FindingList {
    // The list owns the file (removed when the list is collected): one list per spool.
    if (this.merged) throw new Error('a spool is merged once');
    this.merged = true;
    const file = this.file;
    if (file === null || parts.every((p) => p.runs.length === 0)) {
      if (file !== null) release(file); // only a pass read again wrote to it
      const all: Finding[] = [];
      for (const p of parts) for (const f of p.held) all.push(f);
      return all.sort(compareFindings);
    }
    const length = parts.reduce((n, p) => n + p.count, 0);
    const list: FindingList = {
      length,
      // The iterator holds the list, so its file stays open while any iterator reads it.
      [Symbol.iterator]: () => merged(parts.flatMap((p) => [...p.runs.map((r) => new RunReader(file.fd, r) as Source), arraySource(p.held)]), list),
    };
    collected.register(list, file);
    return list;
  }

  private openFile(): SpoolFile | null {
    try {
      const dir = mkdtempSync(join(tmpdir(), 'evalaudit-findings-'));
      try {
        this.file = { fd: openSync(join(dir, 'spool'), 'w+', 0o600), dir };
      } catch (e) {
        rmSync(dir, { recursive: true, force: true });
        throw e;
      }
    } catch {
      this.failed = true;
      return null;
    }
    try {
      rmSync(this.file.dir!, { recursive: true });
      this.file.dir = null;
    } catch {
      // an open file cannot be removed here: its directory goes when it is closed
    }
    open.add(this.file);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => [...open].forEach(release));
    }
    return this.file;
  }
}

/** One file pass's findings: held up to `limit`, then written to the run's spool as a sorted run. */
export class FindingSpool {
  private held: Finding[] = [];
  private readonly runs: Run[] = [];
  private count = 0;
  private readonly tallies = emptyTallies();

  constructor(
    private readonly spool: Spool,
    private readonly limit = HELD,
  ) {}

  add(finding: Finding): void {
    this.held.push(finding);
    this.count++;
    tally(this.tallies, finding);
    if (this.held.length >= this.limit) this.spill();
  }

  /** Every finding added, sorted. Add nothing after. */
  finish(): SpooledFindings {
    return { runs: this.runs, held: this.held.sort(compareFindings), count: this.count, ...this.tallies };
  }

  private spill(): void {
    this.held.sort(compareFindings);
    let text = '';
    for (const f of this.held) text += `${encode(f)}\n`;
    const run = this.spool.write(text);
    if (run === null) return; // no disk: held after all
    this.runs.push(run);
    this.held = [];
  }
}

/** Findings already in memory, as one part (counted here). */
export function heldPart(sorted: Finding[]): SpooledFindings {
  const tallies = emptyTallies();
  for (const f of sorted) tally(tallies, f);
  return { runs: [], held: sorted, count: sorted.length, ...tallies };
}

/** Findings per rule over every part, by rule id. */
export function countByRule(parts: readonly SpooledFindings[]): Record<string, number> {
  const byRule: Record<string, number> = {};
  for (const p of parts) for (const [rule, n] of Object.entries(p.byRule)) byRule[rule] = (byRule[rule] ?? 0) + n;
  const sorted: Record<string, number> = {};
  for (const rule of Object.keys(byRule).sort(compareText)) sorted[rule] = byRule[rule];
  return sorted;
}

/** One JSON line, or `V` and the V8 serialisation in base64 when JSON would not give the finding back exactly. */
function encode(f: Finding): string {
  return jsonExact(f) ? JSON.stringify(f) : `V${serialize(f).toString('base64')}`;
}

function decode(line: string): Finding {
  return line.charCodeAt(0) === 0x56 /* V */ ? (deserialize(Buffer.from(line.slice(1), 'base64')) as Finding) : (JSON.parse(line) as Finding);
}

/** Whether JSON.parse(JSON.stringify(v)) gives v back exactly (plain objects and arrays of strings, booleans, null and finite numbers). */
function jsonExact(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) return v.every(jsonExact);
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (const k in v) if (!jsonExact((v as Record<string, unknown>)[k])) return false;
      return true;
    }
    default:
      return false;
  }
}

/** A sorted source of findings: `head` is its next one (undefined at its end). */
interface Source {
  head: Finding | undefined;
  advance(): void;
}

function arraySource(sorted: readonly Finding[]): Source {
  let next = 0;
  const source = { head: sorted[0], advance: () => void (source.head = sorted[++next]) };
  return source;
}

/** The sources merged in report order; on a tie the earlier source's first. `owner` is kept alive while this runs. */
function* merged(sources: Source[], owner: FindingList): Generator<Finding> {
  void owner;
  // A binary heap of the sources with a finding left, by their next finding (then index).
  const before = (a: number, b: number) => {
    const c = compareFindings(sources[a].head!, sources[b].head!);
    return c < 0 || (c === 0 && a < b);
  };
  const heap = sources.map((_, i) => i).filter((i) => sources[i].head !== undefined);
  const down = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let best = at;
      if (l < heap.length && before(heap[l], heap[best])) best = l;
      if (r < heap.length && before(heap[r], heap[best])) best = r;
      if (best === at) return;
      [heap[at], heap[best]] = [heap[best], heap[at]];
      at = best;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length > 0) {
    const source = sources[heap[0]];
    yield source.head!;
    source.advance();
    if (source.head === undefined) {
      heap[0] = heap[heap.length - 1];
      heap.pop();
    }
    down(0);
  }
}

/** One sorted run read back from the spool file READ_BYTES at a time. */
class RunReader implements Source {
  head: Finding | undefined;
  private position: number;
  private readonly end: number;
  private carry: Buffer | null = null;
  private lines: string[] = [];
  private next = 0;

  constructor(
    private readonly fd: number,
    run: Run,
  ) {
    this.position = run.start;
    this.end = run.end;
    this.advance();
  }

  advance(): void {
    while (this.next >= this.lines.length) {
      if (this.position >= this.end) {
        this.head = undefined;
        return;
      }
      const chunk = Buffer.allocUnsafe(Math.min(READ_BYTES, this.end - this.position));
      for (let at = 0; at < chunk.length; ) at += readSync(this.fd, chunk, at, chunk.length - at, this.position + at);
      this.position += chunk.length;
      const bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      // Lines end with a newline byte, which no UTF-8 character contains: cutting after it never cuts one.
      const last = bytes.lastIndexOf(10);
      this.carry = last + 1 < bytes.length ? bytes.subarray(last + 1) : null;
      this.lines = last < 0 ? [] : bytes.toString('utf8', 0, last).split('\n');
      this.next = 0;
    }
    this.head = decode(this.lines[this.next++]);
  }
}
