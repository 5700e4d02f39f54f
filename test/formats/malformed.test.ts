/**
 * Rows a native adapter cannot read: each becomes one `invalid` item at its line, with the
 * record id when the row names one; nothing throws.
 */
import { describe, expect, it } from 'vitest';
import type { FormatAdapter } from '../../src/ingest/adapter.js';
import { lmEvalResultsAdapter } from '../../src/ingest/formats/lm-eval-results.js';
import { openaiChatAdapter } from '../../src/ingest/formats/openai-chat.js';
import { openaiCompletionsAdapter } from '../../src/ingest/formats/openai-completions.js';
import { vllmAdapter } from '../../src/ingest/formats/vllm.js';
import type { RawItem } from '../../src/types.js';

function convert(adapter: FormatAdapter, value: unknown, line = 7): RawItem[] {
  return [...adapter.createConverter('run.jsonl', {})({ file: 'run.jsonl', line, value })];
}

const echoResponse = {
  id: 'cmpl-1',
  choices: [{ index: 0, text: 'ab!', logprobs: { tokens: ['a', 'b', '!'], token_logprobs: [null, -1, -2], top_logprobs: null, text_offset: [0, 1, 2] } }],
};

describe('openai completions', () => {
  it.each([
    ['a scored wrapper that does not say where the context ends', { id: 'r1', score: -1, request: { prompt: 'ab', echo: true }, response: echoResponse }, /neither context nor context_tokens/],
    ['a wrapper without an id', { score: -1, context: 'a', response: echoResponse }, /no id/],
    ['a score that is not a number', { id: 'r1', score: '-1', context: 'a', response: echoResponse }, /score must be a number/],
    ['token_logprobs shorter than tokens', { id: 'r1', context: 'a', response: { choices: [{ logprobs: { tokens: ['a', 'b'], token_logprobs: [null] } }] } }, /token_logprobs/],
    ['a context longer than the prompt', { id: 'r1', score: -1, context_tokens: 5, request: { prompt: 'ab', echo: true }, response: echoResponse }, /longer than the prompt/],
    ['no logprobs at all, beside a recorded score', { id: 'r1', score: -1, response: { choices: [{ text: 'x', logprobs: null }] } }, /without logprobs/],
  ])('%s', (_what, value, message) => {
    const items = convert(openaiCompletionsAdapter, value);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'invalid', file: 'run.jsonl', line: 7, message: expect.stringMatching(message) });
  });

  it('names the wrapper id in the invalid item', () => {
    const [item] = convert(openaiCompletionsAdapter, { id: 'r9', score: -1, request: { prompt: 'ab', echo: true }, response: echoResponse });
    expect(item).toMatchObject({ kind: 'invalid', recordId: 'r9' });
  });

  it('reads the same wrapper once it gives the boundary', () => {
    const [item] = convert(openaiCompletionsAdapter, { id: 'r1', score: -1, context: 'a', request: { prompt: 'ab', echo: true }, response: echoResponse });
    expect(item).toMatchObject({ kind: 'record', record: { id: 'r1', tokens: ['b'], reference_logprobs: [-1], trailing_logprobs: [-2] } });
  });
});

describe('openai chat', () => {
  it('reports a content entry without a numeric logprob', () => {
    const [item] = convert(openaiChatAdapter, { id: 'c1', score: -1, response: { choices: [{ logprobs: { content: [{ token: 'a', logprob: null }] } }] } });
    expect(item).toMatchObject({ kind: 'invalid', line: 7, recordId: 'c1', message: expect.stringMatching(/content\[0\]/) });
  });

  it('reports a bad score_kind', () => {
    const [item] = convert(openaiChatAdapter, { id: 'c1', score_kind: 'logits', response: { choices: [{ logprobs: { content: [] } }] } });
    expect(item).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/score_kind/) });
  });
});

describe('vllm', () => {
  const output = { prompt_token_ids: [1, 2, 3], prompt_logprobs: [null, { 2: { logprob: -1, rank: 1 } }, { 3: { logprob: -2, rank: 1 } }] };

  it.each([
    ['a request made without prompt_logprobs', { id: 'v1', score: -1, context_tokens: 1, output: { ...output, prompt_logprobs: null } }, /without prompt_logprobs/],
    ['prompt_logprobs of the wrong length', { id: 'v1', score: -1, context_tokens: 1, output: { ...output, prompt_logprobs: [null] } }, /1 entries for 3 prompt tokens/],
    ['context_tokens past the prompt', { id: 'v1', score: -1, context_tokens: 4, output }, /context_tokens must be an integer from 0 to 3/],
    ['a scored wrapper without a boundary', { id: 'v1', score: -1, output }, /neither context_tokens nor context/],
    ['token ids that are not ids', { id: 'v1', context_tokens: 1, output: { ...output, prompt_token_ids: ['a', 'b', 'c'] } }, /prompt_token_ids/],
  ])('%s', (_what, value, message) => {
    const [item] = convert(vllmAdapter, value);
    expect(item).toMatchObject({ kind: 'invalid', line: 7, recordId: 'v1', message: expect.stringMatching(message) });
  });

  it('leaves a missing entry as null in the reference rather than guessing', () => {
    const [item] = convert(vllmAdapter, { id: 'v1', context_tokens: 1, output: { ...output, prompt_logprobs: [null, null, { 3: { logprob: -2, rank: 1 } }] } });
    expect(item).toMatchObject({ kind: 'record', record: { reference_logprobs: [null, -2], token_ids: [2, 3] } });
  });
});

describe('lm-eval results', () => {
  it('reports a results row without a results map', () => {
    const [item] = convert(lmEvalResultsAdapter, { versions: {} }, 1);
    expect(item).toMatchObject({ kind: 'invalid', line: 1 });
  });
});
