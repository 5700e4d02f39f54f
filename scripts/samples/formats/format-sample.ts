import type { BigramToy } from './toy.js';

/** One native format's sample run: a folder under sample-runs/formats/ and its README row. */
export interface FormatSample {
  /** The folder under sample-runs/formats/, named for the format. */
  folder: string;
  /**
   * Builds the folder's files from the toy server; draws from `toy` in call order. Harness
   * formats that need only per-token log-probs draw from `rand` instead, also in call order.
   */
  build(toy: BigramToy, rand: () => number): FormatSampleRun;
}

export interface FormatSampleRun {
  /** File names inside the folder, with their exact text (or bytes). */
  files: { name: string; content: string | Uint8Array }[];
  /** The README's table row: how many records, the one planted bug, the rule that should name it. */
  records: string;
  planted: string;
  rule: string;
  /** A paragraph for the README below the table, when the format needs one. */
  note?: string;
}

/**
 * JSON Lines as the committed native samples were written: JSON.stringify, compact, JavaScript
 * numbers ("1" for 1.0). The tools' own writers differ in spacing and float spelling only,
 * which every reader (and the adapters) ignores; Python's str(float) is used where a tool
 * stores a number as text (lm-eval's resps).
 */
export const jsonLines = (rows: readonly unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** A pretty-printed JSON document (two-space indent, as json.dump(indent=2) lays it out). */
export const jsonDocument = (value: unknown): string => JSON.stringify(value, null, 2) + '\n';
