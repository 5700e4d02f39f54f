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
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding, Severity } from '../types.js';
import { IN_REPORT_ORDER, compareFindings, sortedByKey } from './order.js';
import { SEVERITIES } from './severity.js';
import { RunReader, arraySource, encode, merged, type Run, type Source } from './spool-runs.js';

/** A run's findings in report order (order.ts); iterable as often as a reporter needs. */
export interface FindingList extends Iterable<Finding> {
  readonly length: number;
}

/**
 * Findings held in memory before a sorted run is written out (~0.5 kB each, so ~9 MB held at
 * most). Spilling costs more than the bytes it saves on a run this size: 9,420 findings of
 * 110 MB of score rows spilled at 8,192 cost 7–10% of the audit's CPU time, to save ~4 MB.
 */
export const HELD = 16384;

/** A file pass's findings in report order: the runs written out, then those still held (sorted), and their counts. */
export interface SpooledFindings {
  runs: Run[];
  held: Finding[];
  count: number;
  bySeverity: Record<Severity, number>;
  byRule: Record<string, number>;
}

/** Counts one finding into a part's tallies (or any findings' counts by severity and rule). */
export function tally(part: Pick<SpooledFindings, 'bySeverity' | 'byRule'>, f: Finding): void {
  part.bySeverity[f.severity]++;
  part.byRule[f.ruleId] = (part.byRule[f.ruleId] ?? 0) + 1;
}

export const emptyTallies = (): Pick<SpooledFindings, 'bySeverity' | 'byRule'> => ({ bySeverity: { error: 0, warning: 0, info: 0 }, byRule: {} });

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
  try {
    if (file.dir !== null) rmSync(file.dir, { recursive: true, force: true });
  } catch {
    // left for the system's temporary-file cleanup (a scanner holding it open, on Windows)
  }
};
const collected = new FinalizationRegistry<SpoolFile>(release);
let exitHook = false;

/** A run's spool: one temporary file (made when first needed) that every file pass's sorted runs are appended to. */
export class Spool {
  private file: SpoolFile | null = null;
  /** No temporary file could be made, or a write failed: what is not written is held. */
  private failed = false;
  private bytes = 0;
  /** A list was made of it (or it was discarded): nothing more goes in. */
  private listed = false;

  /** Whether runs can still be written (false once a file could not be made or written). */
  get writable(): boolean {
    return !this.failed;
  }

  /**
   * Appends text to the spool and returns where it went; null when there is no file to append
   * to (none could be made, or a write failed: a full disk), and the caller holds what it meant
   * to write: the audit goes on in memory. Appends made one after another without returning to
   * the event loop are contiguous.
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

  /** Closes the spool's file, if it has one, when its run failed before a list was made of it. */
  discard(): void {
    this.listed = true;
    // Nothing is written after (a pass still running when its run failed holds what it has):
    // the descriptor's number may already belong to another file.
    this.failed = true;
    if (this.file !== null) release(this.file);
    this.file = null;
  }

  /**
   * The findings of every part in report order, a part's (and, within it, a run's) before the
   * next's on a tie: what one stable sort of them all, in part order, gives. A plain array when
   * nothing was written out.
   */
  merge(parts: readonly SpooledFindings[]): FindingList {
    // The list owns the file (removed when the list is collected): one list per spool.
    if (this.listed) throw new Error('a spool is merged once');
    this.listed = true;
    const file = this.file;
    if (file === null || parts.every((p) => p.runs.length === 0)) {
      if (file !== null) release(file); // only a pass read again wrote to it
      const all: Finding[] = [];
      for (const p of parts) for (const f of p.held) all.push(f);
      return all.sort(compareFindings);
    }
    const length = parts.reduce((n, p) => n + p.count, 0);
    const list: FindingList & { [IN_REPORT_ORDER]: true } = {
      [IN_REPORT_ORDER]: true,
      length,
      // The iterator holds the list, so its file stays open while any iterator reads it.
      [Symbol.iterator]: () => merged(parts.flatMap((p) => sourcesOf(p, file.fd)), list),
    };
    collected.register(list, file);
    return list;
  }

  /**
   * One part's findings in report order (its runs merged with what it holds), for writing them
   * out as they are read (a shard's partial report); the spool stays as it was.
   */
  findingsOf(part: SpooledFindings): Iterable<Finding> {
    const file = this.file;
    if (file === null || part.runs.length === 0) return part.held;
    return { [Symbol.iterator]: () => merged(sourcesOf(part, file.fd), this) };
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

/** A part's sorted sources, in the order a tie is broken: its runs as written, then what it holds. */
function sourcesOf(part: SpooledFindings, fd: number): Source[] {
  return [...part.runs.map((r) => new RunReader(fd, r)), arraySource(part.held)];
}

/** One file pass's findings: held up to `limit`, then written to the run's spool as a sorted run. */
export class FindingSpool {
  private held: Finding[] = [];
  private readonly runs: Run[] = [];
  private count = 0;
  private readonly tallies = emptyTallies();

  constructor(
    private readonly spool: Spool,
    private limit = HELD,
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

  /**
   * The held findings as one sorted run, written in slices of about SLICE_CHARS (one string of
   * them all could pass V8's string length limit when findings carry large evidence). When the
   * spool cannot take it, the findings stay held and no more spills are tried.
   */
  private spill(): void {
    if (!this.spool.writable) {
      this.limit = Infinity;
      return;
    }
    this.held.sort(compareFindings);
    let start = -1;
    let end = -1;
    let text = '';
    const flush = (): boolean => {
      const run = this.spool.write(text);
      text = '';
      if (run === null) return false;
      if (start < 0) start = run.start;
      end = run.end;
      return true;
    };
    for (const f of this.held) {
      text += `${encode(f)}\n`;
      if (text.length >= SLICE_CHARS && !flush()) break;
    }
    if (!this.spool.writable || (text.length > 0 && !flush())) {
      this.limit = Infinity; // held after all (a partly written run is never read)
      return;
    }
    this.runs.push({ start, end });
    this.held = [];
  }
}

/** Characters of a run's text written at a time. */
const SLICE_CHARS = 1 << 20;

/** Findings already in memory, as one part (counted here). */
export function heldPart(sorted: Finding[]): SpooledFindings {
  const tallies = emptyTallies();
  for (const f of sorted) tally(tallies, f);
  return { runs: [], held: sorted, count: sorted.length, ...tallies };
}

/** Findings per severity and per rule (by rule id) over every part. */
export function partTotals(parts: readonly SpooledFindings[]): Pick<SpooledFindings, 'bySeverity' | 'byRule'> {
  const { bySeverity, byRule } = emptyTallies();
  for (const p of parts) {
    for (const s of SEVERITIES) bySeverity[s] += p.bySeverity[s];
    for (const [rule, n] of Object.entries(p.byRule)) byRule[rule] = (byRule[rule] ?? 0) + n;
  }
  return { bySeverity, byRule: sortedByKey(byRule) };
}
