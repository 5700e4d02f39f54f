import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_OUTPUT_TEXT } from '../../src/ingest/formats/openai-responses.js';
import { WITHOUT_LOGPROBS } from '../../src/ingest/formats/wrapper.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { readItems, writeJsonl } from './read.js';

const REAL = join(__dirname, '../fixtures/real/servers/openai-responses-pydantic-ai.json');
const entry = (token: string, logprob: number, top: [string, number][] = []) => ({
  token,
  bytes: [...Buffer.from(token)],
  logprob,
  top_logprobs: top.map(([t, l]) => ({ token: t, bytes: [...Buffer.from(t)], logprob: l })),
});
const message = (parts: object[]) => ({ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: parts });
const text = (t: string, logprobs: object[] | undefined) => ({ type: 'output_text', text: t, annotations: [], ...(logprobs ? { logprobs } : {}) });
const response = (output: object[]) => ({ id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-4o-mini', output });


describe('OpenAI Responses API', () => {
  it("reads a real reply's output_text log-probs as the continuation (pydantic-ai's recorded gpt-4o-mini call): no finding", async () => {
    const { format, items } = await readItems(REAL);
    expect(format).toBe('openai-responses');
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item.kind).toBe('record');
    if (item.kind !== 'record') return;
    expect(item.record).toMatchObject({
      id: 'resp_03c6f7a0e7df74a9006924b11a6120819395892ac2d8143b03/0',
      completion: 'The capital of Minas Gerais is Belo Horizonte.',
      tokens: ['The', ' capital', ' of', ' Minas', ' Gerais', ' is', ' Belo', ' Horizonte', '.'],
      reference_logprobs: [-0, 0, 0, -0, -0, -5.2e-5, -4.3e-5, -2e-6, -0],
    });
    const result = await audit([REAL], { rules: defaultRuleSet });
    expect([...result.findings]).toEqual([]);
    expect(result.summary.audited).toBe(1);
  });

  it('checks a wrapper\'s score against its first output_text part, and reads the prompt from the request', async () => {
    const reply = response([{ type: 'reasoning', id: 'rs_1', summary: [] }, message([text(' Paris', [entry(' Paris', -0.25, [[' Paris', -0.25], [' Lyon', -2.5]])])])]);
    const file = writeJsonl([
      { id: 'q1', score: -0.25, request: { model: 'gpt-4o-mini', input: 'The capital of France is' }, response: reply },
      { id: 'q2', score: -2.5, request: { model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: 'The capital of France is' }] }] }, response: reply },
    ]);
    const { items } = await readItems(file);
    expect(items.map((i) => i.kind === 'record' && [i.record.id, i.record.prompt, i.record.score])).toEqual([
      ['q1', 'The capital of France is', -0.25],
      ['q2', 'The capital of France is', -2.5],
    ]);
    const result = await audit([file], { rules: defaultRuleSet });
    expect([...result.findings].map((f) => [f.recordId, f.severity])).toEqual([['q2', 'error']]);
  });

  it('skips a reply requested without log-probs and one with no output text; several parts are several records', async () => {
    const file = writeJsonl([
      response([message([text(' Paris', [])])]),
      response([message([text(' Paris', undefined)])]),
      { ...response([{ type: 'function_call', id: 'fc_1', name: 'f', arguments: '{}' }]), id: 'resp_2' },
      { ...response([message([text(' a', [entry(' a', -0.5)]), text(' b', [entry(' b', -1.5)])])]), id: 'resp_3' },
    ]);
    const { format, items } = await readItems(file);
    expect(format).toBe('openai-responses');
    expect(items.map((i) => (i.kind === 'skipped' ? i.reason : i.kind === 'record' ? i.record.id : i.kind))).toEqual([WITHOUT_LOGPROBS, WITHOUT_LOGPROBS, NO_OUTPUT_TEXT, 'resp_3/0', 'resp_3/1']);
    // A malformed entry is named in the Responses API's own terms.
    const bad = await readItems(writeJsonl([response([message([text(' a', [{ token: ' a' }])])])]));
    expect(bad.items.map((i) => i.kind === 'invalid' && i.message)).toEqual(['output_text part 0: logprobs[0] is not {token, logprob}: {"token":" a"}']);
  });
});

describe('a Responses API stream, one event a line', () => {
  const STREAM = join(__dirname, '../fixtures/real/servers/lmstudio-responses-stream.jsonl');

  it("reads a real stream's response.completed event as the reply and skips the other events with their type (LM Studio's, recorded by vercel/ai)", async () => {
    const { format, items } = await readItems(STREAM);
    expect(format).toBe('openai-responses');
    const records = items.filter((i) => i.kind === 'record');
    expect(records).toHaveLength(1);
    expect(items.filter((i) => i.kind === 'invalid')).toEqual([]);
    if (records[0].kind === 'record') expect(records[0].record).toMatchObject({ id: 'resp_cc7bfe18e2f2eca93006515c0fd19cfed16e46a93a60444a/0', completion: "I'll get the current weather information for San Francisco for you." });
    expect(new Set(items.flatMap((i) => (i.kind === 'skipped' ? [i.reason.replace(/\(response\.[a-z_.]+\)/, '(…)')] : [])))).toEqual(
      new Set(["a Responses stream's text delta: its tokens are read from the stream's closing response.completed event (a stream without one is not audited)", 'a Responses stream event without tokens (…)']),
    );
    expect([...(await audit([STREAM], { rules: defaultRuleSet })).findings]).toEqual([]);
  });

  it('knows the events of a stream recorded before sequence_number was added', async () => {
    const lines = readFileSync(STREAM, 'utf8').trim().split('\n').map((l) => {
      const { sequence_number: _n, ...event } = JSON.parse(l) as Record<string, unknown>;
      return event;
    });
    const { format, items } = await readItems(writeJsonl(lines));
    expect(format).toBe('openai-responses');
    expect(items.filter((i) => i.kind === 'invalid')).toEqual([]);
    expect(items.filter((i) => i.kind === 'record')).toHaveLength(1);
  });

  it('finds a bad log-prob in the completed reply', async () => {
    const lines = readFileSync(STREAM, 'utf8').trim().split('\n');
    const last = lines.length - 1;
    lines[last] = lines[last].replace('"token":" current","logprob":-0.25', '"token":" current","logprob":0.25');
    const file = writeJsonl(lines.map((l) => JSON.parse(l) as unknown));
    const found = [...(await audit([file], { rules: defaultRuleSet })).findings];
    expect(found.map((f) => [f.ruleId, f.line])).toEqual([['invalid-logprob', last + 1]]);
  });
});
