/**
 * lm-evaluation-harness `--log_samples` files. One row is one doc; each of its log-likelihood
 * requests (one per answer choice) becomes a record, and the doc is their group.
 *
 * Two layouts exist:
 * - v0.4.3+ (`samples_<task>_<date>.jsonl`, written by EvaluationTracker): `arguments` is
 *   `{gen_args_N: {arg_0: context, arg_1: continuation}}`, `target` is `str(target)`, and
 *   `resps` / `filtered_resps` went through `sanitize_list`, so every number is a string
 *   (`[["-5.77", "False"]]`, "nan", "-inf").
 * - up to v0.4.2: one pretty-printed JSON array per task, `arguments` as `[[context, continuation], …]`,
 *   numbers as numbers, `target` as the task returned it (an index, a list, or the choice text).
 */
import type { AuditRecord, RawItem } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { codePointLength, invalid, isObject, readNumber, show } from './values.js';

/** The task name lm-eval put in the file name (`samples_<task>_<ISO date>.jsonl`). */
export function lmEvalTaskFromFile(file: string): string {
  const base = file.replace(/\\/g, '/').split('/').pop() ?? file;
  const stem = base.replace(/\.(jsonl|json|ndjson)$/i, '');
  const m = /^samples_(.+)_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:\.\d+)?)$/.exec(stem);
  if (m) return m[1];
  // ≤ v0.4.2 named the file `<model_args>_<task>.jsonl`, which cannot be split reliably.
  return stem.startsWith('samples_') ? stem.slice('samples_'.length) : stem;
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

/** Keys of a doc most likely to hold the choice texts, asked first. */
const CHOICE_KEYS = ['choices', 'endings', 'options', 'answers'];

/**
 * The choice texts as `doc_to_choice` gave them, when the doc lists them: each continuation is
 * `target_delimiter + choice`, so it ends with its choice after nothing but whitespace.
 */
function choiceTexts(doc: unknown, continuations: string[]): string[] | null {
  if (!isObject(doc)) return null;
  const keys = [...CHOICE_KEYS.filter((k) => k in doc), ...Object.keys(doc).filter((k) => !CHOICE_KEYS.includes(k))];
  for (const key of keys) {
    let v = doc[key];
    if (isObject(v) && Array.isArray(v.text)) v = v.text; // ARC: {"text": [...], "label": [...]}
    if (!Array.isArray(v) || v.length !== continuations.length) continue;
    let fits = true;
    for (let i = 0; i < v.length && fits; i++) {
      const c = v[i];
      const cont = continuations[i];
      fits = typeof c === 'string' && cont.endsWith(c) && cont.slice(0, cont.length - c.length).trim() === '';
    }
    if (fits) return v as string[];
  }
  return null;
}

/**
 * The gold choice indices. lm-eval's own rule: an int, a digit string (an index) or a list of
 * them; any other string is the gold choice's text.
 */
function goldIndices(target: unknown, continuations: string[], choices: string[] | null): Set<number> | null {
  const n = continuations.length;
  const inRange = (set: Set<number>) => ([...set].every((i) => i < n) ? set : null);
  if (typeof target === 'number') return Number.isInteger(target) && target >= 0 ? inRange(new Set([target])) : null;
  if (Array.isArray(target)) {
    return target.every((t) => Number.isInteger(t) && t >= 0) ? inRange(new Set(target as number[])) : null;
  }
  if (typeof target !== 'string') return null;
  const t = target.trim();
  if (/^\d+$/.test(t)) return inRange(new Set([Number(t)]));
  if (t.startsWith('[') && t.endsWith(']')) {
    try {
      const list: unknown = JSON.parse(t);
      if (Array.isArray(list) && list.length > 0 && list.every((x) => Number.isInteger(x) && (x as number) >= 0)) {
        return inRange(new Set(list as number[]));
      }
    } catch {
      // not a list: read it as the choice text below
    }
  }
  const byChoice = choices ? choices.indexOf(target) : -1;
  if (byChoice >= 0) return new Set([byChoice]);
  for (let i = 0; i < n; i++) {
    if (continuations[i] === target || continuations[i].trimStart() === target.trimStart()) return new Set([i]);
  }
  return null;
}

