/**
 * invalid-record: raised by ingest, not by a check. A row that cannot be read becomes one finding
 * at its line and the run goes on; a readable record with bad numbers is not this rule.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsOf, tempDir, writeJsonl } from '../helpers/rule-tester.js';
import { record, toy } from '../helpers/toy-model.js';
import { defaultRuleSet } from '../../rules/index.js';

const dir = tempDir();
const good = (id: string) => ({ ...record(toy(1, 3), 'values'), id });

function file(name: string, text: string): string {
  const p = join(dir(), name);
  writeFileSync(p, text);
  return p;
}

async function invalid(path: string) {
  return (await findingsOf([path])).filter((f) => f.ruleId === 'invalid-record').map((f) => ({ line: f.line, messageId: f.messageId, message: f.message, recordId: f.recordId }));
}

describe('invalid-record: metadata', () => {
  it('is in the catalogue as a record-scope error with its doc', () => {
    expect(defaultRuleSet.byId.get('invalid-record')?.meta).toMatchObject({ scopes: ['record'], defaultSeverity: 'error', docs: expect.stringMatching(/^https:\/\/.*\/blob\/main\/rules\/invalid-record\.md$/) });
  });
});

describe('invalid-record: valid', () => {
  it('well-formed records, whatever their numbers say', async () => {
    expect(await invalid(writeJsonl(dir(), [good('a'), good('b')]))).toEqual([]);
  });
  it('NaN and Infinity written by Python are read (and left to invalid-logprob)', async () => {
    const path = file('nan.jsonl', `${JSON.stringify(good('a'))}\n{"id": "b", "tokens": ["x"], "score": NaN}\n`);
    const findings = await findingsOf([path]);
    expect(findings.map((f) => [f.ruleId, f.line])).toEqual([['invalid-logprob', 2]]);
  });
  it('blank lines and unknown extra fields', async () => {
    const path = file('extra.jsonl', `${JSON.stringify({ ...good('a'), model: 'toy', temperature: 0 })}\n\n   \n${JSON.stringify(good('b'))}\n`);
    expect(await invalid(path)).toEqual([]);
  });
});

describe('invalid-record: invalid', () => {
  it('each unreadable row is one finding at its line; the records around it are audited', async () => {
    const lines = [
      JSON.stringify(good('a')),
      '{"id": "b", "score": -1.5,',
      '[1, 2, 3]',
      '{"id": "c", "tokens": ["x"]}',
      '{"id": "d", "score": -1.5, "score_kind": "logit"}',
      '{"id": "e", "logprobs": [-1, "x"]}',
      JSON.stringify(good('a')),
      JSON.stringify(good('f')),
    ];
    const found = await invalid(file('mixed.jsonl', lines.join('\n') + '\n'));
    expect(found.map((f) => f.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(found.map((f) => f.messageId)).toEqual(['unreadable', 'notObject', 'schema', 'schema', 'schema', 'duplicateId']);
    expect(found[0].message).toMatch(/^not valid JSON/);
    expect(found[1].message).toBe('expected a record object, found an array');
    expect(found[2].recordId).toBe('c');
    expect(found[2].message).toMatch(/^record has no evidence: it needs at least one of score, logprobs, logits/);
    expect(found[3].message).toMatch(/^score_kind must be one of logprob, mean_logprob, prob, nll, perplexity, got the string "logit"$/);
    expect(found[4].message).toMatch(/^logprobs\[1\] /);
    expect(found[5]).toMatchObject({ recordId: 'a', message: 'duplicate id "a" in this file' });
  });

  it('CSV: a row with the wrong number of cells, a score that is not a number', async () => {
    const path = file('rows.csv', 'id,score,logprobs\na,-1.5,"[-1.0,-0.5]"\nb,-2.0\nc,minus two,"[-2.0]"\n');
    const found = await invalid(path);
    expect(found.map((f) => [f.line, f.messageId, f.message])).toEqual([
      [3, 'unreadable', 'CSV row has 2 cells, the header has 3'],
      [4, 'unreadable', 'column score: not a number: "minus two"'],
    ]);
  });

  it('a file no adapter recognises: one finding naming the supported formats', async () => {
    const found = await invalid(file('predictions.jsonl', '{"question": "q", "prediction": "a"}\n{"question": "r", "prediction": "b"}\n'));
    expect(found).toHaveLength(1);
    expect(found[0].messageId).toBe('unsupportedFormat');
    expect(found[0].message).toMatch(/^unsupported input format: no adapter recognises this file\. Supported formats: .*canonical/);
  });

  it('an lm-eval samples row whose responses do not match its requests', async () => {
    const row = {
      doc_id: 7,
      doc: {},
      target: '0',
      arguments: { gen_args_0: { arg_0: 'Q:', arg_1: ' a' }, gen_args_1: { arg_0: 'Q:', arg_1: ' b' } },
      resps: [[['-1.5', 'False']]],
      filtered_resps: [['-1.5', 'False']],
      acc: 1,
    };
    const found = await invalid(writeJsonl(dir(), [row], 'samples_toy_2026-01-15T09-30-00.000000.jsonl'));
    expect(found).toEqual([{ line: 1, messageId: 'format', message: '2 requests in arguments but 1 responses', recordId: '7' }]);
  });

  it('a structurally inconsistent record, and an empty file', async () => {
    const structure = await invalid(writeJsonl(dir(), [{ id: 's', tokens: ['a', 'b'], token_ids: [1], score: -1 }]));
    expect(structure).toEqual([{ line: 1, messageId: 'structure', message: 'tokens has 2 entries, token_ids 1', recordId: 's' }]);
    expect(await invalid(file('empty.jsonl', ''))).toEqual([{ line: 1, messageId: 'emptyFile', message: 'the file holds no records', recordId: undefined }]);
  });
});
