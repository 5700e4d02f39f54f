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
 * - `utf8Bytes` hands a UTF-8 text on undecoded (BOM removed), for readers that split lines at
 *   the byte level and decode each line once (rows.ts): decoding whole chunks and cutting the
 *   string costs more.
 */
import { close, closeSync, createReadStream, constants, open as openFd, openSync, read, readSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { setImmediate as turn } from 'node:timers/promises';
import { Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

const openRaw = promisify(openFd);
const readRaw = promisify(read);
const closeRaw = promisify(close);

/**
 * Bytes read at a time from a regular file, into one buffer used again for every read: no chunk
 * becomes garbage, and a chunk's lines are parsed (and mostly dropped) before V8's young
 * generation fills, so they are not promoted to the old one. Both keep the peak RSS flat.
 */
const CHUNK_BYTES = 1 << 18;

export interface TextSource {
  /** The path the user gave. */
  readonly file: string;
  /** The start of the text, at least `chars` characters of it unless the text is shorter; not consumed. */
  peek(chars: number): Promise<string>;
  /** The rest of the text (what `peek` showed included), chunk by chunk. */
  chunks(): AsyncGenerator<string>;
  /**
   * The rest of the text (what `peek` showed included) as bytes, the UTF-8 BOM removed, when the
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

async function fileBytes(file: string, info: Stats): Promise<AsyncIterator<Buffer>> {
  // Opened here so that a file that cannot be read fails now, before any reader starts.
  if (info.isFile()) return fileChunks(openSync(file, 'r'), 0, Infinity);
  const handle = await open(file, 'r');
  const stream = createReadStream('', { fd: handle, highWaterMark: 1 << 16 });
  return stream[Symbol.asyncIterator]();
}

/** Closes the descriptor of chunks dropped while suspended (a generator left at a yield runs no `finally`), as Node does a FileHandle's. */
const dropped = new FinalizationRegistry<number>((fd) => closeSync(fd));

/**
 * Bytes [start, end) of a regular file open as `fd`, CHUNK_BYTES at a time into one buffer used
 * again for every read (a chunk stays valid until the next is asked for). Opened, read and
 * closed synchronously: a regular file's read is a copy from the page cache, tens of
 * microseconds, where a call handed to libuv's thread pool waits for that thread on a machine
 * whose cores are busy (measured: ~7% of a score-only audit spent idle, 10–15% slower in all;
 * with an open, a stat and a close waiting so, 1000 small files took half as long again). The event
 * loop still turns once a chunk. The file is closed when read to its end, when stopped (`return`,
 * also before the first read, where a generator would run no `finally`), or when dropped.
 */
function fileChunks(fd: number, start: number, end: number): AsyncIterator<Buffer> {
  const token = {};
  const chunks = readChunks(fd, start, end, token);
  dropped.register(chunks, fd, token);
  let started = false;
  const release = () => {
    if (started) return;
    started = true;
    dropped.unregister(token);
    closeSync(fd);
  };
  return {
    next: () => {
      started = true;
      return chunks.next();
    },
    return: (value?: unknown) => {
      release();
      return chunks.return(value);
    },
  };
}

/** Read buffers of files read to their end or stopped, used again: a run of many small files would allocate 256 KiB a file. */
const spare: Buffer[] = [];

async function* readChunks(fd: number, start: number, end: number, token: object): AsyncGenerator<Buffer> {
  const buffer = spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (let position = start; position < end; ) {
      const bytesRead = readSync(fd, buffer, 0, Math.min(CHUNK_BYTES, end - position), position);
      if (bytesRead === 0) return;
      position += bytesRead;
      yield buffer.subarray(0, bytesRead);
      // A turn of the event loop per chunk: without one, reads that never wait would starve it
      // (Ctrl-C, a worker's messages, V8's own finishing of a garbage collection all wait there).
      await turn();
    }
  } finally {
    dropped.unregister(token);
    closeSync(fd);
    // Its last chunk is no longer valid (the reader asked for the next, or stopped): free to reuse.
    if (spare.length < 8) spare.push(buffer);
  }
}

/**
 * A FIFO opened non-blocking (open() would wait for a writer); one read tells whether anyone
 * writes to it (none: end of file at once), then the event loop reads it like a pipe.
 */
async function fifoBytes(file: string): Promise<AsyncIterator<Buffer>> {
  // A raw descriptor, not a FileHandle: the socket below owns and closes it.
  const fd = await openRaw(file, constants.O_RDONLY | constants.O_NONBLOCK);
  let first: Buffer | null = null;
  try {
    const buffer = Buffer.alloc(1 << 16);
    const { bytesRead } = await readRaw(fd, buffer, 0, buffer.length, null);
    if (bytesRead === 0) {
      await closeRaw(fd);
      return (async function* () {})();
    }
    first = buffer.subarray(0, bytesRead);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
      await closeRaw(fd);
      throw err;
    }
  }
  const socket = new Socket({ fd, readable: true, writable: false });
  const rest = socket[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return (async function* () {
    try {
      if (first) yield first;
      for (;;) {
        const next = await rest.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      socket.destroy();
    }
  })();
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

class DecodedSource implements TextSource {
  private decoder: Decoder | null = null;
  private readonly buffered: string[] = [];
  /** The bytes `peek` decoded, kept for `utf8Bytes`. */
  private readonly bufferedBytes: Buffer[] = [];
  private peeking = false;
  private bufferedChars = 0;
  private done = false;

  constructor(
    readonly file: string,
    private readonly bytes: AsyncIterator<Buffer>,
    /** Whether a leading byte-order mark is stripped (at a file's start, not a range's). */
    private readonly atStart = true,
  ) {}

  /** The next decoded piece from the file, or null at its end. */
  private async read(): Promise<string | null> {
    while (!this.done) {
      const next = await this.bytes.next();
      if (next.done) {
        this.done = true;
        const tail = this.decoder?.end() ?? '';
        return tail.length > 0 ? tail : null;
      }
      let buf: Buffer = next.value;
      if (this.decoder === null) {
        // The encoding is told by the first bytes: wait for two of them (or the end).
        if (buf.length < 2) {
          const head = Buffer.from(buf);
          const more = await this.bytes.next();
          if (more.done) this.done = true;
          else buf = Buffer.concat([head, more.value]);
        }
        this.decoder = this.atStart ? new Decoder(encodingOf(buf)) : new Decoder('utf-8', false);
      }
      // A regular file's chunks share one buffer: what peek keeps is a copy.
      if (this.peeking) this.bufferedBytes.push(Buffer.from(buf));
      const text = this.decoder.write(buf) + (this.done ? this.decoder.end() : '');
      if (text.length > 0) return text;
    }
    return null;
  }

  async peek(chars: number): Promise<string> {
    while (this.bufferedChars < chars) {
      this.peeking = true;
      const text = await this.read().finally(() => (this.peeking = false));
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
    if (this.decoder === null) await this.peek(1);
    if (this.decoder !== null && this.decoder.encoding !== 'utf-8') return null;
    this.buffered.length = 0;
    this.bufferedChars = 0;
    const peeked = this.bufferedBytes.splice(0);
    return this.rawBytes(peeked);
  }

  private async *rawBytes(peeked: Buffer[]): AsyncGenerator<Buffer> {
    try {
      // The start is held until it is three bytes long (or the text ends), so a BOM split over
      // reads (a slow pipe) is removed too.
      let head: Buffer | null = Buffer.alloc(0);
      const emit = (buf: Buffer): Buffer | null => {
        if (head === null) return buf;
        head = Buffer.concat([head, buf]);
        if (head.length < 3 && !this.done) return null;
        const start = head.length >= 3 && head[0] === BOM[0] && head[1] === BOM[1] && head[2] === BOM[2] ? 3 : 0;
        const out = head.subarray(start);
        head = null;
        return out;
      };
      for (const buf of peeked) {
        const out = emit(buf);
        if (out !== null && out.length > 0) yield out;
      }
      for (;;) {
        const next = this.done ? null : await this.bytes.next();
        if (next === null || next.done) {
          this.done = true;
          const out = head !== null ? emit(Buffer.alloc(0)) : null;
          if (out !== null && out.length > 0) yield out;
          return;
        }
        const out = emit(next.value);
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
