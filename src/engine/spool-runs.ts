/**
 * The sorted runs of the findings spool (finding-spool.ts): how a finding is written as one line
 * and read back exactly, and how runs (on disk, or still in memory) are merged into report order.
 */
import { readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { deserialize, serialize } from 'node:v8';
import type { Finding } from '../types.js';
import { compareFindings } from './order.js';

/**
 * Findings written to the spool could not be read back (the disk under the temporary directory
 * failed): the report cannot be finished, and says so rather than "internal error".
 */
export class SpoolReadError extends Error {
  constructor(reason: string) {
    super(`cannot read back the findings spilled to a temporary file (under ${tmpdir()}): ${reason}`);
    this.name = 'SpoolReadError';
  }
}

/** Bytes read from a run at a time while merging. */
const READ_BYTES = 1 << 15;

/** A sorted run: bytes [start, end) of the spool file. */
export interface Run {
  start: number;
  end: number;
}

/** One JSON line, or `V` and the V8 serialisation in base64 when JSON would not give the finding back exactly. */
export function encode(f: Finding): string {
  if (jsonExact(f)) return JSON.stringify(f);
  try {
    return `V${serialize(f).toString('base64')}`;
  } catch {
    return JSON.stringify(f); // a value neither can hold exactly (a function a custom rule put in evidence): as the JSON report shows it
  }
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
export interface Source {
  head: Finding | undefined;
  advance(): void;
}

export function arraySource(sorted: readonly Finding[]): Source {
  let next = 0;
  const source = { head: sorted[0], advance: () => void (source.head = sorted[++next]) };
  return source;
}

/** The sources merged in report order; on a tie the earlier source's first. `owner` is kept alive while this runs. */
export function* merged(sources: Source[], owner: object): Generator<Finding> {
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
export class RunReader implements Source {
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
        // A run written by the spool ends with a newline: bytes after the last one are a line cut short.
        if (this.carry) throw new SpoolReadError('a run of the spool ends inside a finding (the file was changed or cut short)');
        this.head = undefined;
        return;
      }
      const chunk = Buffer.allocUnsafe(Math.min(READ_BYTES, this.end - this.position));
      for (let at = 0; at < chunk.length; ) {
        let n: number;
        try {
          n = readSync(this.fd, chunk, at, chunk.length - at, this.position + at);
        } catch (e) {
          throw new SpoolReadError((e as Error).message);
        }
        if (n === 0) throw new SpoolReadError('the file ended before a run written to it'); // not a silent loop
        at += n;
      }
      this.position += chunk.length;
      const bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
      // Lines end with a newline byte, which no UTF-8 character contains: cutting after it never cuts one.
      const last = bytes.lastIndexOf(10);
      this.carry = last + 1 < bytes.length ? bytes.subarray(last + 1) : null;
      this.lines = last < 0 ? [] : bytes.toString('utf8', 0, last).split('\n');
      this.next = 0;
    }
    const line = this.lines[this.next++];
    try {
      this.head = decode(line);
    } catch (e) {
      throw new SpoolReadError(`a finding in the spool cannot be decoded (the file was changed or damaged): ${(e as Error).message}`);
    }
  }
}
