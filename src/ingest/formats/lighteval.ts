/**
 * lighteval details (`details_<task>_<date>.parquet`, one row per doc) and the Open LLM
 * Leaderboard v1 details datasets, which are the same files. Three layouts exist, all written
 * by `DetailsLogger` (src/lighteval/logging/info_loggers.py) through `Dataset.from_list(...)
 * .to_parquet(...)` with the columns sorted:
 *
 * - v0.11+ (`Detail(doc, model_response, metric)`): struct columns `doc` (query, choices,
 *   gold_index, …), `model_response` (logprobs: one log-likelihood per choice, output_tokens:
 *   each choice's continuation ids, input_tokens, argmax_logits_eq_gold, …) and `metric`.
 * - up to v0.10 (flat `Detail`): example, full_prompt, predictions (per choice `(logprob,
 *   is_greedy)`, or one float per choice for single-token tasks), input_tokens, cont_tokens,
 *   choices, gold_index, metrics, … From v0.5 to v0.7 every cell was `str(value)`, a Python
 *   repr ("[(-3.25, False)]", "{'acc': 1}").
 * - the leaderboard's 2023 files: the same flat columns, or `gold` as an index with `acc` /
 *   `acc_norm` as their own columns.
 *
 * The same rows exported to JSON or JSONL (`Dataset.to_json`) are read alike.
 */
import type { AuditRecord, RawItem } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { maybePython } from './python-literal.js';
import { baseName, codePointLength, invalid, isObject, metricValue, readNumber, show, skipped } from './values.js';

/** Columns never needed to audit a details file; the tokenised prompts are most of its bytes. */
const UNUSED_COLUMNS = new Set(['input_tokens', 'full_prompt', 'instruction', 'pred_logits', 'prediction_logits', 'padded', 'truncated', 'specifics', 'num_effective_few_shots', 'num_asked_few_shots']);

/** The Parquet columns the adapter reads (index.ts passes this to the Parquet reader). */
export function lightevalParquetColumns(names: string[]): string[] | undefined {
  const kept = names.filter((n) => !UNUSED_COLUMNS.has(n));
  return kept.length === names.length ? undefined : kept;
}

/** The task name in `details_<task>_<date>.<ext>` ("harness|arc:challenge|25"), else the file stem. */
export function lightevalTaskFromFile(file: string): string {
  const stem = baseName(file).replace(/\.(parquet|jsonl|json|ndjson)$/i, '');
  const m = /^details_(.+)_(\d{4}-\d{2}-\d{2}T\d{2}[-:]\d{2}[-:]\d{2}(?:\.\d+)?)$/.exec(stem);
  if (m) return m[1];
  return stem.startsWith('details_') ? stem.slice('details_'.length) : stem;
}

interface DetailDoc {
  prompt?: string;
  choices: unknown;
  gold: unknown;
  /** One entry per request: a log-likelihood, `(logprob, is_greedy)`, or generated text. */
  predictions: unknown;
  contTokens: unknown;
  metrics: unknown;
}

const FLAT_KEYS = ['predictions', 'cont_tokens', 'choices', 'gold_index', 'metrics'];

function isNewLayout(v: Record<string, unknown>): boolean {
  return isObject(v.model_response) && isObject(v.doc);
}

function isFlatLayout(v: Record<string, unknown>): boolean {
  return 'predictions' in v && FLAT_KEYS.filter((k) => k in v).length >= 3;
}

function detailOf(v: Record<string, unknown>): DetailDoc {
  if (isNewLayout(v)) {
    const doc = v.doc as Record<string, unknown>;
    const mr = v.model_response as Record<string, unknown>;
    const logprobs = Array.isArray(mr.logprobs) && mr.logprobs.length > 0 ? mr.logprobs : mr.text;
    return {
      prompt: typeof doc.query === 'string' ? doc.query : undefined,
      choices: doc.choices,
      gold: doc.gold_index,
      predictions: logprobs,
      contTokens: mr.output_tokens,
      metrics: v.metric,
    };
  }
  let metrics = maybePython(v.metrics);
  if (!isObject(metrics)) {
    // The 2023 leaderboard files put each metric in its own column.
    const own: Record<string, unknown> = {};
    for (const k of ['acc', 'acc_norm']) if (k in v) own[k] = v[k];
    metrics = own;
  }
  const goldIndex = maybePython(v.gold_index);
  const gold = Array.isArray(goldIndex) && goldIndex.length > 0 ? goldIndex : typeof goldIndex === 'number' ? goldIndex : maybePython(v.gold);
  const example = v.example ?? v.query;
  return {
    prompt: typeof example === 'string' ? example : undefined,
    choices: maybePython(v.choices),
    gold,
    predictions: maybePython(v.predictions),
    contTokens: maybePython(v.cont_tokens),
    metrics,
  };
}

/** A request's log-likelihood: a number, or the first of `(logprob, is_greedy)`. */
function loglikelihood(p: unknown): number | null {
  if (Array.isArray(p)) return p.length >= 1 && p.length <= 2 ? readNumber(p[0]) : null;
  return readNumber(p);
}

