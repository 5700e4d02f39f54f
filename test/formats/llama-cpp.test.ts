import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LLAMA_LOG_ZERO, llamaCppAdapter } from '../../src/ingest/formats/llama-cpp.js';
import { buildReference } from '../../src/reference/sequence.js';
import { auditRows, rescored } from './audit-rows.js';
import { convertRow, fixture, jsonlRows, readItems, readRecords, sum } from './read.js';

const FILE = fixture('llama-cpp/completion.jsonl');
const rows = (): Record<string, unknown>[] => jsonlRows('llama-cpp/completion.jsonl');

const convert = (value: unknown) => convertRow(llamaCppAdapter, value, 2);

type Probs = { completion_probabilities: Record<string, unknown>[] };
const probsOf = (row: Record<string, unknown>) => (row.response as Probs).completion_probabilities;

describe('llama-cpp: detection and translation', () => {
  it.each(['completion.jsonl', 'bare-response.json'])('%s is read as llama-cpp', async (name) => {
    expect((await readItems(fixture(`llama-cpp/${name}`))).format).toBe('llama-cpp');
  });

  it("reads completion_probabilities' log-probs (softmax of the raw logits) as the model's, with ids and top lists", async () => {
    const [r] = await readRecords(FILE);
    expect(r).toMatchObject({
      id: 'lc-1',
      tokens: [' big', ' princess', '.'],
      token_ids: [1559, 4057, 29889],
      reference_logprobs: [-0.6931472, -1.6094379, -0.22314355],
      sentinel: LLAMA_LOG_ZERO,
      completion: ' big princess.',
    });
    expect(r.top_logprobs![1]![0]).toEqual({ token: ' girl', logprob: -0.7985077, id: 1827 });
    expect(r.distribution).toBeUndefined();
    expect(r.score).toBeCloseTo(sum(r.reference_logprobs!), 12);
  });

  it('marks post_sampling_probs as processed: the log of each probability as recorded values, no model reference', async () => {
    const r = (await readRecords(FILE))[1];
    expect(r).toMatchObject({ id: 'lc-2', tokens: [' star', '.'], distribution: 'processed' });
    expect(r.logprobs).toEqual([Math.log(0.4), Math.log(0.9)]);
    expect(r.processing).toBe('llama.cpp post_sampling_probs: probabilities after the sampler chain (top_k 40, top_p 0.95, min_p 0.05)');
    expect(r.reference_logprobs).toBeUndefined();
    expect(buildReference(r).level).toBe('values');
  });

  it('keeps the EOS token it lists past `content` out of the continuation', async () => {
    const r = (await readRecords(FILE))[2];
    expect(r).toMatchObject({ id: 'lc-3', tokens: [' big', ' star'], trailing_logprobs: [-0.10536052] });
  });

  it('reads older builds ({content, probs: [{tok_str, prob}]}) as processed unless the temperature is ≤ 0', async () => {
    const r = (await readRecords(FILE))[3];
    expect(r).toMatchObject({ id: 'lc-4', tokens: [' big', ' star'], logprobs: [Math.log(0.6), Math.log(0.8)], distribution: 'processed' });
    expect(r.processing).toMatch(/older build.*temperature 0\.8/);
    const greedy = structuredClone(rows()[3]);
    (greedy.response as { generation_settings: { temperature: number } }).generation_settings.temperature = 0;
    const [item] = convert(greedy);
    expect(item).toMatchObject({ kind: 'record', record: { reference_logprobs: [Math.log(0.6), Math.log(0.8)] } });
    expect(item.kind === 'record' ? item.record.distribution : 'no record').toBeUndefined();
  });

  it('skips a response requested without n_probs, with its reason', async () => {
    const { items } = await readItems(FILE);
    expect(items[4]).toMatchObject({ kind: 'skipped', recordId: 'lc-5', reason: 'response without log-probs' });
  });

  it.each([
    ['a logprob that is not a number', (r: Record<string, unknown>) => (probsOf(r)[1].logprob = 'x'), /^llama-cpp: completion_probabilities\[1\]\.logprob is not a number: "x"$/],
    ['a top entry without a token', (r: Record<string, unknown>) => delete (probsOf(r)[0].top_logprobs as Record<string, unknown>[])[2].token, /^llama-cpp: completion_probabilities\[0\]\.top_logprobs\[2\]\.token is missing$/],
    ['context_tokens (/completion has no echo)', (r: Record<string, unknown>) => (r.context_tokens = 3), /^llama-cpp: context_tokens cannot apply/],
  ])('%s is reported, naming the format', (_what, mutate, message) => {
    const row = structuredClone(rows()[0]);
    mutate(row);
    const items = convert(row);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'invalid', line: 2, recordId: 'lc-1', message: expect.stringMatching(message) });
  });
});

describe('llama-cpp: audits', () => {
  it('clean files give no finding', async () => {
    expect((await auditRows(rows())).findings).toEqual([]);
    expect((await auditRows([JSON.parse(readFileSync(fixture('llama-cpp/bare-response.json'), 'utf8'))])).findings).toEqual([]);
  });

  const [raw, post, eos] = rows();
  const total = -0.6931472 + -1.6094379 + -0.22314355;
  const processed = Math.log(0.4) + Math.log(0.9);
  it.each([
    ['product of probabilities', rescored(raw, 'product', Math.exp(total)), 'probability-product'],
    ['sum of probabilities', rescored(raw, 'prob-sum', 0.5 + 0.2 + 0.8), 'probability-sum'],
    ['mean per token declared a total', rescored(raw, 'mean', total / 3), 'normalization-mismatch'],
    ['the last token dropped', rescored(raw, 'drop', total - -0.22314355), 'length-mismatch'],
    ['the EOS token summed into a score of the text', rescored(eos, 'eos', -0.6931472 + -1.2039728 + -0.10536052), 'length-mismatch'],
    ['the favourite of each step gathered', rescored(raw, 'top1', -0.6931472 + -0.7985077 + -0.22314355), 'high-confidence-wrong-token'],
    ['post-sampling probabilities multiplied', rescored(post, 'post-product', Math.exp(processed)), 'probability-product'],
    ['post-sampling probabilities summed', rescored(post, 'post-sum', 0.4 + 0.9), 'probability-sum'],
  ])('%s is found', async (_what, row, rule) => {
    const { rules } = await auditRows([row]);
    expect(rules.get(String(row.id))).toEqual([rule]);
  });

  it("llama.cpp's log(0) stand-in (the lowest float) summed as a number is found", async () => {
    const row = rescored(raw, 'log-zero', 0);
    probsOf(row)[1].logprob = -3.4028234663852886e38;
    row.score = -0.6931472 + -3.4028234663852886e38 + -0.22314355;
    const { rules } = await auditRows([row]);
    expect(rules.get('log-zero')).toEqual(['invalid-logprob']);
  });
});
