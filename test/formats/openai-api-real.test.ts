/**
 * Real OpenAI-API replies (and OpenAI-compatible servers') whose shapes drew a false green or a
 * false error (provenance in test/fixtures/real/servers/README.md): each honest one must pass the
 * default gate with every row accounted for, and a number planted in it must still be found.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { copyFixtures } from './audit-files.js';
import { readItems, writeJsonl } from './read.js';
import { NO_TOKENS, PROMPT_FILTER_CHUNK, STREAM_CLOSE, WITHOUT_LOGPROBS } from '../../src/ingest/formats/wrapper.js';

const SERVERS = join(__dirname, '../fixtures/real/servers');
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
/** A copy of a real fixture, `edit` applied to each parsed line (JSONL) or to the document. */
function edited(name: string, edit: (v: any, line: number) => void): string {
  const dir = copyFixtures(SERVERS);
  scratch.push(dir);
  const file = join(dir, name);
  const text = readFileSync(file, 'utf8');
  if (name.endsWith('.jsonl')) {
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    lines.forEach((v, i) => edit(v, i + 1));
    writeFileSync(file, lines.map((v) => JSON.stringify(v)).join('\n') + '\n');
  } else {
    const v = JSON.parse(text);
    edit(v, 1);
    writeFileSync(file, JSON.stringify(v));
  }
  return file;
}
const run = async (file: string) => {
  const result = await audit([file], { rules: defaultRuleSet });
  const findings = [...result.findings].filter((f) => f.severity !== 'info');
  return { summary: result.summary, findings: findings.map((f) => [f.ruleId, f.messageId, f.recordId, f.recorded]) };
};

describe("a chat reply's refusal tokens (logprobs.refusal beside content: null)", () => {
  const REFUSAL = join(SERVERS, 'openai-gpt4o-stream-refusal-logprobs.jsonl');

  it("reads a real gpt-4o refusal stream's refusal log-probs as the reply's tokens: audited, no finding", async () => {
    const { format, items } = await readItems(REFUSAL);
    expect(format).toBe('openai-chat');
    const records = items.flatMap((i) => (i.kind === 'record' && i.record.tokens!.length > 0 ? [[i.record.tokens, i.record.reference_logprobs]] : []));
    expect(records).toHaveLength(11);
    expect(records[0]).toEqual([["I'm"], [-0.0012038043]]);
    expect(records[10]).toEqual([['.'], [-0.57687104]]);
    const { summary, findings } = await run(REFUSAL);
    expect(findings).toEqual([]);
    expect(summary.audited).toBeGreaterThanOrEqual(11);
  });

  it('finds a positive log-prob planted among the refusal tokens (it was skipped as "requested without logprobs")', async () => {
    const file = edited('openai-gpt4o-stream-refusal-logprobs.jsonl', (v, line) => {
      if (line === 3) v.choices[0].logprobs.refusal[0].logprob = 0.8438816;
    });
    expect((await run(file)).findings).toEqual([['invalid-logprob', 'serverValue', 'chatcmpl-ABfw5GEVqPbLY576l46FZDQoNJ2KC/0@3', 0.8438816]]);
  });

  it("reads a whole reply's refusal: message.refusal is its text; content: null with no refusal tokens is still a reply without log-probs", async () => {
    const file = edited('openai-gpt4o-stream-refusal-logprobs.jsonl', () => {});
    const entry = (token: string, logprob: number) => ({ token, logprob, bytes: [...Buffer.from(token)], top_logprobs: [] });
    const reply = (logprobs: object | null) => ({ id: 'r', object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: null, refusal: "I can't." }, logprobs }] });
    writeFileSync(file, [reply({ content: null, refusal: [entry('I', -0.1), entry(" can't", -0.2), entry('.', -0.3)] }), reply({ content: null, refusal: null }), reply(null)].map((r) => JSON.stringify(r)).join('\n'));
    const { items } = await readItems(file);
    expect(items.map((i) => (i.kind === 'record' ? [i.record.tokens, i.record.completion] : i.kind === 'skipped' ? i.reason : i.kind))).toEqual([
      [['I', " can't", '.'], "I can't."],
      'response without log-probs (requested without logprobs)',
      'response without log-probs (requested without logprobs)',
    ]);
  });
});

