/**
 * Which lm-evaluation-harness run a file belongs to, from its path, the way the harness names
 * its outputs. A results file's headline numbers are means over its own run's samples only, so
 * the run key is what pairs them; pairing by task name alone mixes models and runs.
 *
 * The harness's naming, by version:
 * - v0.4.3+ (EvaluationTracker): `<out>/<model>/results_<date>.json` beside
 *   `samples_<task>_<date>.jsonl`, one `date_id` (`datetime.now().isoformat()` with `:` → `-`)
 *   per run; with `--output_path name.json` the results file is `<name>_<date>.json`. The
 *   harness itself pairs files by the text after the last `_` (`utils.get_file_datetime`).
 * - between v0.4.2 and v0.4.3 (main in May–June 2024): the same names with samples as `.json`.
 * - up to v0.4.2: `<out>/results.json` (or the `--output_path` file) beside
 *   `<model_args>_<task>.jsonl`, no date: a directory holds one run.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/** `2024-06-01T12-00-00.123456` (microseconds absent when they were 0). */
const DATE = String.raw`\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?`;
const SAMPLES_NAME = new RegExp(String.raw`^samples_(.+)_(${DATE})$`);
const DATED_NAME = new RegExp(String.raw`^(.+)_(${DATE})$`);

function stemOf(file: string): string {
  return basename(file.replace(/\\/g, '/')).replace(/\.(jsonl|json|ndjson)$/i, '');
}

/** The task name lm-eval put in the file name (`samples_<task>_<date>`). */
export function lmEvalTaskFromFile(file: string): string {
  const stem = stemOf(file);
  const m = SAMPLES_NAME.exec(stem);
  if (m) return m[1];
  // ≤ v0.4.2 named the file `<model_args>_<task>.jsonl`, which cannot be split reliably.
  return stem.startsWith('samples_') ? stem.slice('samples_'.length) : stem;
}

/** The run's date as the file name carries it, or null for the undated ≤ v0.4.2 names. */
export function lmEvalRunDate(file: string): string | null {
  return DATED_NAME.exec(stemOf(file))?.[2] ?? null;
}

/** The run a file belongs to: its directory and its date (none for undated names). */
export function lmEvalRun(file: string): string {
  return `${resolve(dirname(file))}\u0000${lmEvalRunDate(file) ?? ''}`;
}

/** Whether a file name is one lm-eval gives samples, for a results file dated `date` (null: undated). */
export function isSamplesName(name: string, date: string | null): boolean {
  if (!/\.(jsonl|json)$/i.test(name)) return false;
  if (date !== null) return name.startsWith('samples_') && lmEvalRunDate(name) === date;
  // Undated runs: `<model_args>_<task>.jsonl`, or a `samples_` name without a date.
  return lmEvalRunDate(name) === null && (name.toLowerCase().endsWith('.jsonl') || name.startsWith('samples_'));
}

/**
 * Whether the results file's run directory holds any samples file of the same run (lm-eval
 * writes them only with `--log_samples`). Asked of the disk, not of the files being audited:
 * it says what the run produced. An unreadable directory counts as having them, so nothing is
 * called missing that may be there.
 */
export function runHasSamples(resultsFile: string): boolean {
  const names = samplesBeside(resultsFile, lmEvalRunDate(resultsFile));
  return names === null || names.length > 0;
}

/**
 * The tasks (as the samples reader names them: the file stem) of the undated samples files in an
 * undated results file's directory, or null when it cannot be listed.
 */
export function undatedSampleTasks(resultsFile: string): string[] | null {
  return samplesBeside(resultsFile, null)?.map(lmEvalTaskFromFile) ?? null;
}

/** The names of the samples files of run `date` in the results file's directory, or null when it cannot be listed. */
function samplesBeside(resultsFile: string, date: string | null): string[] | null {
  let names: string[];
  try {
    names = readdirSync(dirname(resultsFile));
  } catch {
    return null;
  }
  const self = basename(resultsFile);
  return names.filter((n) => n !== self && isSamplesName(n, date));
}

/** A task whose samples files in the folder do not say which is this run's. */
export const AMBIGUOUS = Symbol('ambiguous');

/**
 * Which undated samples file (by `undatedSampleTasks`' name) holds a task's samples for a results
 * file whose `config.model_args` is `modelArgs`. ≤ v0.4.2 names them
 * `re.sub("/|=", "__", model_args) + "_" + task` (lm_eval/__main__.py), the mid-2023 development
 * builds `re.sub("/", "__", model_args) + "_" + task` (main.py), and each run overwrites
 * `results.json`, so a folder may hold several models' samples of a task. With `model_args` known,
 * only the file named after it is the run's; without, a lone candidate is. Undefined: no samples
 * of the task; the task's own name when a file bears it; AMBIGUOUS otherwise.
 */
export function undatedSamplesOf(tasks: readonly string[], task: string, modelArgs: unknown): string | undefined | typeof AMBIGUOUS {
  if (tasks.includes(task)) return task;
  const candidates = tasks.filter((t) => t.endsWith(`_${task}`));
  if (candidates.length === 0) return undefined;
  if (typeof modelArgs === 'string') {
    const named = [modelArgs.replace(/[/=]/g, '__'), modelArgs.replace(/\//g, '__')].map((n) => `${n}_${task}`);
    return candidates.find((c) => named.includes(c)) ?? AMBIGUOUS;
  }
  return candidates.length === 1 ? candidates[0] : AMBIGUOUS;
}
