/**
 * lm-evaluation-harness `--log_samples` files. One row is one doc (per filter); each of its
 * log-likelihood requests (one per answer choice) becomes a record, and the doc is their group.
 *
 * Layouts, by version:
 * - v0.4.3+ (`samples_<task>_<date>.jsonl`, written by EvaluationTracker): `arguments` is
 *   `{gen_args_N: {arg_0: context, arg_1: continuation}}`, and `resps` / `filtered_resps` went
 *   through `sanitize_list`, so every number is a string (`[["-5.77", "False"]]`, "nan",
 *   "-inf"); `target` is `str(target)` from v0.4.4 on, the task's own value in v0.4.3.
 * - May–June 2024 (main between v0.4.2 and v0.4.3): the same rows, first as one JSON array and
 *   then as JSON lines, in `samples_<task>_<date>.json`.
 * - up to v0.4.2: one pretty-printed JSON array per task, `arguments` as `[[context, continuation], …]`,
 *   numbers as numbers, `target` as the task returned it (an index, a list, or the choice text).
 *
 * Request types: `multiple_choice` (one (context, continuation) request per choice; gold and
 * acc_norm lengths in lm-eval-gold.ts), `loglikelihood` (one such request, `acc` = is_greedy),
 * `loglikelihood_rolling` (one request with the whole text), and `generate_until` ((context,
 * gen_kwargs), text responses: nothing to audit, so each such row is a skipped item).
 */
import type { AuditRecord, RawItem } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { readChoices } from './lm-eval-gold.js';
import { lmEvalRun, lmEvalTaskFromFile } from './lm-eval-run.js';
import { invalid, isObject, readNumber, show } from './values.js';

export { lmEvalTaskFromFile } from './lm-eval-run.js';

/** Why a generative row is not audited (reports tally skipped rows by this phrase). */
export const GENERATIVE_SKIP = 'generate_until sample: generated text, no log-likelihoods';

/** Why a sample of the mid-2023 development layout is not audited (flatArguments). */
export const FIRST_REQUEST_SKIP = 'sample whose arguments keep only its first request (lm-eval development builds of mid-2023): the choices cannot be paired with their log-likelihoods';

/**
 * The layout the harness's development branch wrote in mid-2023 (before v0.4.0): `arguments`
 * is the first request alone, flat (`[context, continuation]`, `[context, gen_kwargs]`) or its
 * Python `str()`, beside the responses of every request. With one response it is that request;
 * with more, nothing pairs the other responses with their continuations.
 */
function flatArguments(v: Record<string, unknown>): 'one' | 'first' | null {
  const args = v.arguments;
  // A str() is not read back: its request is skipped, whatever the responses.
  if (typeof args === 'string') return 'first';
  if (!Array.isArray(args) || args.length === 0 || args.some(Array.isArray) || !args.every((a) => typeof a === 'string' || isObject(a))) return null;
  const resps = v.filtered_resps ?? v.resps;
  return Array.isArray(resps) && resps.length === 1 ? 'one' : 'first';
}

/** The requests' arguments as lists, whichever layout wrote them. */
function requestArgs(args: unknown): unknown[][] | null {
  if (Array.isArray(args)) return args.map((a) => (Array.isArray(a) ? a : [a]));
  if (!isObject(args)) return null;
  const requests: [number, unknown[]][] = [];
  for (const key in args) {
    const m = /^gen_args_(\d+)$/.exec(key);
    if (!m) continue;
    const value = args[key];
    const list: [number, unknown][] = [];
    if (isObject(value)) {
      for (const k in value) {
        const a = /^arg_(\d+)$/.exec(k);
        if (a) list.push([Number(a[1]), value[k]]);
      }
    }
    list.sort((x, y) => x[0] - y[0]);
    requests.push([Number(m[1]), list.map((x) => x[1])]);
  }
  requests.sort((x, y) => x[0] - y[0]);
  return requests.map((r) => r[1]);
}

/**
 * The log-likelihood of each request. `filtered_resps` is what lm-eval computed the metrics
 * from; each entry is `(loglikelihood, is_greedy)`, or a bare number for loglikelihood_rolling.
 */
function loglikelihoods(row: Record<string, unknown>, n: number): number[] | string {
  const filtered = Array.isArray(row.filtered_resps) ? row.filtered_resps : null;
  const raw = Array.isArray(row.resps) ? row.resps : null;
  const source = filtered ?? raw;
  if (source === null) return 'no resps or filtered_resps';
  if (source.length !== n) return `${n} requests in arguments but ${source.length} responses`;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    // resps wraps each request's answers in one more list than filtered_resps.
    let e = source[i];
    if (source === raw && Array.isArray(e)) e = e[0];
    const first = Array.isArray(e) ? e[0] : e;
    const v = readNumber(first);
    if (v === null) return `response ${i} is not a log-likelihood: ${show(e)}`;
    out[i] = v;
  }
  return out;
}

/**
 * The per-sample metrics lm-eval stored on the doc. v0.4.3+ names them in `metrics`; older
 * files only have them as top-level numbers. Under a filter other than `none` they are named
 * as the results file names them (`exact_match,strict-match`).
 */
function sampleMetrics(row: Record<string, unknown>, filter: string | null): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  let any = false;
  const names = Array.isArray(row.metrics) ? row.metrics.filter((m): m is string => typeof m === 'string') : Object.keys(row);
  for (const name of names) {
    if (name === 'doc_id' || name === 'target') continue;
    const v = row[name];
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : null;
    if (n === null) continue;
    out[filter === null ? name : `${name},${filter}`] = n;
    any = true;
  }
  return any ? out : undefined;
}

