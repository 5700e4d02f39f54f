/**
 * vLLM RequestOutput objects (prompt_logprobs requested, one generated token) with the scoring
 * script's fields beside them. Planted: one score was built from each position's rank-1 entry
 * instead of the actual token's (and the group's pick follows it).
 */
import { argmaxOf, f64Sum } from '../../lib/pipeline-math.js';
import { jsonLines, type FormatSample } from './format-sample.js';
import { choiceRecords, logprobsAfter, ranking, text, VOCAB, type BigramToy, type Choice } from './toy.js';

const PLANTED = 'v1-c1';

export interface Entry {
  logprob: number;
  rank: number;
  decoded_token: string;
}

/**
 * vLLM's prompt/sample log-prob dict: the top k by rank, plus the actual token with its own rank.
 * Keyed by token id in a plain object, which lists integer-like keys ascending: the committed
 * files have the entries in id order, where vLLM's Python dict keeps them in insertion order.
 */
export function vllmEntry(row: readonly number[], k: number, actual: number): Record<string, Entry> {
  const order = ranking(row);
  const d: Record<string, Entry> = {};
  for (let r = 0; r < k; r++) d[String(order[r])] = { logprob: row[order[r]], rank: r + 1, decoded_token: VOCAB[order[r]] };
  if (!(String(actual) in d)) d[String(actual)] = { logprob: row[actual], rank: order.indexOf(actual) + 1, decoded_token: VOCAB[actual] };
  return d;
}

function record({ id, group, context, continuation, gold }: Choice) {
  const ids = [...context, ...continuation];
  const plp: (Record<string, Entry> | null)[] = [null];
  for (let i = 1; i < ids.length; i++) plp.push(vllmEntry(logprobsAfter(ids[i - 1]), 5, ids[i]));
  const genRow = logprobsAfter(ids[ids.length - 1]);
  const generated = argmaxOf(genRow);
  const contEntries = plp.slice(context.length) as Record<string, Entry>[];
  return {
    id,
    group,
    gold,
    score:
      id === PLANTED
        ? f64Sum(contEntries.map((d) => Object.values(d).find((e) => e.rank === 1)!.logprob))
        : f64Sum(contEntries.map((d, j) => d[String(continuation[j])].logprob)),
    score_kind: 'logprob',
    context_tokens: context.length,
    output: {
      request_id: id,
      prompt: text(ids),
      prompt_token_ids: ids,
      prompt_logprobs: plp,
      outputs: [{ index: 0, text: VOCAB[generated], token_ids: [generated], cumulative_logprob: genRow[generated], logprobs: [vllmEntry(genRow, 5, generated)], finish_reason: 'length', stop_reason: null }],
      finished: true,
    },
  };
}

function build(toy: BigramToy) {
  const records = choiceRecords(toy, { prefix: 'v', count: 2, first: 20 }, record, ({ output, ...script }, selected) => ({ ...script, selected, output }));
  return {
    files: [{ name: 'request_outputs.jsonl', content: jsonLines(records) }],
    records: String(records.length),
    planted: `${PLANTED}: score built from each position's rank-1 entry (and picked by it)`,
    rule: 'high-confidence-wrong-token',
  };
}

export const vllm: FormatSample = { folder: 'vllm', build };
