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

/**
 * The per-sample values of a task in the aggregate's own run. Older harness versions name
 * samples files `<model_args>_<task>.jsonl`, so a task also matches a name ending in `_<task>`
 * of the same run.
 */
export function samplesFor(run: RunContext, a: Aggregate): Map<string, TaskMetric> | undefined {
  const exact = run.samples.get(samplesKey(a.run, a.task));
  if (exact) return exact;
  const prefix = samplesKey(a.run, '');
  for (const [key, metrics] of run.samples) if (key.startsWith(prefix) && key.endsWith(`_${a.task}`)) return metrics;
  return undefined;
}

/** How many headline numbers have per-sample values of their own run to be checked against. */
export function pairedHeadlines(run: RunContext): number {
  let n = 0;
  for (const a of run.aggregates) if ((samplesFor(run, a)?.get(a.metric)?.count ?? 0) > 0) n++;
  return n;
}
