import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WITHOUT_LOGPROBS } from '../../src/ingest/formats/wrapper.js';
import { NO_CANDIDATES } from '../../src/ingest/formats/gemini.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { readItems, writeJsonl } from './read.js';

const REAL = join(__dirname, '../fixtures/real/servers/gemini-litellm-test-logprobs.json');
const cand = (token: string, logProbability?: number, tokenId?: number) => ({ token, ...(logProbability === undefined ? {} : { logProbability }), ...(tokenId === undefined ? {} : { tokenId }) });
const reply = (logprobsResult: object | undefined, text = ' Paris') => ({
  responseId: 'r1',
  modelVersion: 'gemini-2.0-flash',
  candidates: [{ index: 0, content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', ...(logprobsResult ? { logprobsResult } : {}) }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 1 },
});


describe('Gemini generateContent', () => {
  it("reads a real reply's chosen candidates as the server's log-probs (LiteLLM's recorded gemini-1.5-flash call): no finding", async () => {
    const { format, items } = await readItems(REAL);
    expect(format).toBe('gemini');
    expect(items).toHaveLength(1);
    const [item] = items;
    if (item.kind !== 'record') throw new Error(item.kind);
    expect(item.record.tokens).toHaveLength(50);
    expect(item.record.reference_logprobs!.slice(0, 4)).toEqual([-1.08472495e-5, -0.00012611414, 0, 0]);
    expect(item.record.completion).toMatch(/^I do not have access to real-time information/);
    expect([...(await audit([REAL], { rules: defaultRuleSet })).findings]).toEqual([]);
  });

  it('reads top candidates without the -2^100 stand-in, an absent logProbability as 0, and ids', async () => {
    const file = writeJsonl([
      reply({
        chosenCandidates: [cand(' Paris', -0.25, 6342), cand('.', undefined, 13)],
        topCandidates: [
          { candidates: [cand(' Paris', -0.25, 6342), cand(' Lyon', -1.75, 9001)] },
          { candidates: [cand('.', undefined, 13), cand('!', -1.2676506e30, 0)] },
        ],
      }),
    ]);
    const { items } = await readItems(file);
    const [item] = items;
    if (item.kind !== 'record') throw new Error(item.kind);
    expect(item.record).toMatchObject({
      id: 'r1/0',
      tokens: [' Paris', '.'],
      token_ids: [6342, 13],
      reference_logprobs: [-0.25, 0],
      top_logprobs: [
        [{ token: ' Paris', logprob: -0.25, id: 6342 }, { token: ' Lyon', logprob: -1.75, id: 9001 }],
        [{ token: '.', logprob: 0, id: 13 }],
      ],
    });
    expect([...(await audit([file], { rules: defaultRuleSet })).findings]).toEqual([]);
  });

  it("checks a wrapper's score; skips a reply requested without log-probs, and refuses a score beside one", async () => {
    const good = reply({ chosenCandidates: [cand(' Paris', -0.25)] });
    const file = writeJsonl([
      { id: 'q1', score: -0.25, request: { contents: [{ role: 'user', parts: [{ text: 'The capital of France is' }] }] }, response: good },
      { id: 'q2', score: -2.25, response: good },
      { id: 'q3', response: reply(undefined) },
      { id: 'q4', score: -1, response: reply(undefined) },
    ]);
    // A blocked prompt's response (promptFeedback, no candidates) is skipped, not unreadable.
    const blockedFile = writeJsonl([{ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 }, modelVersion: 'gemini-2.0-flash' }]);
    const read = await readItems(blockedFile);
    expect([read.format, read.items.map((i) => i.kind === 'skipped' && i.reason)]).toEqual(['gemini', [NO_CANDIDATES]]);
    const { format, items } = await readItems(file);
    expect(format).toBe('gemini');
    expect(items.map((i) => [i.kind, i.kind === 'record' ? i.record.prompt ?? null : i.kind === 'skipped' ? i.reason : i.kind === 'invalid' ? i.message : null])).toEqual([
      ['record', 'The capital of France is'],
      ['record', null],
      ['skipped', WITHOUT_LOGPROBS],
      ['invalid', `a score beside ${WITHOUT_LOGPROBS}`],
    ]);
    const result = await audit([file], { rules: defaultRuleSet });
    expect([...result.findings].map((f) => [f.recordId, f.ruleId])).toEqual([['q2', 'score-mismatch'], ['q4', 'invalid-record']]);
  });
});
