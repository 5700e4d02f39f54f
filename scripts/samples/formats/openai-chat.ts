/**
 * OpenAI chat completions with `logprobs: true, top_logprobs: 20`: a reply sampled from the toy
 * server and the script's score beside it. Planted: one reply token falls outside the top 20,
 * where the API writes -9999.0, and the scorer summed that sentinel.
 */
import { f64Sum } from '../../lib/pipeline-math.js';
import { jsonLines, type FormatSample } from './format-sample.js';
import { hashLike, logprobsAfter, ranking, text, VOCAB, type BigramToy } from './toy.js';

const PLANTED = 'chat-2';

const bytes = (t: string) => [...Buffer.from(t, 'utf8')];

function build(toy: BigramToy) {
  const records: object[] = [];
  for (let k = 0; k < 4; k++) {
    const id = `chat-${k}`;
    const prompt = toy.sampleSequence(63, 7, 0.9);
    let prev = prompt[prompt.length - 1];
    const content: { token: string; logprob: number; bytes: number[]; top_logprobs: object[] }[] = [];
    const values: number[] = [];
    const length = 4 + k;
    for (let i = 0; i < length; i++) {
      const row = logprobsAfter(prev);
      const order = ranking(row);
      const top20 = new Set(order.slice(0, 20));
      // Clean replies stay within the top 20; the planted one takes a rare token at step 2.
      const t = id === PLANTED && i === 2 ? order[40] : toy.sample(row, 1, new Set(order.slice(20)));
      const logprob = top20.has(t) ? row[t] : -9999.0;
      values.push(logprob);
      content.push({
        token: VOCAB[t],
        logprob,
        bytes: bytes(VOCAB[t]),
        top_logprobs: order.slice(0, 20).map((j) => ({ token: VOCAB[j], logprob: row[j], bytes: bytes(VOCAB[j]) })),
      });
      prev = t;
    }
    records.push({
      id,
      score: f64Sum(values), // the correct scorer could not sum a sentinel; the planted one did
      score_kind: 'logprob',
      request: {
        model: 'toy/bigram-64-chat',
        messages: [{ role: 'user', content: `Continue:${text(prompt)}` }],
        logprobs: true,
        top_logprobs: 20,
        max_tokens: length,
      },
      response: {
        id: `chatcmpl-${hashLike(id).slice(0, 24)}`,
        object: 'chat.completion',
        created: 1768469400,
        model: 'toy/bigram-64-chat',
        choices: [{ index: 0, message: { role: 'assistant', content: content.map((c) => c.token).join('') }, logprobs: { content, refusal: null }, finish_reason: 'length' }],
        usage: { prompt_tokens: prompt.length + 4, completion_tokens: length, total_tokens: prompt.length + 4 + length },
      },
    });
  }
  return {
    files: [{ name: 'responses.jsonl', content: jsonLines(records) }],
    records: String(records.length),
    planted: `${PLANTED}: a reply token outside the top 20 (\`-9999.0\`) summed into the score`,
    rule: 'invalid-logprob',
  };
}

export const openaiChat: FormatSample = { folder: 'openai-chat', build };