function goldIndices(gold: unknown, n: number): Set<number> | null {
  const list = Array.isArray(gold) ? gold : [gold];
  if (list.length === 0 || !list.every((g) => Number.isInteger(g) && (g as number) >= 0 && (g as number) < n)) return null;
  return new Set(list as number[]);
}

function tokenIds(v: unknown): number[] | undefined {
  return Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t) && t >= 0) ? (v as number[]) : undefined;
}

function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * The doc's per-sample metrics, keeping only what can be recomputed without guessing. lighteval
 * names two character normalisations `acc_norm` (LogProbCharNorm with and without the leading
 * space, src/lighteval/metrics/normalizations.py): where they pick different choices the file
 * does not say which was used, so that doc's acc_norm is left out. A doc with one choice keeps
 * neither acc nor acc_norm: its `acc` is AccGoldLikelihood (greedy or not), not an argmax.
 */
function sampleMetrics(raw: unknown, choices: string[], lls: number[]): Record<string, number> | undefined {
  if (!isObject(raw)) return undefined;
  const out: Record<string, number> = {};
  for (const k in raw) {
    const v = metricValue(raw[k]);
    if (v !== null) out[k] = v;
  }
  if (choices.length < 2) {
    delete out.acc;
    delete out.acc_norm;
  } else if ('acc_norm' in out && choices.some((c) => c.startsWith(' '))) {
    const withSpace = argmax(lls.map((l, i) => l / codePointLength(choices[i])));
    const without = argmax(lls.map((l, i) => l / Math.max(1, codePointLength(choices[i]) - (choices[i].startsWith(' ') ? 1 : 0))));
    if (withSpace !== without) delete out.acc_norm;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export const lightevalAdapter: FormatAdapter = {
  name: 'lighteval',
  description: 'lighteval / Open LLM Leaderboard v1 details (details_<task>_<date>.parquet, or the same rows as JSON/JSONL)',
  containers: ['parquet', 'jsonl', 'json'],
  detect(first) {
    return isObject(first) && (isNewLayout(first) || isFlatLayout(first));
  },
  createConverter(file) {
    const task = lightevalTaskFromFile(file);
    let index = -1;
    return (row) => {
      index++;
      const v = row.value;
      const line = row.line;
      const group = String(index);
      if (!isObject(v) || !(isNewLayout(v) || isFlatLayout(v))) {
        return [invalid(file, line, `lighteval details: expected a details row with predictions, choices and gold_index (or doc / model_response), found ${show(v)}`, group)];
      }
      const d = detailOf(v);
      const preds = Array.isArray(d.predictions) ? d.predictions : null;
      if (preds === null) return [invalid(file, line, `lighteval details: predictions is not a list: ${show(d.predictions)}`, group)];
      if (preds.length > 0 && preds.every((p) => typeof p === 'string' || (Array.isArray(p) && typeof p[0] === 'string'))) {
        return [skipped(file, line, 'generative doc: generated text, no log-likelihoods', group)];
      }
      const lls: number[] = [];
      for (let i = 0; i < preds.length; i++) {
        const ll = loglikelihood(preds[i]);
        if (ll === null) return [invalid(file, line, `lighteval details: prediction ${i} is not a log-likelihood: ${show(preds[i])}`, group)];
        lls.push(ll);
      }
      const choices = Array.isArray(d.choices) && d.choices.every((c) => typeof c === 'string') ? (d.choices as string[]) : [];
      const conts = Array.isArray(d.contTokens) ? d.contTokens : [];

      // A perplexity doc (loglikelihood_rolling): one request, no choices.
      if (choices.length === 0) {
        if (lls.length !== 1) return [invalid(file, line, `lighteval details: no choices, and ${lls.length} log-likelihoods (a perplexity doc has one)`, group)];
        const record: AuditRecord = { id: group, score: lls[0], task };
        const ids = tokenIds(conts[0]);
        if (ids) record.token_ids = ids;
        return [{ kind: 'record', file, line, record }];
      }
      // PMI tasks append each choice's unconditioned log-likelihood after the n conditioned ones.
      if (lls.length !== choices.length && lls.length !== 2 * choices.length) {
        return [invalid(file, line, `lighteval details: ${choices.length} choices but ${lls.length} log-likelihoods`, group)];
      }
      const golds = goldIndices(d.gold, choices.length);
      const scores = lls.slice(0, choices.length);
      const metrics = sampleMetrics(d.metrics, choices, scores);
      const items: RawItem[] = new Array(choices.length);
      for (let i = 0; i < choices.length; i++) {
        const record: AuditRecord = { id: `${group}/${i}`, group, completion: choices[i], score: scores[i], choice_index: i, task };
        if (d.prompt !== undefined) record.prompt = d.prompt;
        const ids = tokenIds(conts[i]);
        if (ids) record.token_ids = ids;
        if (golds) record.gold = golds.has(i);
        if (metrics) {
          record.metrics = metrics;
          // acc_norm divides by len(choice), leading space included (LogProbCharNorm's default).
          record.norm_length = codePointLength(choices[i]);
        }
        items[i] = { kind: 'record', file, line, record };
      }
      return items;
    };
  },
};