describe("Azure OpenAI's prompt-filter chunk (choices: [] beside prompt_filter_results)", () => {
  const AZURE = join(SERVERS, 'azure-gpt4o-stream-quarkus-nologprobs.jsonl');
  const OPENAI = join(SERVERS, 'openai-gpt4o-stream-content-logprobs.jsonl');

  it('skips the first chunk of a real Azure stream with its reason, not as an unreadable row', async () => {
    const { format, items } = await readItems(AZURE);
    expect(format).toBe('openai-chat');
    expect(items.map((i) => (i.kind === 'skipped' ? i.reason : i.kind))).toEqual([PROMPT_FILTER_CHUNK, ...Array(4).fill(WITHOUT_LOGPROBS), STREAM_CLOSE]);
    expect((await run(AZURE)).findings).toEqual([]);
  });

  it("an Azure-style log-prob stream (the filter chunk, then a real gpt-4o stream's chunks) audits clean; a planted value is still found", async () => {
    const filter = readFileSync(AZURE, 'utf8').split('\n')[0];
    const file = edited('openai-gpt4o-stream-content-logprobs.jsonl', () => {});
    writeFileSync(file, filter + '\n' + readFileSync(OPENAI, 'utf8'));
    const honest = await run(file);
    expect(honest.findings).toEqual([]);
    expect(honest.summary.invalid).toBe(0);
    const flipped = readFileSync(file, 'utf8').replace('"token":"!","logprob":-0.26638845', '"token":"!","logprob":0.26638845');
    writeFileSync(file, flipped);
    expect((await run(file)).findings).toEqual([['invalid-logprob', 'serverValue', 'chatcmpl-ABfw5EzoqmfXjnnsXY7Yd8OC6tb3c/0@4', 0.26638845]]);
  });

  it('a reply with choices: [] that is neither a usage nor a prompt-filter chunk is still unreadable', async () => {
    const file = edited('openai-gpt4o-stream-content-logprobs.jsonl', (v, line) => {
      if (line === 2) v.choices = [];
    });
    const { items } = await readItems(file);
    expect(items.filter((i) => i.kind === 'invalid').map((i) => i.kind === 'invalid' && [i.line, i.message])).toEqual([[2, 'response has no choices']]);
  });
});

describe('choices that list no token', () => {
  const NANO = join(SERVERS, 'openai-responses-gpt5nano-empty-text.json');

  it("skips a real Responses reply whose text part is empty (gpt-5-nano's, recorded by vercel/ai): an empty audit, not a pass", async () => {
    const { format, items } = await readItems(NANO);
    expect(format).toBe('openai-responses');
    expect(items.map((i) => (i.kind === 'skipped' ? i.reason : i.kind))).toEqual([NO_TOKENS]);
    const result = await run(NANO);
    expect(result.summary.audited).toBe(0);
  });

  it("skips a stream's first chunk (the role, content: []) and closing chunk with their reasons; a score beside no tokens is unreadable", async () => {
    const { items } = await readItems(join(SERVERS, 'openai-gpt4o-stream-content-logprobs.jsonl'));
    expect(items.map((i) => (i.kind === 'skipped' ? i.reason : i.kind))).toEqual([NO_TOKENS, 'record', 'record', STREAM_CLOSE, "a stream's usage chunk (no choices)"]);
    const reply = { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: '' }, logprobs: { content: [] }, finish_reason: 'stop' }] };
    const { items: scored } = await readItems(writeJsonl([{ id: 'w', score: -1.5, response: reply }]));
    expect(scored.map((i) => i.kind)).toEqual(['invalid']);
  });
});
