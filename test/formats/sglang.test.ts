import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_LOGPROBS } from '../../src/ingest/formats/server-tokens.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { readItems, writeJsonl } from './read.js';

const REAL = join(__dirname, '../fixtures/real/servers/sglang-jax-pr13-generate.json');
const real = () => JSON.parse(readFileSync(REAL, 'utf8')) as Record<string, unknown>;


describe('SGLang native /generate', () => {
  it("reads a real reply's generated tokens as the continuation, its prompt entries as the context: no finding", async () => {
    const { format, items } = await readItems(REAL);
    expect(format).toBe('sglang');
    const [item] = items;
    if (item.kind !== 'record') throw new Error(item.kind);
    expect(item.record).toMatchObject({
      id: '26223ea355df4c0ab45e5af04505ed67',
      token_ids: [12095, 13, 1084, 374, 7407, 304],
      reference_logprobs: [-0.73046875, -0.9765625, -1.3984375, -0.171875, -0.42578125, -0.060546875],
      context_logprobs: [null, -0.58203125, -3.53125, -2.84375],
      completion: ' Paris. It is located in',
    });
    expect(item.record.tokens).toBeUndefined(); // no return_text_in_logprobs
    expect([...(await audit([REAL], { rules: defaultRuleSet })).findings]).toEqual([]);
  });

  it("scores the prompt from a wrapper's context_tokens, counting from logprob_start_len; says when the context starts before it", async () => {
    const file = writeJsonl([
      { id: 'q1', score: -0.58203125 + -3.53125 + -2.84375, context_tokens: 2, request: { text: 'the capital of France is' }, response: real() },
      { id: 'q2', score: -0.58203125 + -3.53125 + -2.84375, context_tokens: 3, response: real() },
      { id: 'q3', score: -1, context_tokens: 0, response: real() },
    ]);
    const { items } = await readItems(file);
    const [q1, q2, q3] = items;
    if (q1.kind !== 'record' || q2.kind !== 'record') throw new Error('not records');
    expect(q1.record).toMatchObject({ token_ids: [315, 9625, 374], reference_logprobs: [-0.58203125, -3.53125, -2.84375], context_logprobs: [null], prompt: 'the capital of France is' });
    expect(q1.record.top_logprobs![0]!.map((e) => e.id)).toEqual([315, 3283, 374]);
    expect(q1.record.trailing_logprobs).toHaveLength(6);
    expect(q3).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/context_tokens 0 is before the first prompt token with a log-prob \(1: logprob_start_len\)/) });
    const findings = [...(await audit([file], { rules: defaultRuleSet })).findings];
    // q2 also summed the last context token (" of", -0.58203125) with its window's two: found.
    expect(findings.map((f) => [f.recordId, f.ruleId])).toEqual([['q2', 'length-mismatch'], ['q3', 'invalid-record']]);
    // logprob_start_len at the context's length: the continuation's first entry is SGLang's null, and the score sums the others.
    const late = writeJsonl([{ id: 'q4', score: -0.58203125 + -3.53125 + -2.84375, context_tokens: 1, response: real() }]);
    expect([...(await audit([late], { rules: defaultRuleSet })).findings].map((f) => [f.recordId, f.ruleId, f.messageId])).toEqual([['q4', 'invalid-logprob', 'nullSummed']]);
  });

  it('skips a reply requested without return_logprob; reads a batch list', async () => {
    const plain = { text: ' Paris.', meta_info: { id: 'p1', prompt_tokens: 5, completion_tokens: 2, finish_reason: { type: 'stop' } } };
    const file = writeJsonl([plain, [real(), { ...plain, meta_info: { ...plain.meta_info, id: 'p2' } }]]);
    const { format, items } = await readItems(file);
    expect(format).toBe('sglang');
    expect(items.map((i) => (i.kind === 'skipped' ? i.reason : i.kind === 'record' ? i.record.id : i.kind))).toEqual([NO_LOGPROBS, '26223ea355df4c0ab45e5af04505ed67', NO_LOGPROBS]);
  });
});
