/**
 * Where the report goes, and what happens when it cannot go there. The CLI's concern only: the
 * library returns results and strings.
 *
 * - `--output` is written atomically (a temporary file in the same folder, then a rename), so a
 *   run that fails leaves the previous report or nothing, never half a file; a missing folder is
 *   created; an input file is never the target.
 * - On stdout, EPIPE means the reader stopped reading (`| head -1`): it has what it wanted, and
 *   the exit code stays the one the audit earned. Any other write error (ENOSPC on a full disk)
 *   is one line on stderr naming stdout, and exit code 2.
 */
import { access, chmod, constants, lstat, mkdir, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export class OutputError extends Error {}

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? String(e);
}

/** Fails before the audit, not after it, when the report could not be written where asked. */
export async function checkOutputTarget(path: string, inputs: readonly string[]): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) throw new OutputError(`cannot write ${path}: it is a directory`);
  if (info) {
    for (const input of inputs) {
      const other = await stat(input).catch(() => null);
      if (other && other.dev === info.dev && other.ino === info.ino) {
        throw new OutputError(`--output ${path} is one of the input files (${input}): write the report elsewhere`);
      }
    }
  }
  // The folder may not exist yet (it is created): the nearest one that does must be writable.
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
    throw new OutputError(`cannot write ${path}: ${codeOf(e)}`);
  }
}

/** Writes the whole report or nothing: a temporary file beside the target, renamed over it. */
export async function writeReportFile(path: string, text: string): Promise<void> {
  // Through a symbolic link, the file it points to is replaced, not the link.
  const link = await lstat(path).catch(() => null);
  const target = link?.isSymbolicLink() ? await realpath(path).catch(() => path) : path;
  const dir = dirname(resolve(target));
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, text, { flag: 'wx' });
    const old = await stat(target).catch(() => null);
    if (old) await chmod(tmp, old.mode & 0o7777);
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new OutputError(`cannot write ${path}: ${codeOf(e)}`);
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
      process.stderr.write(`evalaudit: cannot write the report to stdout: ${codeOf(e)}\n`);
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
