/** One file of sample-runs/: its path from that folder ('/'-separated) and its exact text (or bytes, for binary formats such as Parquet). */
export interface SampleFile {
  path: string;
  content: string | Uint8Array;
}

/**
 * A generator of committed sample runs. Deterministic and offline (seeded PRNG, no clock, no
 * I/O): the same code gives the same bytes, which test/samples.test.ts holds it to.
 */
export interface SampleGenerator {
  /** What it writes, for messages. */
  name: string;
  files(): SampleFile[];
}
