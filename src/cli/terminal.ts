/**
 * What the terminal decides: colour (Node's `hasColors()` semantics: FORCE_COLOR first, then
 * NO_COLOR, NODE_DISABLE_COLORS and TERM=dumb; `--color` / `--no-color` win over all), the width
 * a text report is laid out for, and whether the progress line is shown (progress.ts draws it).
 */

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

/** Someone watches the stream: a TTY, outside CI. */
export function watched(stream: Pick<NodeJS.WriteStream, 'isTTY'>, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.CI;
}

/** The progress line on stderr when someone watches it (progress.ts), else undefined. */
export async function openProgress(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Promise<Progress | undefined> {
  return watched(stream, env) ? (await import('./progress.js')).startProgress(stream, env) : undefined;
}
