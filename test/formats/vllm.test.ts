import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_OUTPUT_LOGPROBS } from '../../src/ingest/formats/vllm.js';
import { fixture, readItems, readRecords, sum } from './read.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';

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

  it('reads a bare generation without prompt_logprobs by its output: the generated tokens are the continuation', async () => {
    const [r] = await readRecords(fixture('vllm/generation-output.json'));
    expect(r).toMatchObject({
      id: 'gen-3',
      prompt: 'The cat sat on the',
      completion: ' mat.',
      tokens: [' mat', '.'],
      token_ids: [2603, 13],
      reference_logprobs: [-0.9017, -0.5395],
    });
    expect(r.top_logprobs![0]!.map((e) => e.id)).toEqual([2603, 4314]);
    expect(r.context_logprobs).toBeUndefined();
    expect(r.score).toBeUndefined();
  });

  it('skips a generation requested without log-probs, and says which output field is malformed', async () => {
    const file = join(tmpdir(), `vllm-gen-${process.pid}.jsonl`);
    const base = { request_id: 'g', prompt: 'x', prompt_token_ids: [1], prompt_logprobs: null };
    writeFileSync(file, [
      { ...base, outputs: [{ index: 0, text: ' y', token_ids: [2], logprobs: null }] },
      { ...base, request_id: 'h', outputs: [{ index: 0, text: ' y', token_ids: [2, 3], logprobs: [{ 2: { logprob: -0.5, rank: 1 } }] }] },
    ].map((v) => JSON.stringify(v)).join('\n'));
    const { format, items } = await readItems(file);
    expect(format).toBe('vllm');
    expect(items.map((i) => [i.kind, i.kind === 'skipped' ? i.reason : i.kind === 'invalid' ? i.message : ''])).toEqual([
      ['skipped', NO_OUTPUT_LOGPROBS],
      ['invalid', expect.stringMatching(/outputs\[0\]\.logprobs must hold one entry per generated token \(2\)/)],
    ]);
  });

  it("finds vLLM V0's speculative-decoding dummies (logprob 0.0 at rank -1, no ranked entry) after a step that was scored", async () => {
    const dummy = (id: number, text: string) => ({ [id]: { logprob: 0.0, rank: -1, decoded_token: text } });
    const out = {
      request_id: 'spec-1',
      prompt: 'The cat sat on the',
      prompt_token_ids: [464, 3797],
      prompt_logprobs: null,
      outputs: [{ index: 0, text: ' mat.', token_ids: [2603, 13], logprobs: [{ 2603: { logprob: -0.9017, rank: 1, decoded_token: ' mat' }, 4314: { logprob: -1.2392, rank: 2, decoded_token: ' floor' } }, dummy(13, '.')], finish_reason: 'length' }],
    };
    const file = join(tmpdir(), `vllm-spec-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(out));
    const [r] = await readRecords(file);
    expect(r.top_logprobs![1]).toEqual([]);
    const result = await audit([file], { rules: defaultRuleSet });
    expect([...result.findings].map((f) => [f.ruleId, f.messageId, f.recordId])).toEqual([['invalid-logprob', 'placeholder', 'spec-1']]);
  });
});
