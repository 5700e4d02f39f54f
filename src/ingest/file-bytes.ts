/**
 * The bytes of a file, for text.ts to decode: a regular file read synchronously in chunks into
 * one buffer used again, a byte range of one (a thread's share of a large file), and a FIFO or
 * other stream read as the event loop delivers it.
 */
import { close, closeSync, createReadStream, constants, open as openFd, openSync, read, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { setImmediate as turn } from 'node:timers/promises';
import { Socket } from 'node:net';

const openRaw = promisify(openFd);
const readRaw = promisify(read);
const closeRaw = promisify(close);

/**
 * Bytes read at a time from a regular file, into one buffer used again for every read: no chunk
 * becomes garbage, and a chunk's lines are parsed (and mostly dropped) before V8's young
 * generation fills, so they are not promoted to the old one. Both keep the peak RSS flat.
 */
const CHUNK_BYTES = 1 << 18;

/** A file that is not a FIFO: a regular file in chunks, anything else (a device) as a stream. */
export async function fileBytes(file: string, info: Stats): Promise<AsyncIterator<Buffer>> {
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
export function fileChunks(fd: number, start: number, end: number): AsyncIterator<Buffer> {
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
export async function fifoBytes(file: string): Promise<AsyncIterator<Buffer>> {
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
