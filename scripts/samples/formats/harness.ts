/**
 * The harness formats' sample runs: an Inspect AI log, a HELM run folder, lighteval details
 * (Parquet) and an lm-eval v0.3 write_out file, each scored honestly but for one planted bug.
 * Per-token log-probs come from the `rand` stream (not the bigram toy); every number derived
 * from them is computed as the harness computes it. Four FormatSample modules, appended to
 * FORMAT_SAMPLES in this order (they share the stream).
 */
import { FLAT_COLUMNS, detailsParquetBytes, flatRow, makeDoc } from '../../lib/lighteval-details.js';
import type { FormatSample } from './format-sample.js';

const WORDS = [' the', ' cat', ' sat', ' on', ' mat', ' dog', ' ran', ' far', ' red', ' blue', ' sun', ' moon', ' tree', ' sky', ' sea', ' hot', ' cold'];

/** Draws the toy model's log-prob of one token: most are likely, some are not. */
function tokenLogprob(rand: () => number): number {
  const p = 0.02 + 0.96 * rand() ** 2;
  return Math.round(Math.log(p) * 1e6) / 1e6;
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
const argmax = (v: number[]) => v.reduce((b, x, i) => (x > v[b] ? i : b), 0);
const json = (v: unknown, indent = 2) => `${JSON.stringify(v, null, indent)}\n`;

function inspectFiles(rand: () => number): { name: string; content: string }[] {
  const samples: unknown[] = [];
  for (let s = 1; s <= 5; s++) {
    const prompt = Array.from({ length: 8 }, () => [WORDS[Math.floor(rand() * WORDS.length)], tokenLogprob(rand)] as [string, number]);
    prompt[0][1] = tokenLogprob(rand) - 5;
    const n = 1 + (s % 3);
    const target = prompt.slice(-n).map(([, l]) => l);
    let total = sum(target);
    // planted: sample 4's scorer took one token too many (the last one of the context)
    const scored = s === 4 ? n + 1 : n;
    if (s === 4) total = sum(prompt.slice(-scored).map(([, l]) => l));
    const nll = -total / scored;
    samples.push({
      id: s, epoch: 1, input: prompt.slice(0, -n).map(([t]) => t).join('').trim(), target: prompt.slice(-n).map(([t]) => t).join(''),
      messages: [], metadata: { num_target_tokens: n },
      output: {
        model: 'vllm/toy', completion: '.',
        choices: [{ message: { role: 'assistant', content: '.', source: 'generate' }, stop_reason: 'max_tokens',
          logprobs: { content: [{ token: '.', logprob: tokenLogprob(rand), bytes: [46], top_logprobs: [] }] },
          prompt_logprobs: { content: prompt.map(([token, logprob]) => ({ token, logprob })) } }],
      },
      scores: { target_perplexity: { value: nll, explanation: `target tokens=${scored}`, metadata: { num_tokens: scored, sum_log_probs: total, perplexity: Math.exp(nll) } } },
      store: {}, events: [], model_usage: {}, attachments: {},
    });
  }
  const log = {
    version: 2, status: 'success',
    eval: { eval_id: 'toy-eval', run_id: 'toy-run', created: '2026-01-15T09:30:00+00:00', task: 'completion_nll', task_id: 'toy', task_version: 0, dataset: { samples: 5 }, model: 'vllm/toy', config: { epochs: 1 } },
    plan: { name: 'plan', steps: [{ solver: 'generate', params: {} }], config: { max_tokens: 1, logprobs: true, prompt_logprobs: 1 } },
    results: { total_samples: 5, completed_samples: 5, scores: [{ name: 'target_perplexity', scorer: 'target_perplexity', params: {}, metrics: {} }] },
    stats: { started_at: '2026-01-15T09:30:00+00:00', completed_at: '2026-01-15T09:31:00+00:00', model_usage: {} },
    samples,
  };
  return [{ name: '2026-01-15T09-30-00+00-00_completion-nll_toy.json', content: json(log) }];
}

function helmFiles(rand: () => number): { name: string; content: string }[] {
  const states: unknown[] = [];
  const perInstance: unknown[] = [];
  let correct = 0;
  const instances = 4;
  for (let k = 0; k < instances; k++) {
    const id = `id${100 + k}`;
    const refs = ['red', 'blue', 'green sky'].map((text, r) => ({ output: { text }, tags: r === k % 3 ? ['correct'] : [] }));
    const context = ['Question', ':', 'ĠWhich', 'Ġcolor', '?', 'Ċ', 'Answer', ':'].map((text, i) => ({ text, logprob: i === 0 ? 0 : tokenLogprob(rand) }));
    const means: number[] = [];
    refs.forEach((ref, r) => {
      const answer = ref.output.text.split(' ').map((w) => ({ text: `Ġ${w}`, logprob: tokenLogprob(rand) }));
      means.push(sum(answer.map((t) => t.logprob)) / answer.length);
      const tokens = [...context, ...answer];
      const prompt = `Question: Which color?\nAnswer: ${ref.output.text}`;
      states.push({
        instance: { input: { text: 'Which color?' }, references: refs, split: 'test', id },
        reference_index: r, request_mode: 'original', train_trial_index: 0,
        request: { model_deployment: 'toy/toy', model: 'toy/toy', embedding: false, prompt, temperature: 0, num_completions: 1, top_k_per_token: 1, max_tokens: 0, stop_sequences: [], echo_prompt: true, top_p: 1, presence_penalty: 0, frequency_penalty: 0 },
        result: { success: true, embedding: [], completions: [{ text: prompt, logprob: sum(tokens.map((t) => t.logprob)), tokens }], cached: true },
        num_train_instances: 0, prompt_truncated: false,
      });
    });
    // HELM's pick: the best mean over the answer's tokens; planted: id102's was taken from the worst
    const pick = k === 2 ? argmax(means.map((m) => -m)) : argmax(means);
    const em = refs[pick].tags.includes('correct') ? 1 : 0;
    correct += em;
    const stat = (name: string, v: number) => ({ name: { name, split: 'test' }, count: 1, sum: v, sum_squared: v * v, min: v, max: v, mean: v, variance: 0, stddev: 0 });
    perInstance.push({ instance_id: id, train_trial_index: 0, stats: [stat('exact_match', em), stat('predicted_index', pick)] });
  }
  const spec = { method: 'multiple_choice_separate_original', model_deployment: 'toy/toy', model: 'toy/toy', max_tokens: 0, temperature: 0, num_outputs: 1, max_train_instances: 0 };
  const mean = correct / instances;
  return [
    { name: 'scenario_state.json', content: json({ adapter_spec: spec, request_states: states }) },
    { name: 'per_instance_stats.json', content: json(perInstance) },
    { name: 'stats.json', content: json([{ name: { name: 'exact_match', split: 'test' }, count: instances, sum: correct, sum_squared: correct, min: 0, max: 1, mean, variance: mean - mean * mean, stddev: Math.sqrt(mean - mean * mean) }]) },
  ];
}

function lightevalFiles(rand: () => number): { name: string; content: Uint8Array }[] {
  const rows: Record<string, unknown>[] = [];
  for (let d = 0; d < 5; d++) {
    const choices = [' A', ' B', ' C', ' D'];
    const cont = choices.map(() => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => Math.floor(rand() * 50000)));
    let lls = cont.map((ids) => sum(ids.map(() => tokenLogprob(rand))));
    // planted: doc 3's scorer multiplied probabilities instead of adding log-probs
    if (d === 3) lls = lls.map((l) => Math.exp(l));
    rows.push(flatRow(makeDoc(`Question ${d}: pick a letter.\nAnswer:`, choices, d % 4, lls, cont, [1, 2, 3])));
  }
  return [{ name: 'details_leaderboard|toy_mc|0_2026-01-15T09-30-00.000000.parquet', content: detailsParquetBytes(FLAT_COLUMNS, rows) }];
}

