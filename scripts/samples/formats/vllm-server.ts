/**
 * vLLM's OpenAI-compatible server, `/v1/completions` with `prompt_logprobs`, and the scoring
 * script's fields beside each response. Two groups, asked two ways:
 *
 * - group vs0: the prompt as text with `prompt_logprobs: 5`, `max_tokens: 1`, no echo and no
 *   `return_token_ids` (so no `prompt_token_ids`): the reader must find each prompt token's entry
 *   by its rank and by spelling the prompt text;
 * - group vs1: as lm-evaluation-harness's `local-completions` backend asks (`prompt: [[ids]]`,
 *   `echo: true, logprobs: 1, max_tokens: 1`), so the legacy lists echo the prompt and one
 *   generated token, beside `prompt_logprobs` at k = 1. The script scores
 *   `token_logprobs[ctxlen:-1]`.
 *
 * Planted: vs1-c1 was scored as `token_logprobs[ctxlen:]`, the generated token included.
 */
import { argmaxOf, f64Sum } from '../../lib/pipeline-math.js';
import { jsonLines, type FormatSample } from './format-sample.js';
import { choiceRecords, hashLike, logprobsAfter, ranking, text, VOCAB, type BigramToy, type Choice } from './toy.js';
import { vllmEntry, type Entry } from './vllm.js';

const PLANTED = 'vs1-c1';
const MODEL = 'toy/bigram-64';

/** The legacy top_logprobs dict vLLM writes: the token itself first, then the top k by text. */
function legacyTop(row: readonly number[], k: number, actual: number): Record<string, number> {
  const d: Record<string, number> = { [VOCAB[actual]]: row[actual] };
  for (const j of ranking(row).slice(0, k)) if (!(VOCAB[j] in d)) d[VOCAB[j]] = row[j];
  return d;
}

function response(id: string, choice: object, promptTokens: number) {
  return {
    id: `cmpl-${hashLike(id).slice(0, 32)}`,
    object: 'text_completion',
    created: 1768469400,
    model: MODEL,
    choices: [choice],
    service_tier: null,
    system_fingerprint: null,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens + 1, completion_tokens: 1, prompt_tokens_details: null },
    kv_transfer_params: null,
  };
}

function record({ id, group, context, continuation, gold }: Choice) {
  const ids = [...context, ...continuation];
  const lmEval = group === 'vs1';
  const k = lmEval ? 1 : 5;
  const plp: (Record<string, Entry> | null)[] = [null];
  const values: (number | null)[] = [null];
  for (let i = 1; i < ids.length; i++) {
    const row = logprobsAfter(ids[i - 1]);
    plp.push(vllmEntry(row, k, ids[i]));
    values.push(row[ids[i]]);
  }
  const genRow = logprobsAfter(ids[ids.length - 1]);
  const generated = argmaxOf(genRow);
  const ctxlen = context.length;
  const base = { id, group, gold };
  if (!lmEval) {
    return {
      ...base,
      score: f64Sum(values.slice(ctxlen) as number[]),
      score_kind: 'logprob',
      context: text(context),
      request: { model: MODEL, prompt: text(ids), max_tokens: 1, temperature: 0, prompt_logprobs: k },
      response: response(
        id,
        { index: 0, text: VOCAB[generated], logprobs: null, finish_reason: 'length', stop_reason: null, token_ids: null, prompt_logprobs: plp, prompt_token_ids: null },
        ids.length,
      ),
    };
  }
  // echo: the prompt's tokens and the generated one, as vLLM's _create_completion_logprobs lists them.
  const all = [...ids, generated];
  const tokens = all.map((t) => VOCAB[t]);
  const tokenLogprobs = [...values, genRow[generated]];
  const top = [null, ...all.slice(1).map((t, i) => legacyTop(logprobsAfter(all[i]), k, t))];
  const offsets: number[] = [];
  let o = 0;
  for (const t of tokens) {
    offsets.push(o);
    o += t.length;
  }
  const scored = id === PLANTED ? tokenLogprobs.slice(ctxlen) : tokenLogprobs.slice(ctxlen, -1);
  return {
    ...base,
    score: f64Sum(scored as number[]),
    score_kind: 'logprob',
    context_tokens: ctxlen,
    request: { model: MODEL, prompt: [ids], temperature: 0, max_tokens: 1, logprobs: 1, seed: 1234, echo: true },
    response: response(
      id,
      {
        index: 0,
        text: tokens.join(''),
        logprobs: { text_offset: offsets, token_logprobs: tokenLogprobs, tokens, top_logprobs: top },
        finish_reason: 'length',
        stop_reason: null,
        token_ids: null,
        prompt_logprobs: plp,
        prompt_token_ids: null,
      },
      ids.length,
    ),
  };
}

function build(toy: BigramToy) {
  const records = choiceRecords(toy, { prefix: 'vs', count: 2, first: 30 }, record, (r, selected) => {
    const { id, group, gold, ...rest } = r;
    return { id, group, gold, selected, ...rest };
  });
  return {
    files: [{ name: 'completions.jsonl', content: jsonLines(records) }],
    records: String(records.length),
    planted: `${PLANTED}: scored as lm-eval's \`token_logprobs[ctxlen:]\` without the \`-1\`, so the generated token is in`,
    rule: 'length-mismatch',
  };
}

export const vllmServer: FormatSample = { folder: 'vllm-server', build };
