/** OpenAI Batch API output files: each body read by its endpoint's reader under the request's custom_id. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { WITHOUT_LOGPROBS } from '../../src/ingest/formats/wrapper.js';
import { readItems, writeJsonl } from './read.js';

const entry = (token: string, logprob: number, top: [string, number][] = []) => ({ token, logprob, bytes: [...Buffer.from(token)], top_logprobs: top.map(([t, l]) => ({ token: t, logprob: l, bytes: [...Buffer.from(t)] })) });
const chat = (id: string, entries: object[] | null) => ({
  id,
  object: 'chat.completion',
  created: 1711652795,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Paris' }, logprobs: entries === null ? null : { content: entries }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 },
});
const line = (customId: string, body: object, status = 200) => ({ id: `batch_req_${customId}`, custom_id: customId, response: { status_code: status, request_id: `req_${customId}`, body }, error: null });
const honest = [entry('Paris', -0.0104, [['Paris', -0.0104], [' Paris', -4.62]])];

describe('OpenAI Batch API files', () => {
  it('reads each chat body as openai-chat reads the bare reply, named by its custom_id', async () => {
    const batch = writeJsonl([line('q-1', chat('chatcmpl-1', honest)), line('q-2', chat('chatcmpl-2', [entry('Lyon', -2.5, [['Paris', -0.2], ['Lyon', -2.5]])]))], 'batch_output.jsonl');
    const bare = writeJsonl([chat('chatcmpl-1', honest), chat('chatcmpl-2', [entry('Lyon', -2.5, [['Paris', -0.2], ['Lyon', -2.5]])])]);
    const [fromBatch, fromBare] = [await readItems(batch), await readItems(bare)];
    expect(fromBatch.format).toBe('openai-batch');
    expect(fromBare.format).toBe('openai-chat');
    expect(fromBatch.items.map((i) => (i.kind === 'record' ? i.record.id : i.kind))).toEqual(['q-1/0', 'q-2/0']);
    // The records are the bare reply's but for their ids.
    const strip = (items: typeof fromBatch.items) => items.map((i) => (i.kind === 'record' ? { ...i.record, id: null } : i));
    expect(strip(fromBatch.items)).toEqual(strip(fromBare.items));
    const result = await audit([batch], { rules: defaultRuleSet });
    expect([...result.findings]).toEqual([]);
    expect(result.summary.audited).toBe(2);
  });

  it('finds a bad log-prob in a body, at its line and under its custom_id', async () => {
    const file = writeJsonl([line('q-1', chat('c1', honest)), line('q-2', chat('c2', [entry('Yes', 0.3)]))]);
    const result = await audit([file], { rules: defaultRuleSet });
    const found = [...result.findings];
    expect(found.map((f) => [f.ruleId, f.recordId, f.line])).toEqual([['invalid-logprob', 'q-2/0', 2]]);
  });

  it('skips what holds nothing to audit, saying why: failed requests, embeddings, replies without log-probs, input lines', async () => {
    const rows = [
      { id: 'batch_req_a', custom_id: 'a', response: null, error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' } },
      line('b', { error: { message: 'Invalid model', type: 'invalid_request_error', code: null } }, 400),
      line('c', { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2] }], model: 'text-embedding-3-small' }),
      line('d', chat('chatcmpl-d', null)),
      { custom_id: 'e', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], logprobs: true } },
    ];
    const { format, items } = await readItems(writeJsonl(rows));
    expect(format).toBe('openai-batch');
    expect(items.map((i) => (i.kind === 'skipped' ? [i.recordId, i.reason] : i.kind))).toEqual([
      ['a', 'the request failed in the batch (batch_expired: This request could not be executed before the completion window expired.)'],
      ['b', 'the request failed in the batch (HTTP 400: Invalid model)'],
      ['c', 'an embeddings reply: no log-probs'],
      ['d/0', WITHOUT_LOGPROBS],
      ['e', 'a batch input line (the request to /v1/chat/completions): nothing to audit'],
    ]);
  });

  it("reads vLLM v0.4's lines, whose response is the reply itself (no status_code, no body), and Mistral's input lines (custom_id and body alone)", async () => {
    const flat = { id: 'vllm-383d', custom_id: 'request-1', response: chat('cmpl-61c0', honest), error: null };
    const { items } = await readItems(writeJsonl([flat, { custom_id: 'm-1', body: { messages: [{ role: 'user', content: 'Hi' }] } }, line('s', { id: 'score-1', object: 'list', data: [{ index: 0, object: 'score', score: 0.5 }] })]));
    expect(items.map((i) => (i.kind === 'record' ? i.record.id : i.kind === 'skipped' ? i.reason : i.kind))).toEqual(['request-1/0', 'a batch input line (the request): nothing to audit', 'a score reply: no log-probs']);
  });

  it('reads an output line that leaves error out (a response with its status and body)', async () => {
    const { id: _id, error: _e, ...noError } = line('q-1', chat('c1', honest));
    const { format, items } = await readItems(writeJsonl([noError]));
    expect(format).toBe('openai-batch');
    expect(items.map((i) => (i.kind === 'record' ? i.record.id : i.kind))).toEqual(['q-1/0']);
  });

  it('reads a completions body with echo as openai-completions does (the prompt scored)', async () => {
    const body = {
      id: 'cmpl-1',
      object: 'text_completion',
      model: 'davinci-002',
      choices: [{ index: 0, text: 'The sky is blue', finish_reason: 'length', logprobs: { tokens: ['The', ' sky', ' is', ' blue'], token_logprobs: [null, -5.1, -1.2, -0.9], top_logprobs: null, text_offset: [0, 3, 7, 10] } }],
    };
    const { items } = await readItems(writeJsonl([line('p-1', body)]));
    expect(items).toHaveLength(1);
    expect(items[0].kind).toBe('record');
    if (items[0].kind === 'record') expect(items[0].record).toMatchObject({ id: 'p-1/0', reference_logprobs: [-5.1, -1.2, -0.9] });
  });

  it('calls a line unreadable that has neither a response nor an error, or a body no reader knows', async () => {
    const { items } = await readItems(writeJsonl([line('ok', chat('c', honest)), { id: 'x', custom_id: 'x', response: null, error: null }, line('y', { object: 'image', data: [] })]));
    expect(items.map((i) => i.kind)).toEqual(['record', 'invalid', 'invalid']);
    expect(items[1].kind === 'invalid' && items[1].message).toMatch(/neither response nor error/);
    expect(items[2].kind === 'invalid' && items[2].message).toMatch(/no reply evalaudit reads/);
  });
});

describe('real batch files (test/fixtures/real/batch)', () => {
  const REAL = join(__dirname, '../fixtures/real/batch');
  const reasons = async (name: string) => {
    const { format, items } = await readItems(join(REAL, name));
    return { format, kinds: [...new Set(items.map((i) => i.kind))], reasons: [...new Set(items.map((i) => (i.kind === 'skipped' ? i.reason : '')))] };
  };

  it("reads OpenAI's and Groq's outputs, whose replies have no log-probs, as skipped rows", async () => {
    for (const name of ['openai-gpt4o-mini-batch_output.excerpt.jsonl', 'groq-llama31-8b-batch_output.jsonl']) {
      expect(await reasons(name), name).toEqual({ format: 'openai-batch', kinds: ['skipped'], reasons: [WITHOUT_LOGPROBS] });
    }
  });

  it("skips vLLM run_batch's failed requests with their message, and Anthropic's batch results", async () => {
    expect(await reasons('vllm-run-batch-olmo2-errors.excerpt.jsonl')).toEqual({
      format: 'openai-batch',
      kinds: ['skipped'],
      reasons: ['the request failed in the batch (400: As of transformers v4.44, default chat template is no longer allowed, so you must provide a chat template if the tokenizer does not define one. None)'],
    });
    expect(await reasons('anthropic-message-batches-errored.excerpt.jsonl')).toEqual({ format: 'openai-batch', kinds: ['skipped'], reasons: ['an Anthropic Message Batches result: that API gives no log-probs'] });
  });
});
