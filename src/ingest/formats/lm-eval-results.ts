/**
 * lm-evaluation-harness `results_<date>.json` (or the older `results.json`): the headline number
 * of each task and metric. Each becomes an `aggregate` item of its run (lm-eval-run.ts), which
 * the engine compares with the mean of the per-sample metric in that run's samples file for the
 * task. A run logged without `--log_samples` has none: the file is then skipped, with that reason.
 * A `simple_evaluate()` dict saved whole holds its samples itself (lm-eval-embedded.ts): they are
 * read as its samples files would be, and its headlines are checked against them.
 *
 * Keys are `<metric>,<filter>` since v0.4 (`"acc,none"`, `"acc_stderr,none"`), plain `<metric>`
 * before. Standard errors, the `alias` and the sizes (`samples`, `sample_len`) are not metrics.
 */
import { readFileSync } from 'node:fs';
import type { RawItem } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { AMBIGUOUS, lmEvalRun, lmEvalRunDate, runHasSamples, undatedSampleTasks, undatedSamplesOf } from './lm-eval-run.js';
import { embeddedRun, embeddedSampleItems, hasEmbeddedSamples } from './lm-eval-embedded.js';
import { invalid, isObject } from './values.js';

/** Why a results file is not checked (reports tally skipped files by this phrase). */
export const NO_SAMPLES_SKIP = 'no samples for this results file';
/** Why a task's headlines in an undated results file are not checked (undatedSamplesOf). */
export const AMBIGUOUS_SAMPLES_SKIP = "undated results file beside samples of its task named after another config.model_args, or several and none after its own: the task's headlines are not compared";
/** Why a results file with samples is not checked: its tasks aggregate none of its headlines by a mean (meanOf). */
export const NO_MEAN_SKIP = 'no headline in this results file is a mean of its samples';

/**
 * Finds the 1-based line of each `"key":` inside each task's block of the results file, so a
 * finding points where a reviewer can see the number. Best effort: 1 when not found.
 */
class KeyLines {
  private lineStarts: number[] | null = null;

  constructor(readonly text: string | null) {}

  line(task: string, key: string): number {
    const text = this.text;
    if (text === null) return 1;
    const results = text.indexOf('"results"');
    if (results < 0) return 1;
    const taskAt = text.indexOf(`${JSON.stringify(task)}:`, results);
    if (taskAt < 0) return 1;
    const keyAt = text.indexOf(`${JSON.stringify(key)}:`, taskAt);
    return keyAt < 0 ? 1 : this.lineOf(keyAt);
  }

