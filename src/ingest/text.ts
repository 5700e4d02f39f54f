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
 */
import { close, createReadStream, constants, open as openFd, read, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Socket } from 'node:net';
import { TextDecoder } from 'node:util';

const openRaw = promisify(openFd);
const readRaw = promisify(read);
const closeRaw = promisify(close);

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 20;

export interface TextSource {
  /** The path the user gave. */
  readonly file: string;
  /** The start of the text, at least `chars` characters of it unless the text is shorter; not consumed. */
  peek(chars: number): Promise<string>;
  /** The rest of the text (what `peek` showed included), chunk by chunk. */
  chunks(): AsyncGenerator<string>;
  /** Releases the file when a reader stops early. */
  close(): void;
}

/** Opens a file for reading as text. Rejects (with the system's error) when it cannot be opened. */
export async function openText(file: string): Promise<TextSource> {
  const info = await stat(file);
  const bytes = info.isFIFO() ? await fifoBytes(file) : await fileBytes(file, info);
  return new DecodedSource(file, bytes);
}

async function fileBytes(file: string, info: Stats): Promise<AsyncIterator<Buffer>> {
  // Opened here so that a file that cannot be read fails now, before any reader starts.
  const handle = await open(file, 'r');
  const stream = createReadStream('', { fd: handle, highWaterMark: info.isFile() ? CHUNK_BYTES : 1 << 16 });
  return stream[Symbol.asyncIterator]();
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

class DecodedSource implements TextSource {
  private decoder: TextDecoder | null = null;
  private readonly buffered: string[] = [];
  private bufferedChars = 0;
  private done = false;

  constructor(
    readonly file: string,
    private readonly bytes: AsyncIterator<Buffer>,
  ) {}

  /** The next decoded piece from the file, or null at its end. */
  private async read(): Promise<string | null> {
    for (;;) {
      if (this.done) return null;
      const next = await this.bytes.next();
      let buf: Buffer = next.done ? Buffer.alloc(0) : next.value;
      if (this.decoder === null) {
        // The encoding is told by the first bytes: wait for three of them (or the end).
        if (!next.done && buf.length < 3) {
          const more = await this.bytes.next();
          buf = more.done ? buf : Buffer.concat([buf, more.value]);
          if (more.done) this.done = true;
        }
        this.decoder = new TextDecoder(encodingOf(buf));
      }
      if (next.done) {
        this.done = true;
        const tail = this.decoder.decode();
        if (tail.length > 0) return tail;
        return null;
      }
      const text = this.decoder.decode(buf, { stream: !this.done });
      if (text.length > 0) return text;
    }
  }

  async peek(chars: number): Promise<string> {
    while (this.bufferedChars < chars) {
      const text = await this.read();
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

  close(): void {
    this.done = true;
    void this.bytes.return?.();
  }
}

function encodingOf(head: Buffer): string {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}
