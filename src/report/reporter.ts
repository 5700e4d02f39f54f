/** The contract every report format follows: a pure function from the run result to text. */
import type { RunResult } from '../engine/result.js';
import type { GateOutcome } from '../gate/outcome.js';

export interface ReportOptions {
  /** Emit ANSI colour. The CLI decides (TTY, NO_COLOR, FORCE_COLOR); formats without colour ignore it. */
  color: boolean;
  /** When given, absolute paths under it are shown relative to it. */
  cwd?: string;
  /** Columns the text report may take (the terminal's width; 80 when not given). */
  width?: number;
  /** Findings shown per rule in the summary report (its size stays bounded whatever this is). */
  maxFindings?: number;
  /** The CI gate's outcome (baseline, thresholds, --max-warnings), when the CLI decided one. */
  gate?: GateOutcome;
}

/** Returns the whole report, ending with a newline. Never writes, never throws on odd data. */
export type Reporter = (result: RunResult, options: ReportOptions) => string;

/**
 * The same text as a format's Reporter, in pieces, for a format whose report grows with the
 * findings (JSON): the pieces are written as they come, so the whole text is never held.
 */
export type ChunkedReporter = (result: RunResult, options: ReportOptions) => Iterable<string>;
