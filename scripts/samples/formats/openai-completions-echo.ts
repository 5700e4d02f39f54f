/**
 * OpenAI completions with `echo: true, logprobs: 5, max_tokens: 1`: the prompt (context +
 * candidate) scored by the server, one generated token after it, and the scoring script's own
 * fields beside the response. Planted: one score also counts the last context token.
 */
import { argmaxOf, f64Sum } from '../../lib/pipeline-math.js';
import { jsonLines, type FormatSample } from './format-sample.js';
import { choiceRecords, hashLike, logprobsAfter, ranking, text, VOCAB, type BigramToy, type Choice } from './toy.js';

const PLANTED = 'e1-c2';

/** The step's top-k by token text; the API adds the echoed token when it is not among them. */
function topDict(row: readonly number[], k: number, actual: number): Record<string, number> {
  const d: Record<string, number> = {};
  for (const j of ranking(row).slice(0, k)) d[VOCAB[j]] = row[j];
  if (!(VOCAB[actual] in d)) d[VOCAB[actual]] = row[actual];
  return d;
}

function record({ id, group, context, continuation, gold }: Choice) {
  const ids = [...context, ...continuation];
  const generated = argmaxOf(logprobsAfter(ids[ids.length - 1]));
  const all = [...ids, generated];
  const tokens = all.map((t) => VOCAB[t]);
  const values: (number | null)[] = [null];
  const tops: (Record<string, number> | null)[] = [null];
  for (let i = 1; i < all.length; i++) {
    const row = logprobsAfter(all[i - 1]);
    values.push(row[all[i]]);
    tops.push(topDict(row, 5, all[i]));
  }
  const offsets: number[] = [];
  let o = 0;
  for (const t of tokens) {
    offsets.push(o);
    o += t.length;
  }
  const cont0 = context.length;
  const contValues = values.slice(cont0, ids.length) as number[];
  return {
    id,
    group,
    gold,
    score: id === PLANTED ? f64Sum(contValues) + (values[cont0 - 1] as number) : f64Sum(contValues),
    score_kind: 'logprob',
    context: text(context),
    request: { model: 'toy/bigram-64', prompt: text(ids), echo: true, logprobs: 5, max_tokens: 1, temperature: 0 },
    response: {
      id: `cmpl-${hashLike(id).slice(0, 24)}`,
      object: 'text_completion',
      created: 1768469400,
      model: 'toy/bigram-64',
      choices: [{ index: 0, text: tokens.join(''), logprobs: { tokens, token_logprobs: values, top_logprobs: tops, text_offset: offsets }, finish_reason: 'length' }],
      usage: { prompt_tokens: ids.length, completion_tokens: 1, total_tokens: ids.length + 1 },
    },
  };
}

function build(toy: BigramToy) {
  // The script's own fields first, as it wrote them.
  const records = choiceRecords(toy, { prefix: 'e', count: 3, first: 10 }, record, ({ id, group, gold, ...rest }, selected) => ({ id, group, gold, selected, ...rest }));
  return {
    files: [{ name: 'responses.jsonl', content: jsonLines(records) }],
    records: String(records.length),
    planted: `${PLANTED}: the echo slice also scored the last context token`,
    rule: 'length-mismatch',
  };
}

export const openaiCompletionsEcho: FormatSample = { folder: 'openai-completions-echo', build };
