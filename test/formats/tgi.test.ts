import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tgiAdapter } from '../../src/ingest/formats/tgi.js';
import { buildReference } from '../../src/reference/sequence.js';
import { auditRows, rescored } from './audit-rows.js';
import { convertRow, fixture, jsonlRows, readItems, readRecords, sum } from './read.js';

const FILE = fixture('tgi/generate.jsonl');
const rows = (): Record<string, unknown>[] => jsonlRows('tgi/generate.jsonl');
const snapshot = (name: string): Record<string, unknown> => JSON.parse(readFileSync(fixture(`tgi/${name}`), 'utf8'));

const convert = (value: unknown) => convertRow(tgiAdapter, value, 4);

describe('tgi: detection and translation', () => {
  it.each(['test_bloom_560m.json', 'test_bloom_560m_all_params.json', 'generate.jsonl'])('%s is read as tgi', async (name) => {
    expect((await readItems(fixture(`tgi/${name}`))).format).toBe('tgi');
  });

  it('scores a continuation of the prompt from details.prefill when the wrapper gives the boundary', async () => {
    const [r] = await readRecords(FILE);
    expect(r).toMatchObject({
      id: 'p-c1',
      token_ids: [319, 262, 2603],
      tokens: [' on', ' the', ' mat'],
      reference_logprobs: [-0.7516, -0.4873, -3.5127],
      context_logprobs: [null, -9.2604, -2.9872],
      trailing_logprobs: [-0.6183],
    });
    expect(r.distribution).toBeUndefined();
    expect(r.score).toBeCloseTo(sum(r.reference_logprobs!), 12);
  });

  it('locates a context text past a BOS token, in a response the `/` route wrapped in a list', async () => {
    const r = (await readRecords(FILE))[1];
    expect(r).toMatchObject({ id: 'p-c1-text', token_ids: [319, 262, 2603], context_logprobs: [null, -3.1185, -9.2604, -2.9872], prompt: 'The cat sat', completion: ' on the mat' });
  });

  it('reads the generated tokens with their top_tokens, the EOS token TGI lists but does not render trailing', async () => {
    const r = (await readRecords(FILE))[2];
    expect(r).toMatchObject({ id: 'g-1', tokens: [' a', ' dog', '.'], token_ids: [257, 2415, 13], reference_logprobs: [-1.2561, -2.1044, -0.3309], trailing_logprobs: [-0.0871], completion: ' a dog.' });
    expect(r.top_logprobs![1]).toEqual([
      { token: ' cat', logprob: -1.0217, id: 3290 },
      { token: ' dog', logprob: -2.1044, id: 2415 },
    ]);
  });

  it('marks generated log-probs under sampling parameters as processed: recorded values, no model reference', async () => {
    const r = (await readRecords(FILE))[3];
    expect(r).toMatchObject({ id: 'g-2', logprobs: [-0.1297, -0.5518, -0.0402], distribution: 'processed', processing: 'TGI logits processors: temperature 0.7, top_k 50' });
    expect(r.reference_logprobs).toBeUndefined();
    const ref = buildReference(r);
    expect([ref.level, ref.distribution]).toEqual(['values', 'processed']);
  });

  it('reads the upstream snapshots: the prefill is the context, sampled tokens (seed set, no request saved) processed', async () => {
    const [r] = await readRecords(fixture('tgi/test_bloom_560m.json'));
    expect(r.tokens).toHaveLength(10);
    expect(r.context_logprobs).toHaveLength(11);
    expect(r.context_logprobs![0]).toBeNull();
    expect(r).toMatchObject({ distribution: 'processed', completion: ' le faire fondre à la casserole avec' });
    const [all] = await readRecords(fixture('tgi/test_bloom_560m_all_params.json'));
    expect(all.context_logprobs).toHaveLength(5); // truncate: 5
  });

  it('skips a response requested without details, with its reason', async () => {
    const { items } = await readItems(FILE);
    expect(items[4]).toMatchObject({ kind: 'skipped', line: 5, recordId: 'g-3', reason: 'response without log-probs' });
  });

  it.each([
    ['a prefill log-prob that is not a number', (r: Record<string, unknown>) => ((r.response as { details: { prefill: { logprob: unknown }[] } }).details.prefill[3].logprob = 'x'), /^tgi: details\.prefill\[3\]\.logprob is not a number: "x"$/],
    ['a token without an id', (r: Record<string, unknown>) => delete (r.response as { details: { tokens: { id?: unknown }[] } }).details.tokens[0].id, /^tgi: details\.tokens\[0\]\.id is missing$/],
    ['a boundary with an empty prefill', (r: Record<string, unknown>) => ((r.response as { details: { prefill: unknown[] } }).details.prefill = []), /^tgi: details\.prefill is empty \(the request was made without decoder_input_details\)/],
    [
      'a context text the token texts do not spell (SentencePiece tokens decoded one by one lose their space)',
      (r: Record<string, unknown>) => {
        delete r.context_tokens;
        r.context = 'The cat sat';
        for (const t of (r.response as { details: { prefill: { text: string }[] } }).details.prefill) t.text = t.text.trimStart();
      },
      /^tgi: cannot locate the context text in details\.prefill/,
    ],
  ])('%s is reported, naming the format', (_what, mutate, message) => {
    const row = structuredClone(rows()[0]);
    mutate(row);
    const items = convert(row);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'invalid', line: 4, recordId: 'p-c1', message: expect.stringMatching(message) });
  });
});

