/**
 * lm-evaluation-harness: a samples_<task>_<date>.jsonl file (one doc per line with its loglikelihood
 * requests' responses and per-sample metrics) and the results_<date>.json beside it. Planted: one
 * doc's `acc` came from the lowest total (an inverted argmax).
 */
import { argmaxOf, argminOf, f64Sum } from '../../lib/pipeline-math.js';
import { pyFloat } from '../../lib/pyjson.js';
import { jsonDocument, jsonLines, type FormatSample } from './format-sample.js';
import { hashLike, score, text, type BigramToy } from './toy.js';

const TASK = 'synth_mc';
const DATE = '2026-01-15T09-30-00.000000';
const PLANTED = 3;

interface SampleRow {
  doc_id: number;
  doc: { id: string; query: string; choices: string[]; gold: number };
  target: string;
  arguments: Record<string, { arg_0: string; arg_1: string }>;
  resps: [string, string][][];
  filtered_resps: [string, string][];
  filter: string;
  metrics: string[];
  doc_hash: string;
  prompt_hash: string;
  target_hash: string;
  acc: number;
  acc_norm: number;
}

function build(toy: BigramToy) {
  const rows: SampleRow[] = [];
  for (let k = 0; k < 6; k++) {
    const { context, candidates, gold } = toy.item(k);
    const last = context[context.length - 1];
    const ctx = text(context);
    const lls: number[] = [];
    const greedy: boolean[] = [];
    for (const ids of candidates) {
      const { values, rows: steps } = score(last, ids);
      lls.push(f64Sum(values));
      greedy.push(ids.every((t, i) => argmaxOf(steps[i]) === t));
    }
    // doc_to_choice gives the texts; the request's continuation is target_delimiter + choice.
    const choices = candidates.map((ids) => text(ids).replace(/^ /, ''));
    const lens = choices.map((c) => c.length);
    const pick = k === PLANTED ? argminOf(lls) : argmaxOf(lls);
    const accNorm = argmaxOf(lls.map((ll, i) => ll / lens[i])) === gold ? 1 : 0;
    // lm-eval's sanitize_list stores every number of resps as Python's str().
    const resp = (i: number): [string, string] => [pyFloat(lls[i]), greedy[i] ? 'True' : 'False'];
    rows.push({
      doc_id: k,
      doc: { id: `synth-${k}`, query: ctx, choices, gold },
      target: String(gold),
      arguments: Object.fromEntries(choices.map((c, i) => [`gen_args_${i}`, { arg_0: ctx, arg_1: ` ${c}` }])),
      resps: lls.map((_, i) => [resp(i)]),
      filtered_resps: lls.map((_, i) => resp(i)),
      filter: 'none',
      metrics: ['acc', 'acc_norm'],
      doc_hash: hashLike(`doc${k}`),
      prompt_hash: hashLike(`prompt${k}`),
      target_hash: hashLike(`target${gold}`),
      acc: pick === gold ? 1.0 : 0.0,
      acc_norm: accNorm,
    });
  }
  // The results file reports the mean of the recorded per-sample metrics, as the harness does.
  const mean = (key: 'acc' | 'acc_norm') => rows.reduce((a, r) => a + r[key], 0) / rows.length;
  const stderr = (key: 'acc' | 'acc_norm') => {
    const m = mean(key);
    return Math.sqrt(rows.reduce((a, r) => a + (r[key] - m) ** 2, 0) / (rows.length - 1) / rows.length);
  };
  const results = {
    results: {
      [TASK]: {
        alias: TASK,
        'acc,none': mean('acc'),
        'acc_stderr,none': stderr('acc'),
        'acc_norm,none': mean('acc_norm'),
        'acc_norm_stderr,none': stderr('acc_norm'),
      },
    },
    'n-shot': { [TASK]: 0 },
    versions: { [TASK]: 1.0 },
    config: { model: 'hf', model_args: 'pretrained=toy/bigram-64', batch_size: 8 },
    lm_eval_version: '0.4.9',
  };
  return {
    files: [
      { name: `samples_${TASK}_${DATE}.jsonl`, content: jsonLines(rows) },
      { name: `results_${DATE}.json`, content: jsonDocument(results) },
    ],
    records: `${rows.length} docs (${rows.reduce((n, r) => n + r.doc.choices.length, 0)} choices) + results`,
    planted: `doc ${PLANTED}: \`acc\` computed from the lowest total`,
    rule: 'metric-mismatch',
    note: 'The lm-eval results file reports the mean of the recorded per-sample metrics, as the harness\ndoes, so it agrees with its samples file (the planted doc included).',
  };
}

export const lmEval: FormatSample = { folder: 'lm-eval', build };
