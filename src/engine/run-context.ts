/** What run-scope rules see once every file is read. */
import type { FilePrecision } from './precision-pool.js';

export interface Aggregate {
  file: string;
  line: number;
  task: string;
  metric: string;
  value: number;
}

export interface TaskMetric {
  sum: number;
  count: number;
  files: Set<string>;
}

export interface RunContext {
  /** Headline numbers a results file reports. */
  aggregates: Aggregate[];
  /** Per task, per metric: the per-sample values the samples files recorded (one per group). */
  samples: Map<string, Map<string, TaskMetric>>;
  /** Per file: what its records showed of the pipeline's precision (files with nothing to say are absent). */
  precision: FilePrecision[];
}
