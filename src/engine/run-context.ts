/** What run-scope rules see once every file is read. */
import type { FileScores } from './score-stats.js';

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
  /** Each file's recorded scores as a whole, in file order. */
  scores: FileScores[];
}
