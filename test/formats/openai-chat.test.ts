import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditRows, rescored } from './audit-rows.js';
import { fixture, readRecords, sum } from './read.js';

describe('openai chat', () => {
  it('reads the API reference example (logprobs, top_logprobs: 2) as a clean reference-only record', async () => {
    const [r] = await readRecords(fixture('openai-chat/api-reference-example.json'));
    expect(r.id).toBe('chatcmpl-123/0');
    expect(r.tokens).toEqual(['Hello', '!', ' How', ' can', ' I', ' assist', ' you', ' today', '?']);
    expect(r.logprobs).toEqual([-0.31725305, -0.02380986, -0.000054669687, -0.015801601, -3.7697225e-6, -0.04571125, -5.4385737e-6, -0.0040071653, -0.0008108172]);
    expect(r.reference_logprobs).toEqual(r.logprobs);
    expect(r.top_logprobs![2]).toEqual([
      { token: ' How', logprob: -0.000054669687 },
      { token: '<|end|>', logprob: -10.953937 }, // bytes: null in the API
    ]);
    expect(r.sentinel).toBe(-9999);
    expect(r.completion).toBe('Hello! How can I assist you today?');
    expect(r.score).toBeUndefined();
    // What "audits clean" rests on: each token is its own step's best entry, and no step's
    // listed mass exceeds 1.
    r.top_logprobs!.forEach((step, i) => {
      const list = step!;
      expect(list[0]).toEqual({ token: r.tokens![i], logprob: r.logprobs![i] });
      expect(list.reduce((a, e) => a + Math.exp(e.logprob), 0)).toBeLessThanOrEqual(1);
    });
  });

  it('keeps -9999.0 in the recorded values but not in the reference, and copies the wrapper', async () => {
    const [withSentinel, clean] = await readRecords(fixture('openai-chat/responses.jsonl'));
    expect(withSentinel).toMatchObject({
      id: 'chat-1',
      tokens: ['Yes', ' indeed', '.'],
      logprobs: [-0.2514, -9999, -0.7468],
      reference_logprobs: [-0.2514, null, -0.7468],
      sentinel: -9999,
      score: -0.2514 + -9999 + -0.7468,
      score_kind: 'logprob',
      prompt: 'Is water wet?',
      completion: 'Yes indeed.',
    });
    // the score is the recorded values summed with the sentinel: evidence the rules can use
    expect(sum(withSentinel.logprobs!)).toBe(withSentinel.score);
    expect(clean.score).toBe(sum(clean.reference_logprobs!));
  });
});

describe('a chat reply that stopped on EOS, which vLLM lists past message.content', () => {
  const file = fixture('openai-chat/vllm-eos.jsonl');

  it('keeps the EOS token out of the continuation, as trailing', async () => {
    const [r] = await readRecords(file);
    expect(r).toMatchObject({ tokens: ['Yes', '.'], reference_logprobs: [-0.2514, -0.7468], trailing_logprobs: [-0.0193], completion: 'Yes.' });
  });

  it('a correct score of the reply gives no finding; one that summed the EOS token is found', async () => {
    const row = JSON.parse(readFileSync(file, 'utf8'));
    expect((await auditRows([row])).findings).toEqual([]);
    const { rules } = await auditRows([rescored(row, 'with-eos', -0.2514 + -0.7468 + -0.0193)]);
    expect(rules.get('with-eos')).toEqual(['length-mismatch']);
  });
});
