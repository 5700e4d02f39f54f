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
  /** The task its samples are filed under, when the results file names one other than `task`. */
  samplesTask?: string;
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
 * The per-sample values of a task in the aggregate's own run: those filed under the task its
 * results file names (`samplesTask`: an undated lm-eval run's `<model_args>_<task>`, chosen by
 * the results adapter from the folder), else under the task itself. Without either, a samples
 * task ending in `_<task>` of the same run counts only when it is the one: of several (other
 * models' samples in the same folder) none is known to be this run's.
 */
export function samplesFor(run: RunContext, a: Aggregate): Map<string, TaskMetric> | undefined {
  if (a.samplesTask !== undefined) return run.samples.get(samplesKey(a.run, a.samplesTask));
  const exact = run.samples.get(samplesKey(a.run, a.task));
  if (exact) return exact;
  const prefix = samplesKey(a.run, '');
  let found: Map<string, TaskMetric> | undefined;
  for (const [key, metrics] of run.samples) {
    if (!key.startsWith(prefix) || !key.endsWith(`_${a.task}`)) continue;
    if (found) return undefined;
    found = metrics;
  }
  return found;
}

/** How many headline numbers have per-sample values of their own run to be checked against. */
export function pairedHeadlines(run: RunContext): number {
  let n = 0;
  for (const a of run.aggregates) if ((samplesFor(run, a)?.get(a.metric)?.count ?? 0) > 0) n++;
  return n;
}
