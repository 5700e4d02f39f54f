/**
 * The contract between the readers and the rest of the tool. An adapter turns one row of its
 * native format into canonical items and nothing else: it translates, it never judges.
 */
import type { RawItem } from '../types.js';
import type { Row } from './row.js';

/** `parquet` and `zip` (Inspect's `.eval`) are binary containers, read by their own readers. */
export type Container = 'jsonl' | 'csv' | 'json' | 'parquet' | 'zip';

export interface AdapterOptions {
  /** `--map field=dotted.path`: where each canonical field sits in a custom row. */
  fieldMap?: Record<string, string>;
  /** The container the file was read as (from its name or, for stdin and pipes, its content). */
  container?: Container;
}

export interface FormatAdapter {
  /** Shown in reports and accepted by --input-format. */
  name: string;
  /** One line for the README and the error that lists supported formats. */
  description: string;
  /** Which containers the format comes in. */
  containers: readonly Container[];
  /** Whether this adapter reads the file, judged from its name and its first readable row. */
  detect(first: unknown, file: string): boolean;
  /**
   * Turns one parsed row into items. Must not throw on bad data: what cannot be read becomes
   * an `invalid` item at the row's line. May keep state across rows of one file (create one
   * converter per file).
   */
  createConverter(file: string, options: AdapterOptions): (row: Extract<Row, { value: unknown }>) => Iterable<RawItem>;
}
