import { describe, expect, it } from 'vitest';
import { WITHOUT_LOGPROBS } from '../../src/ingest/formats/wrapper.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { readItems, writeJsonl } from './read.js';
import { STREAM_END } from '../../src/ingest/formats/ollama.js';

// The shapes of ollama/ollama api/types.go (v0.12.11+): GenerateResponse / ChatResponse with
// `logprobs []Logprob`, Logprob = {token, logprob, bytes, top_logprobs (omitted when empty)}.
const lp = (token: string, logprob: number, top?: [string, number][]) => ({ token, logprob, bytes: [...Buffer.from(token)], ...(top ? { top_logprobs: top.map(([t, l]) => ({ token: t, logprob: l })) } : {}) });
const generate = (response: string, logprobs?: object[], done = true) => ({ model: 'gemma3', created_at: '2025-11-20T10:00:00Z', response, done, ...(done ? { done_reason: 'stop', eval_count: 3 } : {}), ...(logprobs ? { logprobs } : {}) });
const chat = (content: string, logprobs?: object[]) => ({ model: 'gemma3', created_at: '2025-11-20T10:00:00Z', message: { role: 'assistant', content }, done: true, done_reason: 'stop', ...(logprobs ? { logprobs } : {}) });


describe('Ollama /api/generate and /api/chat', () => {
  it('reads generate and chat replies, and a stream chunk, as the server log-probs of their tokens', async () => {
    const file = writeJsonl([
      generate('Hello there', [lp('Hello', -0.25, [['Hello', -0.25], ['Hi', -1.75]]), lp(' there', -0.5, [[' there', -0.5], ['!', -1.25]])]),
      chat('Hi', [lp('Hi', -0.125)]),
      generate(' a', [lp(' a', -0.1, [[' a', -0.1]])], false),
      generate('Hey'),
      { ...generate(''), eval_count: 3 },
    ]);
    const { format, items } = await readItems(file);
    expect(format).toBe('ollama');
    expect(items.map((i) => (i.kind === 'record' ? [i.record.id, i.record.tokens, i.record.reference_logprobs, i.record.completion] : [i.kind, i.kind === 'skipped' ? i.reason : '']))).toEqual([
      ['line-1', ['Hello', ' there'], [-0.25, -0.5], 'Hello there'],
      ['line-2', ['Hi'], [-0.125], 'Hi'],
      ['line-3', [' a'], [-0.1], ' a'],
      ['skipped', WITHOUT_LOGPROBS],
      ['skipped', STREAM_END],
    ]);
    const first = items[0];
    if (first.kind !== 'record') throw new Error(first.kind);
    expect(first.record.top_logprobs![0]).toEqual([{ token: 'Hello', logprob: -0.25 }, { token: 'Hi', logprob: -1.75 }]);
    expect([...(await audit([file], { rules: defaultRuleSet })).findings]).toEqual([]);
  });

  it("checks a wrapper's score, with its request's prompt, and finds a value its own list contradicts", async () => {
    const reply = generate(' Paris', [lp(' Paris', -0.25, [[' Paris', -0.25], [' Lyon', -2]])]);
    const file = writeJsonl([
      { id: 'q1', score: -0.25, request: { model: 'gemma3', prompt: 'The capital of France is' }, response: reply },
      { id: 'q2', score: -2.25, request: { model: 'gemma3', messages: [{ role: 'user', content: 'Capital of France?' }] }, response: reply },
      { id: 'q3', response: generate(' Paris', [lp(' Paris', -3.5, [[' Paris', -0.25]])]) },
    ]);
    const { items } = await readItems(file);
    expect(items.map((i) => (i.kind === 'record' ? i.record.prompt ?? null : i.kind))).toEqual(['The capital of France is', 'Capital of France?', null]);
    const findings = [...(await audit([file], { rules: defaultRuleSet })).findings];
    expect(findings.map((f) => [f.recordId, f.ruleId])).toEqual([['q2', 'score-mismatch'], ['q3', 'invalid-logprob']]);
  });
});