/** A row not audited whose per-sample metrics still count towards the results file's headline. */
function skippedSample(file: string, line: number, group: string, reason: string, task: string, run: string, metrics: Record<string, number> | undefined): RawItem {
  return { kind: 'skipped', file, line, recordId: group, reason, ...(metrics ? { sample: { task, run, metrics } } : {}) };
}

/**
 * With `acc_mutual_info` the harness appends one unconditional request ("", continuation) per
 * choice after the conditional ones; the metrics are computed from the first half.
 */
function conditionalCount(contexts: readonly string[], continuations: readonly string[]): number {
  const n = contexts.length;
  if (n < 2 || n % 2 !== 0) return n;
  const m = n / 2;
  for (let i = 0; i < m; i++) {
    if (contexts[m + i] !== '' || contexts[i] === '' || continuations[m + i] !== continuations[i]) return n;
  }
  return m;
}

export const lmEvalSamplesAdapter: FormatAdapter = {
  name: 'lm-eval-samples',
  description: 'lm-evaluation-harness --log_samples files (samples_<task>_<date>.jsonl, or the ≤0.4.2 JSON array)',
  containers: ['jsonl', 'json'],
  detect(first) {
    return isObject(first) && 'doc_id' in first && ('resps' in first || 'filtered_resps' in first || 'arguments' in first);
  },
  createConverter(file) {
    return sampleConverter(file, lmEvalTaskFromFile(file), lmEvalRun(file), '');
  },
};

/**
 * Reads one sample of `task` in `run` as the samples file would give it. `prefix` starts every
 * group id: the samples a results dict holds itself (lm-eval-embedded.ts) are several tasks in
 * one file, whose doc ids repeat.
 */
export function sampleConverter(file: string, task: string, run: string, prefix: string): (row: { value: unknown; line: number }) => RawItem[] {
  return (row) => {
    const v = row.value;
    const line = row.line;
    if (!isObject(v)) return [invalid(file, line, `expected an lm-eval sample object, found ${show(v)}`)];
    const docId = v.doc_id;
    if (typeof docId !== 'number' && typeof docId !== 'string') return [invalid(file, line, `doc_id must be a number or string, found ${show(docId)}`)];
    // A task with several filters logs each doc once per filter.
    const filter = typeof v.filter === 'string' && v.filter !== 'none' ? v.filter : null;
    const group = prefix + (filter === null ? String(docId) : `${docId}@${filter}`);
    const flat = flatArguments(v);
    // Its choices cannot be audited, but its recorded metrics (acc) are what the headline averages.
    if (flat === 'first') return [skippedSample(file, line, group, FIRST_REQUEST_SKIP, task, run, sampleMetrics(v, filter))];
    const args = flat === 'one' ? [v.arguments as unknown[]] : requestArgs(v.arguments);
    if (args === null || args.length === 0) return [invalid(file, line, 'sample has no readable arguments', group)];

    // generate_until requests carry (context, gen_kwargs) and their responses are text; their
    // metrics (exact_match) still make the results file's headline.
    if (args.some((a) => isObject(a[1]))) return [skippedSample(file, line, group, GENERATIVE_SKIP, task, run, sampleMetrics(v, filter))];
    const lls = loglikelihoods(v, args.length);
    if (typeof lls === 'string') return [invalid(file, line, lls, group)];

    const metrics = sampleMetrics(v, filter);
    // A candidate (or the doc's only request) carries the doc's group and metrics.
    const record = (id: string, score: number, candidate = true): AuditRecord => {
      const r: AuditRecord = { id, score, task, run };
      if (candidate) {
        r.group = group;
        if (metrics) r.metrics = metrics;
      }
      return r;
    };
    // loglikelihood_rolling (perplexity): one request with the whole text and no choices.
    if (args.length === 1 && args[0].length === 1) {
      const r = record(group, lls[0]);
      if (typeof args[0][0] === 'string') r.completion = args[0][0];
      return [{ kind: 'record', file, line, record: r }];
    }

    const contexts = args.map((a) => a[0]);
    const continuations = args.map((a) => a[1]);
    const bad = continuations.findIndex((c, i) => typeof c !== 'string' || typeof contexts[i] !== 'string');
    if (bad >= 0) return [invalid(file, line, `request ${bad} is not a (context, continuation) pair of strings`, group)];
    const ctxs = contexts as string[];
    const conts = continuations as string[];
    // loglikelihood: one continuation, whose `acc` is is_greedy; no choices, so no gold.
    if (args.length === 1) {
      const r = record(group, lls[0]);
      r.prompt = ctxs[0];
      r.completion = conts[0];
      return [{ kind: 'record', file, line, record: r }];
    }

    const m = conditionalCount(ctxs, conts);
    const reading = readChoices(v.target, v.doc, ctxs.slice(0, m), conts.slice(0, m));
    const items: RawItem[] = new Array(args.length);
    for (let i = 0; i < args.length; i++) {
      // Past m: the unconditional log-likelihood of choice i - m, not a candidate.
      const r = i < m ? record(`${group}/${i}`, lls[i]) : record(`${group}/unconditional/${i - m}`, lls[i], false);
      r.prompt = ctxs[i];
      r.completion = conts[i];
      if (i < m) {
        r.choice_index = i;
        if (reading) r.norm_length = reading.normLengths[i];
        if (reading?.gold) r.gold = reading.gold.has(i);
      }
      items[i] = { kind: 'record', file, line, record: r };
    }
    return items;
  };
}
