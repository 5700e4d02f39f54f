/** The contract every report format follows: a pure function from the run result to text. */
import type { RunResult } from '../engine/result.js';

export interface ReportOptions {
  /** Emit ANSI colour. The CLI decides (TTY, NO_COLOR, FORCE_COLOR); formats without colour ignore it. */
  color: boolean;
  /** When given, absolute paths under it are shown relative to it. */
  cwd?: string;
}

/** Returns the whole report, ending with a newline. Never writes, never throws on odd data. */
export type Reporter = (result: RunResult, options: ReportOptions) => string;