describe('tgi: audits', () => {
  it('clean files give no finding; the upstream snapshots, float16 values in their shortest float32 repr, one low-precision warning naming the grid', async () => {
    expect((await auditRows(rows())).findings).toEqual([]);
    const snapshots = (await auditRows([snapshot('test_bloom_560m.json'), snapshot('test_bloom_560m_all_params.json')])).findings;
    expect(snapshots.map((f) => [f.ruleId, f.severity, (f.evidence?.grid as { format?: string } | null)?.format, f.evidence?.halfPrecisionRecords])).toEqual([['low-precision', 'warning', 'float16', 0]]);
  });

  const [prefill, , generated, sampled] = rows();
  const total = -0.7516 + -0.4873 + -3.5127;
  const gen = -1.2561 + -2.1044 + -0.3309;
  const processed = -0.1297 + -0.5518 + -0.0402;
  it.each([
    ['product of probabilities', rescored(prefill, 'product', Math.exp(total)), 'probability-product'],
    ['mean per token declared a total', rescored(prefill, 'mean', total / 3), 'normalization-mismatch'],
    ['the last context token scored too', rescored(prefill, 'ctx', total + -2.9872), 'length-mismatch'],
    ['the generated token scored too', rescored(prefill, 'gen', total + -0.6183), 'length-mismatch'],
    ['the EOS token summed into a score of the text', rescored(generated, 'eos', gen + -0.0871), 'length-mismatch'],
    ['the favourite of each step gathered', rescored(generated, 'top1', -0.4873 + -1.0217 + -0.3309), 'high-confidence-wrong-token'],
    ['processed values multiplied', rescored(sampled, 'processed-product', Math.exp(processed)), 'probability-product'],
    ['processed values averaged', rescored(sampled, 'processed-mean', processed / 3), 'normalization-mismatch'],
  ])('%s is found', async (_what, row, rule) => {
    const { rules } = await auditRows([row]);
    expect(rules.get(String(row.id))).toEqual([rule]);
  });

  it('a null (a prompt token TGI took from its prefix cache) summed as 0 is found', async () => {
    const row = rescored(prefill, 'null', -0.7516 + -3.5127);
    (row.response as { details: { prefill: { logprob: number | null }[] } }).details.prefill[4].logprob = null;
    const { rules } = await auditRows([row]);
    expect(rules.get('null')).toEqual(['invalid-logprob']);
  });
});
