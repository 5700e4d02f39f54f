/**
 * The samples a results dict holds itself. `lm_eval.simple_evaluate(..., log_samples=True)`
 * returns the results dict with a top-level `samples: {task: [sample, …]}` (lm_eval/evaluator.py);
 * the CLI pops it and writes each task's list to its samples file (EvaluationTracker), but
 * scripts that call simple_evaluate often `json.dump` the whole dict. Those samples are the raw
 * rows before the tracker's `sanitize_list` (numbers as numbers, `arguments` as
 * `[[context, continuation], …]`), read here by the samples reader, each task under its own name.
 *
 * The file is its own run: its samples are the ones its headlines average, whatever else lies in
 * its folder (several such files of one folder would otherwise share an undated run).
 */
import { resolve } from 'node:path';
import type { RawItem } from '../../types.js';
import { sampleConverter } from './lm-eval-samples.js';
import { isObject } from './values.js';

/** Whether a results dict holds its samples: a `samples` map of tasks to lists. */
export function hasEmbeddedSamples(v: Record<string, unknown>): boolean {
  const s = v.samples;
  return isObject(s) && Object.keys(s).length > 0 && Object.values(s).every(Array.isArray);
}

/** The run of a results file that holds its samples: the file itself. */
export function embeddedRun(file: string): string {
  return `${resolve(file)}\u0000samples`;
}

/**
 * The 1-based line of each sample of a task inside the `samples` map of the file's text (the line
 * of its `"doc_id"`), best effort: the samples map's line, else 1, when the text does not show it.
 */
function sampleLines(text: string | null, task: string, count: number, lineOf: (offset: number) => number): number[] {
  const lines = new Array<number>(count).fill(1);
  if (text === null) return lines;
  // json.dump(indent=…) writes the top-level key at the start of a line; unindented, it follows `, `.
  const at = Math.max(text.lastIndexOf('\n  "samples":'), text.lastIndexOf(', "samples":'), text.lastIndexOf('{"samples":'));
  if (at < 0) return lines;
  const taskAt = text.indexOf(`${JSON.stringify(task)}:`, at);
  if (taskAt < 0) return lines.fill(lineOf(at + 1));
  let from = taskAt;
  for (let i = 0; i < count; i++) {
    const docAt = text.indexOf('"doc_id":', from);
    if (docAt < 0) {
      lines.fill(lineOf(taskAt), i);
      break;
    }
    lines[i] = lineOf(docAt);
    from = docAt + 1;
  }
  return lines;
}

/**
 * Every embedded sample as the samples reader reads it, task by task; group ids are
 * `<task>/<doc_id>` (doc ids repeat across the tasks of one file).
 */
export function embeddedSampleItems(file: string, samples: Record<string, unknown>, text: string | null, lineOf: (offset: number) => number): RawItem[] {
  const run = embeddedRun(file);
  const items: RawItem[] = [];
  for (const task in samples) {
    const rows = samples[task] as unknown[];
    const convert = sampleConverter(file, task, run, `${task}/`);
    const lines = sampleLines(text, task, rows.length, lineOf);
    for (let i = 0; i < rows.length; i++) items.push(...convert({ value: rows[i], line: lines[i] }));
  }
  return items;
}
