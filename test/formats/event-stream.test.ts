/** Captured server-sent event streams (`data: {…}` lines) read as the JSONL of their events' data. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit, type AuditOptions } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { defaultWorkerModule } from '../../src/parallel/worker-module.js';
import { readFileItems } from '../../src/ingest/index.js';
import { readItems, writeJsonl } from './read.js';

const CAPTURE = join(__dirname, '../fixtures/real/servers/openai-gpt4o-stream-sse.txt');
const text = readFileSync(CAPTURE, 'utf8');
const write = (content: string, name = 'stream.txt') => {
  const file = writeJsonl([], name);
  writeFileSync(file, content);
  return file;
};
/** The capture's events' data, one JSON line each (what a JSONL capture of the same stream holds). */
const dataLines = text.split('\n').filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]').map((l) => l.slice('data: '.length));

describe('captured event streams', () => {
  it("reads a real capture (openai-python's recorded gpt-4o stream) as its JSON lines read as JSONL, at the lines of their data fields", async () => {
    const stream = await readItems(CAPTURE);
    const jsonl = await readItems(writeJsonl(dataLines.map((l) => JSON.parse(l) as unknown)));
    expect(stream.format).toBe('openai-chat');
    expect(stream.items.length).toBe(dataLines.length);
    // The same items but for their lines: event k's data is line 2k + 1 of the capture.
    // A stream chunk's id ends in @<line>: JSON text aside, items are alike.
    const lineless = (items: typeof stream.items) => JSON.parse(JSON.stringify(items).replace(/@\d+"/g, '"').replace(/"(file|line)":("[^"]*"|\d+)/g, '"$1":0')) as unknown;
    expect(lineless(stream.items)).toEqual(lineless(jsonl.items));
    expect(stream.items.map((i) => i.line)).toEqual(dataLines.map((_, k) => 2 * k + 1));
    const result = await audit([CAPTURE], { rules: defaultRuleSet });
    expect([...result.findings]).toEqual([]);
    expect(result.summary.audited).toBeGreaterThan(0);
  });

  it('reads a capture saved as .json as an event stream too (no JSON document opens with a field)', async () => {
    const { format, items } = await readItems(write(text, 'stream.json'));
    expect(format).toBe('openai-chat');
    expect(items.filter((i) => i.kind === 'invalid')).toEqual([]);
  });

  it('finds a bad log-prob in a capture at its data line', async () => {
    const file = write(text.replace('"logprob":-0.26638845', '"logprob":0.26638845'));
    const found = [...(await audit([file], { rules: defaultRuleSet })).findings];
    expect(found.map((f) => [f.ruleId, f.line])).toEqual([['invalid-logprob', 5]]);
  });

  it('follows the event-stream format: comments, event and id fields, data over several lines, CRLF, [DONE], an event cut short at the end', async () => {
    const reply = (id: string, logprob: number) => JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'A' }, logprobs: { content: [{ token: 'A', logprob, bytes: [65], top_logprobs: [] }] }, finish_reason: null }] });
    const two = reply('b', -0.5);
    const content = [': keep-alive', '', 'event: message', 'id: 1', `data: ${reply('a', -0.25)}`, '', `data:${two.slice(0, two.indexOf(',"choices"'))}`, `data:${two.slice(two.indexOf(',"choices"'))}`, '', 'retry: 1000', 'data: [DONE]', '', `data: ${reply('c', -1)}`].join('\r\n');
    const { format, items } = await readItems(write(content));
    expect(format).toBe('openai-chat');
    // Two data lines of one event are joined by a line break (JSON allows it between tokens, not inside a string: cut outside one).
    expect(items.map((i) => [i.kind, i.line])).toEqual([['record', 5], ['record', 7], ['record', 13]]);
  });

  it('is read whole by one thread, as one thread reads it (its lines are no JSONL rows)', async () => {
    const lines: string[] = [];
    for (let k = 0; k < 4000; k++) lines.push(`data: ${JSON.stringify({ id: `r${k}`, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'A' }, logprobs: { content: [{ token: 'A', logprob: -0.5, bytes: [65], top_logprobs: [{ token: 'A', logprob: -0.5, bytes: [65] }, { token: 'B', logprob: -1.5, bytes: [66] }] }] }, finish_reason: null }] })}`, '');
    const file = write(lines.join('\n'), 'big-stream.txt');
    expect((await readFileItems(file)).eventStream).toBe(true);
    const threads = (jobs: number): AuditOptions => ({ rules: defaultRuleSet, jobs, workerModule: defaultWorkerModule(), parallel: { rangeBytes: 64 * 1024, minBytes: 0, minLineBytes: 0 } });
    const [one, two] = [await audit([file], threads(1)), await audit([file], threads(2))];
    expect(one.summary.audited).toBe(4000);
    expect(two.summary).toEqual(one.summary);
    expect([...two.findings]).toEqual([...one.findings]);
  });
});