/**
 * The per-sample metrics lm-eval stored on the doc. v0.4.3+ names them in `metrics`; older
 * files only have them as top-level numbers.
 */
function sampleMetrics(row: Record<string, unknown>): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  let any = false;
  const names = Array.isArray(row.metrics) ? row.metrics.filter((m): m is string => typeof m === 'string') : Object.keys(row);
  for (const name of names) {
    if (name === 'doc_id' || name === 'target') continue;
    const v = row[name];
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : null;
    if (n === null) continue;
    out[name] = n;
    any = true;
  }
  return any ? out : undefined;
}

/** Why a generate_until doc is skipped: every row is counted, none is an error. */
export const GENERATION_SKIPPED = 'generate_until sample: generated text, no log-likelihoods to audit';

export const lmEvalSamplesAdapter: FormatAdapter = {
  name: 'lm-eval-samples',
  description: 'lm-evaluation-harness --log_samples files (samples_<task>_<date>.jsonl, or the ≤0.4.2 JSON array)',
  containers: ['jsonl', 'json'],
  detect(first) {
    return isObject(first) && 'doc_id' in first && ('resps' in first || 'filtered_resps' in first || 'arguments' in first);
  },
  createConverter(file) {
    const task = lmEvalTaskFromFile(file);
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (!isObject(v)) return [invalid(file, line, `expected an lm-eval sample object, found ${show(v)}`)];
      const docId = v.doc_id;
      if (typeof docId !== 'number' && typeof docId !== 'string') return [invalid(file, line, `doc_id must be a number or string, found ${show(docId)}`)];
      const group = String(docId);
      const args = requestArgs(v.arguments);
      if (args === null || args.length === 0) return [invalid(file, line, 'sample has no readable arguments', group)];

      // generate_until requests carry (context, gen_kwargs) and their responses are text.
      if (args.some((a) => isObject(a[1]))) return [{ kind: 'skipped', file, line, recordId: group, reason: GENERATION_SKIPPED }];
      const lls = loglikelihoods(v, args.length);
      if (typeof lls === 'string') return [invalid(file, line, lls, group)];

      const metrics = sampleMetrics(v);
      // loglikelihood_rolling (perplexity): one request with the whole text and no choices.
      if (args.length === 1 && args[0].length === 1) {
        const text = args[0][0];
        const record: AuditRecord = { id: group, score: lls[0], task };
        if (typeof text === 'string') record.completion = text;
        if (metrics) record.metrics = metrics;
        return [{ kind: 'record', file, line, record }];
      }

      const contexts = args.map((a) => a[0]);
      const continuations = args.map((a) => a[1]);
      const bad = continuations.findIndex((c, i) => typeof c !== 'string' || typeof contexts[i] !== 'string');
      if (bad >= 0) return [invalid(file, line, `request ${bad} is not a (context, continuation) pair of strings`, group)];
      const conts = continuations as string[];
      const choices = choiceTexts(v.doc, conts);
      const golds = goldIndices(v.target, conts, choices);

      const items: RawItem[] = new Array(args.length);
      for (let i = 0; i < args.length; i++) {
        // acc_norm divides by len(choice) of doc_to_choice: the continuation without the
        // target delimiter (a single space unless the doc shows otherwise).
        const choice = choices ? choices[i] : conts[i].startsWith(' ') ? conts[i].slice(1) : conts[i];
        const record: AuditRecord = {
          id: `${group}/${i}`,
          group,
          prompt: contexts[i] as string,
          completion: conts[i],
          score: lls[i],
          norm_length: codePointLength(choice),
          choice_index: i,
          task,
        };
        if (golds) record.gold = golds.has(i);
        if (metrics) record.metrics = metrics;
        items[i] = { kind: 'record', file, line, record };
      }
      return items;
    };
  },
};
