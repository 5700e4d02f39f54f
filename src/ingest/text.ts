/**
 * A file's text, decoded chunk by chunk, for the readers of text containers (JSONL, JSON, CSV).
 *
 * - Regular files are streamed; a FIFO, a pipe (`<(cat run.jsonl)`) or a device is read as a
 *   stream too. A FIFO is opened without waiting for a writer: when nobody writes to it, it
 *   reads as empty instead of blocking the run forever.
 * - UTF-8 with or without a BOM; UTF-16 (LE or BE) when it starts with its BOM (what Windows
 *   PowerShell's `>` writes). Bytes that are not valid UTF-8 become U+FFFD, as in any decoder.
 * - `peek` lets a reader look at the start of the text (to choose how to read it) without
 *   consuming it, so a stream that cannot be read twice is still read once.
 * - `utf8Bytes` hands a UTF-8 text on undecoded (a BOM at its start removed), for readers that split lines at
 *   the byte level and decode each line once (rows.ts): decoding whole chunks and cutting the
 *   string costs more.
 */
import { openSync, statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fifoBytes, fileBytes, fileChunks } from './file-bytes.js';

export interface TextSource {
  /** The path the user gave. */
  readonly file: string;
  /** The start of the text, at least `chars` characters of it unless the text is shorter; not consumed. */
  peek(chars: number): Promise<string>;
  /** The rest of the text (what `peek` showed included), chunk by chunk. */
  chunks(): AsyncGenerator<string>;
  /**
   * The rest of the text (what `peek` showed included) as bytes, a UTF-8 BOM at a file's start removed, when the
   * text is UTF-8; null when it is UTF-16 (read it with `chunks`). Consume this or `chunks`, not both.
   * A chunk is valid until the next one is asked for (its memory is read into again): copy what
   * must outlive it.
   */
  utf8Bytes(): Promise<AsyncGenerator<Buffer> | null>;
  /** Releases the file when a reader stops early. */
  close(): void;
}

/** The name standard input (`-` on the command line) has in reports. */
export const STDIN = '<stdin>';

