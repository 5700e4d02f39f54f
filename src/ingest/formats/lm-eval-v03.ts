/**
 * lm-evaluation-harness `--write_out` files of the v0.3 line (`<task>_write_out_info.json`,
 * written by lm_eval/evaluator.py `evaluate(write_out=True)` before the v0.4 rewrite): one JSON
 * array per task, one object per doc: `doc_id`, `prompt_<i>` (context + continuation of request
 * i), `logit_<i>` (its response: the log-likelihood, or `[loglikelihood, is_greedy]`), `truth`
 * (the gold index, or the target text) and every metric of `process_results` as `str(value)`
 * ("1.0"; a bool's "True" / "False": winogrande's `acc` is `np.argmax(results) == gold`). A multiple-choice continuation is `" " + choice` (MultipleChoiceTask.construct_requests)
 * and `acc_norm` divides by `len(choice)`.
 */
import type { AuditRecord, RawItem } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { baseName, codePointLength, invalid, isObject, readNumber, show } from './values.js';

export function lmEvalV03TaskFromFile(file: string): string {
  const stem = baseName(file).replace(/\.json$/i, '');
  return stem.endsWith('_write_out_info') ? stem.slice(0, -'_write_out_info'.length) : stem;
}

function isWriteOut(v: unknown): v is Record<string, unknown> {
  return isObject(v) && 'doc_id' in v && ('logit_0' in v || 'prompt_0' in v) && !('resps' in v);
}

/** A metric as write_out stored it, `str(value)`: a number's text, or a bool's ("True", "False"). */
function metricValue(x: unknown): number | null {
  if (typeof x === 'boolean' || x === 'True' || x === 'False') return x === true || x === 'True' ? 1 : 0;
  return readNumber(x);
}

/** Where the shared context ends: at the last space the prompts still share (continuations are `" " + choice`). */
function contextEnd(prompts: string[]): number {
  let lcp = prompts[0].length;
  for (const p of prompts) {
    let i = 0;
    while (i < lcp && i < p.length && p.charCodeAt(i) === prompts[0].charCodeAt(i)) i++;
    lcp = i;
  }
  if (prompts.length === 1) return -1;
  return prompts[0].lastIndexOf(' ', lcp - 1 < 0 ? 0 : lcp - 1);
}

const NOT_METRICS = /^(doc_id|prompt_\d+|logit_\d+|truth)$/;

export const lmEvalV03Adapter: FormatAdapter = {
  name: 'lm-eval-v03',
  description: 'lm-evaluation-harness v0.3 --write_out files (<task>_write_out_info.json)',
  containers: ['json', 'jsonl'],
  detect(first) {
    return isWriteOut(first);
  },
  createConverter(file) {
    const task = lmEvalV03TaskFromFile(file);
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (!isWriteOut(v)) return [invalid(file, line, `lm-eval v0.3 write_out: expected {doc_id, prompt_0, logit_0, …}, found ${show(v)}`)];
      const docId = v.doc_id;
      if (typeof docId !== 'number' && typeof docId !== 'string') return [invalid(file, line, `lm-eval v0.3 write_out: doc_id must be a number or string, found ${show(docId)}`)];
      const group = String(docId);
      const prompts: string[] = [];
      const lls: number[] = [];
      for (let i = 0; `logit_${i}` in v || `prompt_${i}` in v; i++) {
        const p = v[`prompt_${i}`];
        const raw = v[`logit_${i}`];
        const ll = readNumber(Array.isArray(raw) ? raw[0] : raw);
        if (typeof p !== 'string') return [invalid(file, line, `lm-eval v0.3 write_out: prompt_${i} is not a string`, group)];
        if (ll === null) return [invalid(file, line, `lm-eval v0.3 write_out: logit_${i} is not a log-likelihood: ${show(raw)}`, group)];
        prompts.push(p);
        lls.push(ll);
      }
      const metrics: Record<string, number> = {};
      for (const k in v) {
        if (NOT_METRICS.test(k)) continue;
        const n = metricValue(v[k]);
        if (n !== null) metrics[k] = n;
      }
      const hasMetrics = Object.keys(metrics).length > 0;
      if (prompts.length === 1) {
        const record: AuditRecord = { id: group, score: lls[0], completion: prompts[0], task };
        if (hasMetrics) record.metrics = metrics;
        return [{ kind: 'record', file, line, record }];
      }
      const cut = contextEnd(prompts);
      const truth = v.truth;
      const conts = prompts.map((p) => (cut >= 0 ? p.slice(cut) : p));
      let gold: number | null = null;
      if (typeof truth === 'number' && Number.isInteger(truth) && truth >= 0 && truth < prompts.length) gold = truth;
      else if (typeof truth === 'string') {
        const t = truth.trim();
        gold = /^\d+$/.test(t) && Number(t) < prompts.length ? Number(t) : conts.findIndex((c) => c.trim() === t);
        if (gold < 0) gold = null;
      }
      const items: RawItem[] = [];
      for (let i = 0; i < prompts.length; i++) {
        const record: AuditRecord = {
          id: `${group}/${i}`,
          group,
          completion: conts[i],
          score: lls[i],
          choice_index: i,
          // acc_norm divides by len(choice): the continuation without its leading space.
          norm_length: codePointLength(conts[i].startsWith(' ') ? conts[i].slice(1) : conts[i]),
          task,
        };
        if (cut >= 0) record.prompt = prompts[i].slice(0, cut);
        if (gold !== null) record.gold = i === gold;
        if (hasMetrics) record.metrics = metrics;
        items.push({ kind: 'record', file, line, record });
      }
      return items;
    };
  },
};