  lineOf(offset: number): number {
    if (this.lineStarts === null) {
      this.lineStarts = [0];
      for (let i = 0; i < this.text!.length; i++) if (this.text!.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

/** Keys of a task's results that are not metrics: its names and sizes, and a group's blank spacer. */
const NOT_METRICS = new Set(['alias', 'name', 'samples', 'sample_len', ' ']);

/** `acc,none` → `acc`; another filter stays in the name (`exact_match,strict-match`). Null for non-metrics. */
export function metricName(key: string): string | null {
  if (NOT_METRICS.has(key)) return null;
  const comma = key.indexOf(',');
  const name = comma < 0 ? key : key.slice(0, comma);
  const filter = comma < 0 ? 'none' : key.slice(comma + 1);
  if (name.endsWith('_stderr')) return null;
  return filter === 'none' ? name : key;
}

/**
 * Metrics lm-eval registers with an aggregation other than a mean (`register_metric` in
 * lm_eval/api/metrics.py): `perplexity` is exp(-mean) of per-sample log-likelihoods, the
 * rolling perplexities and bits per byte are weighted, the others corpus-level. A task's config
 * that names such a metric without an `aggregation`, or names no metric_list at all (the output
 * type's defaults: `loglikelihood` scores perplexity and acc), aggregates it so. `ppl` is the
 * v0.3 line's name for perplexity (lambada's `aggregation()`).
 */
const NOT_MEAN_BY_DEFAULT = new Set(['perplexity', 'ppl', 'word_perplexity', 'byte_perplexity', 'bits_per_byte', 'brier_score', 'bypass', 'mcc', 'f1', 'bleu', 'chrf', 'ter']);

/**
 * Whether a task's headline metric is a mean of its samples: as `configs.<task>.metric_list[]`
 * names its `aggregation` ("mean", another registered name such as "median", or the source of
 * a function: a corpus-level F1), else as lm-eval's registry aggregates it by default.
 */
function meanOf(configs: unknown, task: string): (metric: string) => boolean {
  const config = isObject(configs) ? configs[task] : undefined;
  const list = isObject(config) && Array.isArray(config.metric_list) ? config.metric_list : [];
  const named = new Map<string, unknown>();
  for (const m of list) if (isObject(m) && typeof m.metric === 'string') named.set(m.metric, m.aggregation);
  return (metric) => {
    const aggregation = named.get(metric);
    return typeof aggregation === 'string' ? aggregation === 'mean' : !NOT_MEAN_BY_DEFAULT.has(metric);
  };
}

export const lmEvalResultsAdapter: FormatAdapter = {
  name: 'lm-eval-results',
  description: 'lm-evaluation-harness results_<date>.json (per-task aggregate metrics)',
  containers: ['json'],
  detect(first) {
    return isObject(first) && isObject(first.results) && ('versions' in first || 'n-shot' in first || 'config' in first || 'configs' in first);
  },
  createConverter(file) {
    let lines: KeyLines | null = null;
    return (row) => {
      const v = row.value;
      if (!isObject(v) || !isObject(v.results)) return [invalid(file, row.line, 'expected an lm-eval results object with a "results" map')];
      // A simple_evaluate() dict saved whole holds its samples: the file is its own run.
      const embedded = hasEmbeddedSamples(v);
      const run = embedded ? embeddedRun(file) : lmEvalRun(file);
      // An undated run's folder may hold several models' samples (each run overwrites results.json).
      const undated = !embedded && lmEvalRunDate(file) === null ? undatedSampleTasks(file) : null;
      // The file is small and already read once; reading it again for line numbers is cheap.
      if (lines === null) {
        let text: string | null = null;
        try {
          text = readFileSync(file, 'utf8');
        } catch {
          text = null;
        }
        lines = new KeyLines(text);
      }
      const keyLines = lines;
      const items: RawItem[] = embedded ? embeddedSampleItems(file, v.samples as Record<string, unknown>, keyLines.text, (at) => keyLines.lineOf(at)) : [];
      const samplesAt = items.length;
      for (const task in v.results) {
        const metrics = v.results[task];
        if (!isObject(metrics)) continue;
        const isMean = meanOf(v.configs, task);
        const samples = undated ? undatedSamplesOf(undated, task, isObject(v.config) ? v.config.model_args : undefined) : undefined;
        if (samples === AMBIGUOUS) {
          items.push({ kind: 'skipped', file, line: lines.line(task, Object.keys(metrics)[0] ?? ''), recordId: task, reason: AMBIGUOUS_SAMPLES_SKIP, wholeFile: true });
          continue;
        }
        for (const key in metrics) {
          const value = metrics[key];
          const metric = metricName(key);
          // "N/A" stderrs and other non-numbers are not aggregates; nor is a headline its task
          // aggregates otherwise than by a mean (the samples' mean is no check of it).
          if (metric === null || typeof value !== 'number' || !isMean(key.split(',')[0])) continue;
          items.push({ kind: 'aggregate', file, line: lines.line(task, key), task, metric, value, run, ...(samples !== undefined && samples !== task ? { samplesTask: samples } : {}) });
        }
      }
      if (!embedded && !runHasSamples(file)) items.push({ kind: 'skipped', file, line: 1, reason: NO_SAMPLES_SKIP, wholeFile: true });
      // Every row is accounted for: a file whose headlines are none of them means says so.
      else if (items.length === samplesAt && !embedded) items.push({ kind: 'skipped', file, line: 1, reason: NO_MEAN_SKIP, wholeFile: true });
      return items;
    };
  },
};
