import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vllmServerAdapter } from '../../src/ingest/formats/vllm-server.js';
import { auditRows, rescored } from './audit-rows.js';
import { convertRow, fixture, jsonlRows, readItems, readRecords, sum } from './read.js';

const FILE = fixture('vllm-server/completions.jsonl');
const rows = (): Record<string, unknown>[] => jsonlRows('vllm-server/completions.jsonl');

const convert = (value: unknown) => convertRow(vllmServerAdapter, value, 3);

describe('vllm-server: detection and translation', () => {
  it('claims completions with prompt_logprobs and chat responses with prompt_logprobs', async () => {
    expect((await readItems(FILE)).format).toBe('vllm-server');
    expect((await readItems(fixture('vllm-server/chat-bare.json'))).format).toBe('vllm-server');
  });

  it('reads the prompt log-probs as the evidence, finding the prompt token by rank and by the prompt text', async () => {
    // prompt_logprobs: 2, no echo, no return_token_ids: " cat" is ranked 117 (so it is the added
    // entry), " mat" is the third entry of a top-2 dict; " sat", " on", " the" rank inside the
    // top 2, and only spelling "The cat sat on the mat" decides between the two entries.
    const [r] = await readRecords(FILE);
    expect(r).toMatchObject({
      id: 'q7-c1',
      token_ids: [319, 262, 2603],
      tokens: [' on', ' the', ' mat'],
      reference_logprobs: [-0.7516, -0.4873, -3.5127],
      context_logprobs: [null, -9.2604, -2.9872],
      sentinel: -9999,
      prompt: 'The cat sat',
      completion: ' on the mat',
    });
    expect(r.score).toBeCloseTo(sum(r.reference_logprobs!), 12);
    expect(r.trailing_logprobs).toBeUndefined(); // logprobs: null, nothing generated was listed
    expect(r.logprobs).toBeUndefined(); // the raw values hold no null or -9999.0: the reference says it all
  });

  it("reads lm-eval's local-completions request (token-id prompt, echo, max_tokens 1): the prompt's own length ends the continuation", async () => {
    const r = (await readRecords(FILE))[1];
    expect(r).toMatchObject({ id: 'q7-c1-lmeval', token_ids: [319, 262, 2603], reference_logprobs: [-0.7516, -0.4873, -3.5127], trailing_logprobs: [-0.6183] });
    // lm-eval's parse_logprobs: sum(token_logprobs[ctxlen:-1])
    const lp = (rows()[1].response as { choices: { logprobs: { token_logprobs: number[] } }[] }).choices[0].logprobs.token_logprobs;
    expect(r.score).toBeCloseTo(sum(lp.slice(3, -1)), 12);
  });

  it('uses prompt_token_ids when return_token_ids gave them', async () => {
    const r = (await readRecords(FILE))[2];
    expect(r).toMatchObject({ id: 'q7-c1-ids', token_ids: [3332, 319, 262, 2603], prompt: 'The cat', completion: ' sat on the mat' });
  });

  it('reads a chat reply with the prompt log-probs as its context, and the EOS token vLLM lists past the content as trailing', async () => {
    const [r] = await readRecords(fixture('vllm-server/chat-bare.json'));
    expect(r).toMatchObject({
      id: 'chatcmpl-3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b/0',
      tokens: [' on', ' the', ' mat'],
      token_ids: [319, 262, 2603],
      reference_logprobs: [-0.7516, -0.4873, -3.5127],
      trailing_logprobs: [-0.9306],
      context_logprobs: [null, -9.2604, -2.9872],
      completion: ' on the mat',
    });
  });

  it('falls back to the OpenAI readers for rows without prompt_logprobs', () => {
    const [item] = convert({
      id: 'plain',
      score: -0.5,
      response: { choices: [{ index: 0, text: ' 4', logprobs: { tokens: [' 4'], token_logprobs: [-0.5], top_logprobs: null, text_offset: [7] }, finish_reason: 'length', prompt_logprobs: null }] },
    });
    expect(item).toMatchObject({ kind: 'record', record: { id: 'plain', tokens: [' 4'], reference_logprobs: [-0.5] } });
  });
});

describe('vllm-server: what cannot be read says so', () => {
  const base = rows()[0];

  it.each([
    [
      'a dict whose entries cannot be told apart',
      (r: Record<string, unknown>) => {
        // no request, so no prompt text to spell: " on" is one of the two entries of a top-2 dict
        delete r.request;
        delete r.context;
        r.context_tokens = 3;
      },
      /^vllm-server: cannot tell which entry of choices\[0\]\.prompt_logprobs\[3\] is the prompt's own token/,
    ],
    [
      'a log-prob that is not a number',
      (r: Record<string, unknown>) => {
        const plp = (r.response as { choices: { prompt_logprobs: Record<string, { logprob: unknown }>[] }[] }).choices[0].prompt_logprobs;
        plp[2]['373'].logprob = 'x';
      },
      /^vllm-server: choices\[0\]\.prompt_logprobs\[2\]\["373"\]\.logprob is not a number$/,
    ],
    [
      'a scored wrapper without a boundary',
      (r: Record<string, unknown>) => {
        delete r.context;
      },
      /^vllm-server: the wrapper gives neither context nor context_tokens/,
    ],
  ])('%s', (_what, mutate, message) => {
    const row = structuredClone(base);
    mutate(row);
    const items = convert(row);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'invalid', line: 3, recordId: 'q7-c1', message: expect.stringMatching(message) });
  });
});

describe('vllm-server: audits', () => {
  it('a clean file gives no finding', async () => {
    const { findings } = await auditRows([...rows(), JSON.parse(readFileSync(fixture('vllm-server/chat-bare.json'), 'utf8'))]);
    expect(findings).toEqual([]);
  });

  const [text, lmEval] = rows();
  const total = -0.7516 + -0.4873 + -3.5127;
  it.each([
    ['product of probabilities', rescored(text, 'product', Math.exp(total)), 'probability-product'],
    ['mean per token declared a total', rescored(text, 'mean', total / 3), 'normalization-mismatch'],
    ['the last context token scored too', rescored(text, 'ctx', total + -2.9872), 'length-mismatch'],
    ['the last token dropped', rescored(text, 'drop', total - -3.5127), 'length-mismatch'],
    ['the generated token scored too (token_logprobs[ctxlen:])', rescored(lmEval, 'gen', total + -0.6183), 'length-mismatch'],
    ['the rank-1 entries summed', rescored(text, 'argmax', -0.7516 + -0.4873 + -2.2418), 'high-confidence-wrong-token'],
  ])('%s is found', async (_what, row, rule) => {
    const { rules } = await auditRows([row]);
    expect(rules.get(String(row.id))).toEqual([rule]);
  });

  it("vLLM's -9999.0 stand-in for -inf summed as a number is found", async () => {
    const row = rescored(rows()[2], 'sentinel', 0);
    const plp = (row.response as { choices: { prompt_logprobs: Record<string, { logprob: number }>[] }[] }).choices[0].prompt_logprobs;
    plp[4]['262'].logprob = -9999;
    row.score = -2.9872 + -0.7516 + -9999 + -3.5127;
    const { rules } = await auditRows([row]);
    expect(rules.get('sentinel')).toEqual(['invalid-logprob']);
  });
});
