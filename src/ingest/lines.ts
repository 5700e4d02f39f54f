/**
 * The lines of a text, a batch per chunk read, for the JSONL reader (rows.ts). Line breaks are
 * Python's universal newlines: LF, CRLF and a lone CR are one break each.
 *
 * UTF-8 text (nearly every file) is split at the byte level and each line decoded once, straight
 * from the bytes read; UTF-16 text is split after decoding. Both paths share one splitter, over
 * the code units of their chunks (bytes or UTF-16 units): LF and CR are the same value in both,
 * and neither can occur inside a UTF-8 multi-byte sequence, so cutting bytes there never cuts a
 * character. A line that runs over a chunk's end is carried and joined once, when it ends.
 */
import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_CHARS } from './row.js';
import type { TextSource } from './text.js';

const LF = 10;
const CR = 13;

/** What a chunk is to the splitter: its code units, and where a value next occurs. */
interface Units<C> {
  at(chunk: C, i: number): number;
  find(chunk: C, unit: typeof LF | typeof CR, from: number): number;
}

/** The line carried over chunk ends, and how a line is made from its pieces. */
interface Carry<C> {
  /** The line that ends at chunk[start, end), the carry before it included; null when longer than MAX_LINE_CHARS. */
  end(chunk: C, start: number, end: number): string | null;
  /** Holds chunk[start, end) as the start of a line that goes on in the next chunk. */
  keep(chunk: C, start: number, end: number): void;
  /** Whether a line is held (or was dropped for its length) at the text's end. */
  readonly pending: boolean;
  /** The held line, at the text's end (as `end` of nothing). */
  finish(): string | null;
}

/**
 * The lines of a text stream, a batch per chunk read; `null` stands for a line longer than
 * MAX_LINE_CHARS, which is skipped rather than held. A hand-rolled splitter working a chunk at
 * a time: readline's regular-expression split and a promise per line cost more than the JSON
 * parsing they feed on large runs.
 */
export async function* readLineBatches(source: TextSource): AsyncGenerator<(string | null)[]> {
  const bytes = await source.utf8Bytes();
  if (bytes !== null) yield* splitLines(bytes, BYTE_UNITS, new ByteCarry());
  else yield* splitLines(source.chunks(), STRING_UNITS, new StringCarry());
}

const BYTE_UNITS: Units<Buffer> = {
  at: (chunk, i) => chunk[i],
  find: (chunk, unit, from) => chunk.indexOf(unit, from),
};

const STRING_UNITS: Units<string> = {
  at: (chunk, i) => chunk.charCodeAt(i),
  find: (chunk, unit, from) => chunk.indexOf(unit === LF ? '\n' : '\r', from),
};

async function* splitLines<C extends { length: number }>(chunks: AsyncIterable<C>, units: Units<C>, carry: Carry<C>): AsyncGenerator<(string | null)[]> {
  let afterCr = false; // the last chunk ended with CR: a LF starting this one belongs to it
  let any = false;
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    any = true;
    const lines: (string | null)[] = [];
    let start = afterCr && units.at(chunk, 0) === LF ? 1 : 0;
    afterCr = false;
    let lf = units.find(chunk, LF, start);
    let cr = units.find(chunk, CR, start);
    while (lf >= 0 || cr >= 0) {
      const at = cr < 0 || (lf >= 0 && lf < cr) ? lf : cr;
      lines.push(carry.end(chunk, start, at));
      start = at + 1;
      if (at === cr) {
        if (units.at(chunk, start) === LF) start++;
        else if (start === chunk.length) afterCr = true;
        cr = units.find(chunk, CR, start);
      }
      if (lf >= 0 && lf < start) lf = units.find(chunk, LF, start);
    }
    if (start < chunk.length) carry.keep(chunk, start, chunk.length);
    if (lines.length > 0) yield lines;
  }
  if (any && carry.pending) yield [carry.finish()];
}

/** Decoded text: pieces are strings, lengths are characters. */
class StringCarry implements Carry<string> {
  private pieces: string[] = [];
  private length = 0;
  private tooLong = false;

  get pending(): boolean {
    return this.length > 0 || this.tooLong;
  }

  finish(): string | null {
    return this.end('', 0, 0);
  }

  end(chunk: string, start: number, end: number): string | null {
    const piece = chunk.slice(start, end);
    const long = this.tooLong || this.length + piece.length > MAX_LINE_CHARS;
    let line: string | null = null;
    if (!long) {
      // Concatenated, not joined: V8 flattens the rope once, without holding pieces and copy together.
      line = '';
      for (const c of this.pieces) line += c;
      line += piece;
    }
    this.pieces = [];
    this.length = 0;
    this.tooLong = false;
    return line;
  }

  keep(chunk: string, start: number, end: number): void {
    if (this.tooLong) return;
    // One line must not take the process's memory: past the cap it is skipped, not held.
    if (this.length + (end - start) > MAX_LINE_CHARS) {
      this.pieces = [];
      this.length = 0;
      this.tooLong = true;
    } else {
      this.pieces.push(chunk.slice(start, end));
      this.length += end - start;
    }
  }
}

/**
 * UTF-8 bytes: a line in one chunk is decoded straight from it; a carried one is joined as bytes
 * and decoded once, so a character cut by a chunk's end is decoded whole. The cap counts
 * characters, as for decoded text: a line's characters are never more than its bytes, so they are
 * counted (by a decoder over the carried bytes) only once the bytes pass the cap.
 */
class ByteCarry implements Carry<Buffer> {
  private pieces: Buffer[] = [];
  private bytes = 0;
  private tooLong = false;
  /** Counts the carried characters once the carried bytes pass the cap. */
  private counter: StringDecoder | null = null;
  private chars = 0;

  get pending(): boolean {
    return this.bytes > 0 || this.tooLong;
  }

  finish(): string | null {
    return this.end(Buffer.alloc(0), 0, 0);
  }

  end(chunk: Buffer, start: number, end: number): string | null {
    let line: string | null = null;
    if (!this.tooLong) {
      if (this.pieces.length === 0) line = chunk.toString('utf8', start, end);
      else {
        this.pieces.push(chunk.subarray(start, end));
        line = Buffer.concat(this.pieces).toString('utf8');
      }
      if (this.bytes + (end - start) > MAX_LINE_CHARS && line.length > MAX_LINE_CHARS) line = null;
    }
    this.reset(false);
    return line;
  }

  keep(chunk: Buffer, start: number, end: number): void {
    if (this.tooLong) return;
    // A copy: the chunk's memory is read into again (text.ts).
    const piece = Buffer.from(chunk.subarray(start, end));
    this.pieces.push(piece);
    this.bytes += piece.length;
    if (this.bytes <= MAX_LINE_CHARS) return;
    // One line must not take the process's memory: past the cap it is skipped, not held.
    if (this.counter === null) {
      this.counter = new StringDecoder('utf8');
      for (const p of this.pieces) this.chars += this.counter.write(p).length;
    } else this.chars += this.counter.write(piece).length;
    if (this.chars > MAX_LINE_CHARS) this.reset(true);
  }

  private reset(tooLong: boolean): void {
    this.pieces = [];
    this.bytes = 0;
    this.counter = null;
    this.chars = 0;
    this.tooLong = tooLong;
  }
}