/** Opens a file for reading as text. Rejects (with the system's error) when it cannot be opened. */
export async function openText(file: string): Promise<TextSource> {
  if (file === STDIN) return new DecodedSource(file, process.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  // Synchronous, as the reads are (see fileChunks): a stat waits for the thread pool otherwise, ~0.1 ms a file here.
  const info = statSync(file);
  const bytes = info.isFIFO() ? await fifoBytes(file) : await fileBytes(file, info);
  return new DecodedSource(file, bytes);
}

/**
 * Whether the file can be read a second time from its start with the same content: a regular
 * file can; standard input, a FIFO or a device cannot.
 */
export async function rereadable(file: string): Promise<boolean> {
  if (file === STDIN) return false;
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Bytes [start, end) of a regular UTF-8 file as text: one thread's share of a large file, cut at
 * line starts. A byte-order mark is the file's only at its start.
 */
export async function openTextRange(file: string, start: number, end: number): Promise<TextSource> {
  return new DecodedSource(file, fileChunks(openSync(file, 'r'), start, end), start === 0);
}

/**
 * Bytes to text. Node's StringDecoder (not TextDecoder) for speed and memory: it makes one-byte
 * strings of Latin-1 text, where TextDecoder's are always two bytes a character, which doubles
 * what a large row costs. UTF-16BE is swapped to LE first (Node decodes LE only).
 */
class Decoder {
  private readonly inner: StringDecoder;
  private odd: Buffer | null = null;
  private bom: boolean;

  constructor(
    readonly encoding: 'utf-8' | 'utf-16le' | 'utf-16be',
    bom = true,
  ) {
    this.inner = new StringDecoder(encoding === 'utf-8' ? 'utf8' : 'utf16le');
    this.bom = bom;
  }

  write(buf: Buffer): string {
    if (this.encoding === 'utf-16be') buf = this.swap(buf);
    return this.stripBom(this.inner.write(buf));
  }

  end(): string {
    return this.stripBom(this.inner.end());
  }

  private stripBom(text: string): string {
    if (!this.bom || text.length === 0) return text;
    this.bom = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  private swap(buf: Buffer): Buffer {
    const joined = this.odd ? Buffer.concat([this.odd, buf]) : Buffer.from(buf);
    const even = joined.length - (joined.length % 2);
    this.odd = even < joined.length ? joined.subarray(even) : null;
    return joined.subarray(0, even).swap16();
  }
}

/** The UTF-8 byte order mark. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * What `peek` decodes of a chunk at a time: a peek asks for the first few kilobytes of a file
 * (a sniff, an LFS pointer), and decoding a whole chunk for them would decode a quarter of a
 * megabyte that the byte-level line splitter reads again as bytes.
 */
const PEEK_BYTES = 1 << 14;

class DecodedSource implements TextSource {
  private decoder: Decoder | null = null;
  private readonly buffered: string[] = [];
  /** The bytes `peek` decoded, kept for `utf8Bytes`. */
  private readonly bufferedBytes: Buffer[] = [];
  /** The part of the last chunk read that `peek` left undecoded (a copy: chunks share one buffer). */
  private rest: Buffer | null = null;
  private peeking = false;
  private bufferedChars = 0;
  private done = false;

  constructor(
    readonly file: string,
    private readonly bytes: AsyncIterator<Buffer>,
    /** Whether the bytes are a text's start (a file's, not a range's): its encoding is told there, and a leading byte-order mark stripped. */
    private readonly atStart = true,
  ) {}

  /** The next decoded piece from the file (at most `limit` bytes of it), or null at its end. */
  private async read(limit = Infinity): Promise<string | null> {
    for (;;) {
      let buf: Buffer;
      if (this.rest !== null) {
        buf = this.rest;
        this.rest = null;
      } else {
        if (this.done) return null;
        const next = await this.bytes.next();
        if (next.done) {
          this.done = true;
          const tail = this.decoder?.end() ?? '';
          return tail.length > 0 ? tail : null;
        }
        buf = next.value;
      }
      if (this.decoder === null) {
        // The encoding is told by the first bytes: wait for two of them (or the end).
        if (buf.length < 2) {
          const head = Buffer.from(buf); // buf is valid until the next read, which comes now
          const more = await this.bytes.next();
          if (more.done) this.done = true;
          buf = more.done ? head : Buffer.concat([head, more.value]);
        }
        this.decoder = this.atStart ? new Decoder(encodingOf(buf)) : new Decoder('utf-8', false);
      }
      if (buf.length > limit) {
        this.rest = Buffer.from(buf.subarray(limit));
        buf = buf.subarray(0, limit);
      }
      // A regular file's chunks share one buffer: what peek keeps is a copy.
      if (this.peeking) this.bufferedBytes.push(Buffer.from(buf));
      const text = this.decoder.write(buf) + (this.done ? this.decoder.end() : '');
      if (text.length > 0) return text;
    }
  }

  async peek(chars: number): Promise<string> {
    while (this.bufferedChars < chars) {
      this.peeking = true;
      const text = await this.read(Math.max(PEEK_BYTES, 2 * (chars - this.bufferedChars))).finally(() => (this.peeking = false));
      if (text === null) break;
      this.buffered.push(text);
      this.bufferedChars += text.length;
    }
    if (this.buffered.length > 1) this.buffered.splice(0, this.buffered.length, this.buffered.join(''));
    return this.buffered[0] ?? '';
  }

  async *chunks(): AsyncGenerator<string> {
    try {
      while (this.buffered.length > 0) {
        const text = this.buffered.shift()!;
        this.bufferedChars -= text.length;
        yield text;
      }
      for (;;) {
        const text = await this.read();
        if (text === null) return;
        yield text;
      }
    } finally {
      this.close();
    }
  }

  async utf8Bytes(): Promise<AsyncGenerator<Buffer> | null> {
    // A range of a UTF-8 file, nothing peeked: its bytes as they are, nothing decoded.
    if (!this.atStart && this.decoder === null) return this.rawBytes([], false);
    if (this.decoder === null) await this.peek(1);
    if (this.decoder !== null && this.decoder.encoding !== 'utf-8') return null;
    this.buffered.length = 0;
    this.bufferedChars = 0;
    const peeked = this.bufferedBytes.splice(0);
    if (this.rest !== null) peeked.push(this.rest);
    this.rest = null;
    return this.rawBytes(peeked, this.atStart);
  }

  /** `bom`: a UTF-8 byte-order mark at the start is removed (a text's start, not a range's). */
  private async *rawBytes(peeked: Buffer[], bom: boolean): AsyncGenerator<Buffer> {
    try {
      // The start is held until it is three bytes long (or the text ends), so a BOM split over
      // reads (a slow pipe) is removed too.
      let head: Buffer | null = bom ? Buffer.alloc(0) : null;
      // `last`: nothing follows buf, so a start shorter than three bytes is all there is.
      const emit = (buf: Buffer, last: boolean): Buffer | null => {
        if (head === null) return buf;
        // Joined (a copy) only when the start came in pieces: a chunk is valid until the next read.
        const joined = head.length === 0 && buf.length >= 3 ? buf : Buffer.concat([head, buf]);
        if (joined.length < 3 && !last) {
          head = joined;
          return null;
        }
        head = null;
        const start = joined.length >= 3 && joined[0] === BOM[0] && joined[1] === BOM[1] && joined[2] === BOM[2] ? 3 : 0;
        return joined.subarray(start);
      };
      // What peek read (copies) first; when it read to the end, its last piece is the text's.
      for (let k = 0; k < peeked.length; k++) {
        const out = emit(peeked[k], this.done && k === peeked.length - 1);
        if (out !== null && out.length > 0) yield out;
      }
      for (;;) {
        const next = this.done ? null : await this.bytes.next();
        if (next === null || next.done) {
          this.done = true;
          const out = head !== null ? emit(Buffer.alloc(0), true) : null;
          if (out !== null && out.length > 0) yield out;
          return;
        }
        const out = emit(next.value, false);
        if (out !== null && out.length > 0) yield out;
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    this.done = true;
    void this.bytes.return?.();
  }
}

function encodingOf(head: Buffer): 'utf-8' | 'utf-16le' | 'utf-16be' {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}
