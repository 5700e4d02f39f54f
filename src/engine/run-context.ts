/** What run-scope rules see once every file is read. */
import type { FileScores } from './score-stats.js';
import type { FilePrecision } from './precision-pool.js';

export interface Aggregate {
  file: string;
  line: number;
  task: string;
  metric: string;
  value: number;
  /** The run whose samples this number averages; absent when the format does not say. */
  run?: string;
}

export interface TaskMetric {
  sum: number;
  count: number;
  files: Set<string>;
}

export interface RunContext {
  /** Headline numbers a results file reports. */
  aggregates: Aggregate[];
  /** Per run and task (keyed by `samplesKey`), per metric: the per-sample values the samples files recorded (one per group). */
  samples: Map<string, Map<string, TaskMetric>>;
  /** Each file's recorded scores as a whole, in file order. */
  scores: FileScores[];
  /** Per file: what its records showed of the pipeline's precision (files with nothing to say are absent). */
  precision: FilePrecision[];
}

/** The key of a run's task in `RunContext.samples`: the task alone when no run is known. */
export function samplesKey(run: string | undefined, task: string): string {
  return run === undefined ? task : `${run}\u0000${task}`;
}
