/**
 * Where reports go, and the one function that writes them: every report, the step summary and
 * the baseline are written through writeReport, so how output is written is decided in one place.
 * The CLI's concern only: the library returns results and strings.
 *
 * - A file is written atomically (a temporary file in the same folder, then a rename), so a run
 *   that fails leaves the previous report or nothing, never half a file; a missing folder is
 *   created; an input file is never the target. The step summary is appended to, as GitHub asks;
 *   an append that fails is taken back (the file truncated to what it held before).
 * - On stdout, EPIPE means the reader stopped reading (`| head -1`): it has what it wanted, and
 *   the exit code stays the one the audit earned. Any other write error (ENOSPC on a full disk)
 *   is one line on stderr naming stdout, and exit code 2.
 * - A report may come as one string or in pieces (a large JSON report): pieces are written as they
 *   come, so the whole text is never held.
 */
import { access, chmod, constants, lstat, mkdir, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export type OutputTarget = { kind: 'stdout' } | { kind: 'file'; path: string; append?: boolean };

/** Output that cannot be written: the CLI prints it and exits 2. */
export class OutputError extends Error {}

function reason(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? String(e);
}

/**
 * Fails before the audit, not after it: not a directory, not one of the input files (by device
 * and inode, so links count), and the nearest existing folder writable (missing ones are created).
 */
export async function checkTarget(target: OutputTarget, inputs: readonly string[] = []): Promise<void> {
  if (target.kind === 'stdout') return;
  const { path } = target;
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) throw new OutputError(`cannot write ${path}: it is a directory`);
  if (info) {
    for (const input of inputs) {
      const other = statOrNull(input); // synchronous: one stat per input, each waiting for the thread pool otherwise
      if (other && other.dev === info.dev && other.ino === info.ino) {
        throw new OutputError(`${path} is one of the input files (${input}): write the report elsewhere`);
      }
    }
  }
  let dir = dirname(resolve(path));
  for (;;) {
    const d = await stat(dir).catch(() => null);
    if (d) {
      if (!d.isDirectory()) throw new OutputError(`cannot write ${path}: ${dir} is not a directory`);
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  try {
    await access(dir, constants.W_OK);
  } catch (e) {
    throw new OutputError(`cannot write ${path}: ${reason(e)}`);
  }
}

export async function writeReport(target: OutputTarget, text: string | Iterable<string>): Promise<void> {
  const pieces = typeof text === 'string' ? [text] : text;
  if (target.kind === 'stdout') {
    watchStandardStreams();
    for (const piece of pieces) {
      if (process.stdout.destroyed) return; // the reader went away (EPIPE): it has what it wanted
      if (!process.stdout.write(piece)) await drained(process.stdout);
    }
    return;
  }
  try {
    await mkdir(dirname(resolve(target.path)), { recursive: true });
    const made = madeBy(pieces);
    if (target.append) await writePieces(target.path, made, 'a');
    else await writeAtomically(target.path, made);
  } catch (e) {
    // What failed to make a piece (a reporter, reading spilled findings back) is no failure to
    // write: it goes on as it is, an internal error with its stack or an error of its own.
    if (e instanceof PieceFailure) throw e.cause;
    throw new OutputError(`cannot write ${target.path}: ${reason(e)}`);
  }
}

/** An error thrown while the report's pieces were made, told apart from one writing them. */
class PieceFailure {
  constructor(readonly cause: unknown) {}
}

/** The pieces, an error making one thrown as a PieceFailure; stopped early (a write failed), they are closed as a for-of closes them. */
function* madeBy(pieces: Iterable<string>): Generator<string> {
  let it: Iterator<string>;
  try {
    it = pieces[Symbol.iterator]();
  } catch (e) {
    throw new PieceFailure(e);
  }
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = it.next();
      } catch (e) {
        done = true; // an iterator that threw is finished
        throw new PieceFailure(e);
      }
      if (next.done) {
        done = true;
        return;
      }
      if (typeof next.value !== 'string') throw new PieceFailure(new TypeError(`a report piece is ${typeof next.value}, not a string`));
      yield next.value;
    }
  } finally {
    if (!done) it.return?.();
  }
}

/** Until the stream takes more (or can take nothing more). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((done) => {
    const finish = () => {
      stream.off('drain', finish).off('close', finish).off('error', finish);
      done();
    };
    stream.on('drain', finish).on('close', finish).on('error', finish);
  });
}

/**
 * Each piece encoded into one buffer used again for every piece (a large report's pieces would
 * otherwise each leave a buffer for the garbage collector), and written from where the last
 * ended, synchronously: a write to a file is a copy into the page cache (as reads, text.ts).
 */
async function writePieces(path: string, pieces: Iterable<string>, flag: 'a' | 'wx'): Promise<void> {
  const handle = await open(path, flag);
  // What an append found: a failure takes the file back to it, so that no half report is left after what was there.
  const before = flag === 'a' ? await handle.stat() : null;
  let buffer = Buffer.allocUnsafe(1 << 18);
  try {
    for (const piece of pieces) {
      const bytes = Buffer.byteLength(piece);
      if (bytes > buffer.length) buffer = Buffer.allocUnsafe(bytes);
      buffer.write(piece);
      for (let at = 0; at < bytes; ) at += writeSync(handle.fd, buffer, at, bytes - at);
    }
  } catch (e) {
    // Not a regular file (a FIFO, /dev/full): what was written cannot be taken back.
    if (before?.isFile()) await handle.truncate(before.size).catch(() => undefined);
    throw e;
  } finally {
    await handle.close();
  }
}

/** The whole text or nothing: a temporary file beside the target, renamed over it. */
async function writeAtomically(path: string, pieces: Iterable<string>): Promise<void> {
  // Through a symbolic link, the file it points to is replaced, not the link.
  const link = await lstat(path).catch(() => null);
  const target = link?.isSymbolicLink() ? await realpath(path).catch(() => path) : path;
  const tmp = join(dirname(resolve(target)), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await writePieces(tmp, pieces, 'wx');
    const old = await stat(target).catch(() => null);
    if (old) await chmod(tmp, old.mode & 0o7777);
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

let watching = false;
let stdoutFailed = false;

/** Watches stdout (and stderr) for write errors, once per process. */
export function watchStandardStreams(): void {
  if (watching) return;
  watching = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') return;
    if (!stdoutFailed) {
      stdoutFailed = true;
      process.stderr.write(`evalaudit: cannot write the report to stdout: ${reason(e)}\n`);
    }
    process.exitCode = 2;
  });
  // Nothing is left to tell the user when stderr itself fails: never crash over it.
  process.stderr.on('error', () => undefined);
}

/** The exit code to end with: the audit's, unless the report could not be written to stdout. */
export function finalExitCode(code: number): number {
  return stdoutFailed ? 2 : code;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