function lmEvalV03Files(rand: () => number): { name: string; content: string }[] {
  const docs: unknown[] = [];
  for (let d = 0; d < 5; d++) {
    const choices = ['warm mat', 'rug', 'old chair'];
    const lls = choices.map((c) => sum(c.split(' ').map(() => tokenLogprob(rand))));
    const gold = d % 3;
    const doc: Record<string, unknown> = { doc_id: d };
    choices.forEach((c, i) => (doc[`prompt_${i}`] = `The cat sat on the ${c}`.replace(`the ${c}`, `the`) + ` ${c}`));
    lls.forEach((l, i) => (doc[`logit_${i}`] = l));
    doc.truth = gold;
    // planted: doc 1's acc was computed from the lowest total
    const pick = d === 1 ? argmax(lls.map((l) => -l)) : argmax(lls);
    doc.acc = String(pick === gold ? 1.0 : 0.0).replace(/^(\d)$/, '$1.0');
    doc.acc_norm = String(argmax(lls.map((l, i) => l / choices[i].length)) === gold ? 1.0 : 0.0).replace(/^(\d)$/, '$1.0');
    docs.push(doc);
  }
  return [{ name: 'toy_mc_write_out_info.json', content: `${JSON.stringify(docs, null, 4)}\n` }];
}

export const inspect: FormatSample = {
  folder: 'inspect',
  build: (_toy, rand) => ({
    files: inspectFiles(rand),
    records: '5 samples (10 records)',
    planted: 'sample 4: `target_perplexity` scored one token too many (the last context token)',
    rule: "length-mismatch (its `sum_log_probs`; the mean over the wrong window is a score-mismatch)",
  }),
};

export const helm: FormatSample = {
  folder: 'helm',
  build: (_toy, rand) => ({ files: helmFiles(rand), records: '4 instances (12 references)', planted: 'id102: `exact_match` from the worst mean log-prob', rule: 'metric-mismatch' }),
};

export const lighteval: FormatSample = {
  folder: 'lighteval',
  build: (_toy, rand) => ({ files: lightevalFiles(rand), records: '5 docs (20 choices)', planted: 'doc 3: log-likelihoods multiplied as probabilities', rule: 'probability-product' }),
};

export const lmEvalV03: FormatSample = {
  folder: 'lm-eval-v03',
  build: (_toy, rand) => ({ files: lmEvalV03Files(rand), records: '5 docs (15 choices)', planted: 'doc 1: `acc` computed from the lowest total', rule: 'metric-mismatch' }),
};
