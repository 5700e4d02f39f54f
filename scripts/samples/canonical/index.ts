/**
 * The canonical sample runs (sample-runs/*.jsonl, *.csv, README.md): small eval runs in the
 * canonical record format, scored from a toy model (model.ts) by the correct scorer or by one
 * with a known bug (scorers.ts), written the way a Python pipeline writes JSON and CSV.
 */
import type { AuditRecord } from '../../../src/types.js';
import { csvCell, pyDumps, type DumpsOptions } from '../../lib/pyjson.js';
import type { SampleFile, SampleGenerator } from '../types.js';
import { buildFile, type Planted } from './groups.js';
import { toyModels } from './model.js';
import { canonicalReadme } from './readme.js';

const JSON_OPTIONS: DumpsOptions = { intKeys: new Set(['id', 'token_ids', 'choice_index']) };
const CSV_COLUMNS = ['id', 'group', 'prompt', 'completion', 'tokens', 'token_ids', 'logprobs', 'score', 'score_kind', 'selected', 'gold'] as const;

const jsonl = (path: string, records: readonly AuditRecord[]): SampleFile => ({
  path,
  content: records.map((r) => pyDumps(r, JSON_OPTIONS)).join('\n') + '\n',
});

/** Arrays JSON-encoded in their cells, scalars as Python's str() writes them. */
const csv = (path: string, records: readonly AuditRecord[]): SampleFile => ({
  path,
  content: [CSV_COLUMNS.join(','), ...records.map((r) => CSV_COLUMNS.map((col) => csvCell(r[col], col, JSON_OPTIONS)).join(','))].join('\n') + '\n',
});

/**
 * cat.jsonl: the worked example of a greedy pick, written by hand so the numbers are round.
 * The candidates share the first step; A wins it (-0.9 > -1.2) but B wins the total (-2.3 > -2.4).
 * C is the clear loser, so A is not also the lowest total (which would fit an inverted ranking).
 */
function catRecords(): AuditRecord[] {
  const ids: Record<string, number> = { ' warm': 3, ' plush': 4, ' old': 5, ' soft': 6, ' red': 7, ' mat': 8, ' rug': 9, ' blanket': 10, ' bed': 11, ' spot': 12, ' cushion': 13, ' carpet': 14, ' chair': 15 };
  const top = (pairs: [string, number][]) => pairs.map(([token, logprob]) => ({ token, logprob, id: ids[token] }));
  const step0 = top([[' warm', -0.9], [' plush', -1.2], [' old', -2.9], [' soft', -3.3], [' red', -3.6]]);
  return [
    {
      id: 'cat-A', group: 'cat', prompt: 'The cat sat on the', completion: ' warm mat',
      tokens: [' warm', ' mat'], token_ids: [3, 8], logprobs: [-0.9, -1.5],
      top_logprobs: [step0, top([[' blanket', -0.7], [' mat', -1.5], [' rug', -2.0], [' bed', -2.6], [' spot', -3.4]])],
      score: -2.4, score_kind: 'logprob', selected: true, gold: false,
    },
    {
      id: 'cat-B', group: 'cat', prompt: 'The cat sat on the', completion: ' plush rug',
      tokens: [' plush', ' rug'], token_ids: [4, 9], logprobs: [-1.2, -1.1],
      top_logprobs: [step0, top([[' rug', -1.1], [' cushion', -1.3], [' mat', -2.2], [' carpet', -2.8], [' chair', -3.5]])],
      score: -2.3, score_kind: 'logprob', selected: false, gold: true,
    },
    {
      id: 'cat-C', group: 'cat', prompt: 'The cat sat on the', completion: ' soft bed',
      tokens: [' soft', ' bed'], token_ids: [6, 11], logprobs: [-3.3, -1.6],
      top_logprobs: [step0, top([[' blanket', -0.8], [' bed', -1.6], [' cushion', -1.9], [' rug', -2.5], [' chair', -3.9]])],
      score: -4.9, score_kind: 'logprob', selected: false, gold: false,
    },
  ];
}

