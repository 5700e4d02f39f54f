import { describe, expect, it } from 'vitest';
import { fixture, readRecords, sum } from './read.js';

describe('vllm RequestOutput', () => {
  it('reads the continuation from prompt_logprobs after context_tokens, by the actual token id', async () => {
    const [r] = await readRecords(fixture('vllm/request_outputs.jsonl'));
    expect(r).toMatchObject({
      id: 'q7-c1',
      group: 'q7',
      gold: true,
      selected: false,
      score: -0.7516 + -0.4873 + -3.5127,
      score_kind: 'logprob',
      token_ids: [319, 262, 2603],
      tokens: [' on', ' the', ' mat'],
      reference_logprobs: [-0.7516, -0.4873, -3.5127],
      context_logprobs: [null, -9.2604, -2.9872],
      trailing_logprobs: [-0.6183],
      completion: ' on the mat',
    });
    expect(sum(r.reference_logprobs!)).toBe(r.score);
  });

  it('lists each step by rank and stops at a gap in the ranks', async () => {
    const [r] = await readRecords(fixture('vllm/request_outputs.jsonl'));
    // " mat" ranks 3 with prompt_logprobs=2: ranks 1, 2, 3 are all known, so all three stay
    expect(r.top_logprobs![2]).toEqual([
      { token: ' floor', logprob: -2.2418, id: 4314 },
      { token: ' bed', logprob: -2.8793, id: 2187 },
      { token: ' mat', logprob: -3.5127, id: 2603 },
    ]);
    const [bare] = await readRecords(fixture('vllm/bare-request-output.json'));
    // " cat" ranks 117: listing it after rank 2 would hide ranks 3..116
    expect(bare.top_logprobs![0]!.map((e) => e.id)).toEqual([318, 373]);
  });

  it('locates the context by its text when the wrapper gives no context_tokens', async () => {
    const [, r] = await readRecords(fixture('vllm/request_outputs.jsonl'));
    expect(r.id).toBe('q7-c1-text');
    expect(r.token_ids).toEqual([319, 262, 2603]);
    expect(r.prompt).toBe('The cat sat');
  });

  it('reads a bare RequestOutput as reference only: the prompt after its first token', async () => {
    const [r] = await readRecords(fixture('vllm/bare-request-output.json'));
    expect(r.id).toBe('cmpl-7');
    expect(r.score).toBeUndefined();
    expect(r.token_ids).toEqual([3797, 3332, 319, 262, 2603]);
    expect(r.reference_logprobs).toEqual([-9.2604, -2.9872, -0.7516, -0.4873, -3.5127]);
    expect(r.context_logprobs).toEqual([null]);
  });
});
