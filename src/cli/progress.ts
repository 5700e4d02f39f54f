/**
 * The progress line (loaded by terminal.ts's openProgress only when someone watches: cli-truncate
 * and string-width take ~40 ms to load, which a CI run or a redirected one never pays).
 */
import cliTruncate from 'cli-truncate';
import { escapeUnprintable } from '../report/format.js';
import { watched, type Progress } from './terminal.js';

/** At most ten redraws a second: progress must never cost the audit. */
const REDRAW_MS = 100;

/**
 * Progress for a person watching: only on a TTY outside CI. One line, cut to the terminal's
 * width so it never wraps (a wrapped line cannot be cleared with one CR), and cleared on exit
 * and on Ctrl-C, which then ends the process as Ctrl-C does.
 */
export function startProgress(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Progress | undefined {
  if (!watched(stream, env)) return undefined;
  let last = 0;
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  const onSigint = () => {
    clear();
    process.removeListener('SIGINT', onSigint);
    process.kill(process.pid, 'SIGINT');
  };
  process.on('SIGINT', onSigint);
  return {
    update(records, file, files) {
      const now = Date.now();
      if (now - last < REDRAW_MS && files.done < files.total) return;
      last = now;
      stream.write(`\r\x1b[2K${progressLine(records, file, files, stream.columns ?? 80)}`);
      shown = true;
    },
    stop() {
      clear();
      process.removeListener('SIGINT', onSigint);
    },
  };
}

/** `evalaudit: 3/12 files, 4096 records  …/runs/mmlu.jsonl`, one column short of the width. */
export function progressLine(records: number, file: string, files: { done: number; total: number }, columns: number): string {
  const head = `evalaudit: ${files.done}/${files.total} files, ${records} records  `;
  const room = columns - 1 - head.length;
  if (room < 8) return cliTruncate(head.trimEnd(), Math.max(1, columns - 1));
  return head + cliTruncate(escapeUnprintable(file), room, { position: 'start' });
}