function files(): SampleFile[] {
  const models = toyModels();
  // logits.jsonl: full logits over a 16-token vocabulary, so every distributional bug is visible.
  const logits = buildFile('logits.jsonl', 'logits', models.logits, 5, 16, [
    { size: 4 },
    { size: 3, bug: 'softmax_skipped' },
    { size: 4 },
    { size: 3, bug: 'softmax_twice' },
    { size: 3, bug: 'temperature_0_7' },
    { size: 3, bug: 'token_id_off_by_one' },
    { size: 3, bug: 'no_shift', minLen: 2 },
    { size: 3, bug: 'argmax_gathered' },
    { size: 4 },
  ]);
  // choice-topk.jsonl: per-token values, the model's top-8 at each step, and the score.
  const topk = buildFile('choice-topk.jsonl', 'topk', models.topk, 8, 40, [
    { size: 4 },
    { size: 4, bug: 'softmax_skipped' },
    { size: 4 },
    { size: 3, bug: 'prob_product' },
    { size: 3, bug: 'no_shift', minLen: 2 },
    { size: 4 },
    { size: 3, bug: 'includes_context_token' },
    { size: 3, bug: 'drops_last_token', minLen: 2 },
    { size: 3, bug: 'argmax_gathered' },
    { size: 4 },
    { size: 3, bug: 'prob_sum' },
    { size: 3, bug: 'mean_as_sum', minLen: 2 },
    { size: 3, bug: 'temperature_0_7', minLen: 2 },
    { size: 3, bug: 'softmax_twice', minLen: 2 },
    { size: 3, bug: 'token_id_off_by_one', minLen: 2 },
    { size: 3, bug: 'fp16', minLen: 2 }, // one value on the float16 grid is chance, not evidence
    { size: 3, bugs: ['nan_value', 'clean', 'nan_value'] },
    { size: 3, bugs: ['stale_score', 'stale_score', 'clean'] },
    { size: 4, policy: 'greedy' },
    { size: 4, policy: 'inverted' },
    { size: 4 },
    { long: 48, bug: 'underflow' },
  ]);
  // choice-pertoken.csv: per-token values and score only; prompts span lines (quoted cells).
  const pertoken = buildFile('choice-pertoken.csv', 'pertoken', models.topk, 0, 3232, [
    { size: 4 },
    { size: 3, bug: 'softmax_skipped' },
    { size: 3, bug: 'prob_product' },
    { size: 4 },
    { size: 3, bug: 'prob_sum' },
    { size: 3, bug: 'includes_context_token' },
    { size: 3, bug: 'drops_last_token', minLen: 2 },
    { size: 4 },
    { size: 3, bug: 'mean_as_sum', minLen: 2 },
    { size: 3, bug: 'fp16', minLen: 2 }, // one value on the float16 grid is chance, not evidence
    { size: 3, bugs: ['clean', 'nan_value', 'nan_value'] },
    { size: 4, policy: 'inverted' },
    { size: 4 },
    { long: 60, bug: 'underflow' },
  ]);
  const cat = catRecords();
  const planted: Planted[] = [...logits.planted, ...topk.planted, ...pertoken.planted, { file: 'cat.jsonl', id: 'cat (selected cat-A)', bug: 'greedy' }];

  const generated = { 'logits.jsonl': logits.records, 'choice-topk.jsonl': topk.records, 'choice-pertoken.csv': pertoken.records };
  const plantedIds = new Set(planted.map((p) => `${p.file}:${p.id}`));
  const cleanCount = Object.entries(generated).reduce((n, [file, recs]) => n + recs.filter((r) => !plantedIds.has(`${file}:${r.id}`)).length, 0);
  const counts = { 'logits.jsonl': logits.records.length, 'choice-topk.jsonl': topk.records.length, 'choice-pertoken.csv': pertoken.records.length, 'cat.jsonl': cat.length };
  return [
    jsonl('logits.jsonl', logits.records),
    jsonl('choice-topk.jsonl', topk.records),
    csv('choice-pertoken.csv', pertoken.records),
    jsonl('cat.jsonl', cat),
    { path: 'README.md', content: canonicalReadme(counts, cleanCount, planted) },
  ];
}

export const canonicalSamples: SampleGenerator = { name: 'canonical records', files };
