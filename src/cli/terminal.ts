/**
 * What the terminal decides: colour (Node's `hasColors()` semantics: FORCE_COLOR first, then
 * NO_COLOR, NODE_DISABLE_COLORS and TERM=dumb; `--color` / `--no-color` win over all), the width
 * a text report is laid out for, and the progress line.
 */
import cliTruncate from 'cli-truncate';
import { escapeUnprintable } from '../report/format.js';

type Stream = Pick<NodeJS.WriteStream, 'isTTY'> & Partial<Pick<NodeJS.WriteStream, 'hasColors' | 'columns'>>;

/** FORCE_COLOR as Node reads it: '', 1, 2, 3 and true turn colour on; any other value (0, false) off. */
function forced(env: NodeJS.ProcessEnv): boolean | undefined {
  const f = env.FORCE_COLOR;
  if (f === undefined) return undefined;
  return ['', '1', '2', '3', 'true'].includes(f);
}

export function useColor(stream: Stream, env: NodeJS.ProcessEnv = process.env, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  // A TTY answers for itself (it also knows TERM, CI terminals and tmux); hasColors reads FORCE_COLOR and NO_COLOR from env.
  if (stream.isTTY === true && typeof stream.hasColors === 'function') return stream.hasColors(env);
  const force = forced(env);
  if (force !== undefined) return force;
  if (env.NO_COLOR !== undefined || env.NODE_DISABLE_COLORS !== undefined || env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Columns for the text report: the terminal's own width, else COLUMNS, else 80. */
export function terminalWidth(stream: Stream, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY === true && stream.columns) return stream.columns;
  const n = Number(env.COLUMNS);
  return Number.isInteger(n) && n > 0 ? n : 80;
}

export interface Progress {
  update(records: number, file: string, files: { done: number; total: number }): void;
  /** Clears the line; safe to call twice. */
  stop(): void;
}

/** At most ten redraws a second: progress must never cost the audit. */
const REDRAW_MS = 100;

/**
 * Progress for a person watching: only on a TTY outside CI. One line, cut to the terminal's
 * width so it never wraps (a wrapped line cannot be cleared with one CR), and cleared on exit
 * and on Ctrl-C, which then ends the process as Ctrl-C does.
 */
export function startProgress(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Progress | undefined {
  if (!stream.isTTY || env.CI) return undefined;
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
