import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditRows, rescored } from './audit-rows.js';
import { fixture, readRecords, sum, writeJsonl } from './read.js';

const file = fixture('openai-completions/echo.jsonl');

describe('openai completions with echo', () => {
  it('slices the continuation by the context text, keeping split UTF-8 characters whole', async () => {
    // "Price: 5€" + " ok «x»": the last byte token of € has offset 9 (= context length) and the
    // last byte token of » has offset 16 (= prompt length); both still belong before the boundary.
    const [r] = await readRecords(file);
    expect(r.id).toBe('q1-c0');
    expect(r.tokens).toEqual([' ok', ' \uFFFD', '\uFFFD', 'x', '\uFFFD', '\uFFFD']);
    expect(r.reference_logprobs).toEqual([-7.4871, -5.1292, -0.2538, -2.9641, -2.5177, -0.0652]);
    expect(r.context_logprobs).toEqual([null, -4.1037, -6.2519, -3.4962, -0.0213, -0.0011]);
    expect(r.trailing_logprobs).toEqual([-1.7503]);
    expect(sum(r.reference_logprobs!)).toBe(r.score);
    expect(r.prompt).toBe('Price: 5€');
    expect(r.completion).toBe(' ok «x»');
    expect([r.group, r.gold, r.selected, r.score_kind]).toEqual(['q1', true, true, 'logprob']);
    expect(r.logprobs).toBeUndefined();
  });

  it('keeps a true top-k: dicts sorted by log-prob, the echoed token dropped when it ranks below k', async () => {
    const [r] = await readRecords(file);
    // step " ok" (-7.4871) is not in the top 2: its dict had 3 entries
    expect(r.top_logprobs![0]).toEqual([
      { token: '\n', logprob: -0.3817 },
      { token: ' per', logprob: -2.2406 },
    ]);
    // step "x" likewise; the dict order was not by log-prob
    expect(r.top_logprobs![3]).toEqual([
      { token: 'a', logprob: -1.5122 },
      { token: 'b', logprob: -1.9876 },
    ]);
    expect(r.top_logprobs!.every((l) => l!.length === 2)).toBe(true);
  });

  it("compares the echoed token's value with its own entry before the cut: a (k+1)-th entry that disagrees is found", async () => {
    const row = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]);
    expect((await auditRows([rescored(row, 'honest', row.score)])).findings).toEqual([]);
    // " ok" ranks third of a top-2: its dict's entry, cut from the list, is the server's second
    // statement of its log-prob. One that says -5.0 against token_logprobs -7.4871 was unseen.
    const bad = rescored(row, 'disagrees', row.score);
    (bad.response as any).choices[0].logprobs.top_logprobs[6][' ok'] = -5.0;
    const { findings } = await auditRows([bad]);
    expect(findings.map((f) => [f.ruleId, f.messageId, f.recordId, f.recorded, f.expected])).toEqual([['invalid-logprob', 'serverTopk', 'disagrees', -7.4871, -5.0]]);
    // The record keeps that entry after its step's top 2 (the honest one's lists stay at 2).
    const [r] = await readRecords(writeJsonl([bad]));
    expect(r.top_logprobs![0]).toEqual([{ token: '\n', logprob: -0.3817 }, { token: ' per', logprob: -2.2406 }, { token: ' ok', logprob: -5.0 }]);
    expect(r.top_logprobs!.slice(1).every((l) => l!.length === 2)).toBe(true);
  });

  it('slices by context_tokens and usage.prompt_tokens, and recovers the texts from the request', async () => {
    const [, r] = await readRecords(file);
    expect(r.id).toBe('q1-c0-tokens');
    expect(r.reference_logprobs).toEqual([-7.4871, -5.1292, -0.2538, -2.9641, -2.5177, -0.0652]);
    expect(r.trailing_logprobs).toEqual([-1.7503]);
    expect(r.prompt).toBe('Price: 5€');
    expect(r.completion).toBe(' ok «x»');
  });

  it('takes a plain completion (no echo) whole as the continuation', async () => {
    const [, , r] = await readRecords(file);
    expect(r).toMatchObject({ id: 'plain-1', tokens: [' 4', '\n'], reference_logprobs: [-0.1187, -0.5043], prompt: 'Q: 2+2=', completion: ' 4\n', score: -0.1187 + -0.5043 });
    expect(r.context_logprobs).toBeUndefined();
    expect(r.trailing_logprobs).toBeUndefined();
  });

  it('reads a bare response as reference only: the prompt after its first token, no score', async () => {
    const [r] = await readRecords(fixture('openai-completions/bare-response.json'));
    expect(r.id).toBe('cmpl-bare/0');
    expect(r.score).toBeUndefined();
    expect(r.tokens![0]).toBe(':');
    expect(r.reference_logprobs).toHaveLength(11); // 12 prompt tokens (usage) minus the first
    expect(r.context_logprobs).toEqual([null]);
    expect(r.trailing_logprobs).toEqual([-1.7503]);
  });
});

describe("lm-eval's local-completions backend (token-id prompts, echo, max_tokens 1)", () => {
  const file = fixture('openai-completions/local-completions.jsonl');

  it("ends the continuation at the prompt's own length and keeps the generated token out", async () => {
    const [r] = await readRecords(file);
    expect(r).toMatchObject({ id: 'lc-q7-c1', tokens: [' on', ' the', ' mat'], token_ids: [319, 262, 2603], trailing_logprobs: [-0.6183] });
    expect(r.score).toBeCloseTo(sum(r.reference_logprobs!), 12);
  });

  it('audits clean, and a score that kept the generated token (token_logprobs[ctxlen:]) is found', async () => {
    const row = JSON.parse(readFileSync(file, 'utf8'));
    const clean = await auditRows([row]);
    expect(clean.findings).toEqual([]);
    const { rules } = await auditRows([rescored(row, 'with-generated', (row.score as number) + -0.6183)]);
    expect(rules.get('with-generated')).toEqual(['length-mismatch']);
  });
});

describe('a legacy completion that stopped on a stop sequence', () => {
  const file = fixture('openai-completions/stop-sequence.jsonl');

  it('scores only the tokens inside the returned text: those past the stop (offsets clamped to its end) are trailing', async () => {
    const [r] = await readRecords(file);
    expect(r).toMatchObject({ tokens: [' Blue'], reference_logprobs: [-0.3312], trailing_logprobs: [-0.0811, -1.2044], completion: ' Blue' });
  });

  it('a correct score of the text gives no finding; one that also summed the stop token is found', async () => {
    const row = JSON.parse(readFileSync(file, 'utf8'));
    expect((await auditRows([row])).findings).toEqual([]);
    const { rules } = await auditRows([rescored(row, 'with-stop', -0.3312 + -0.0811), rescored(row, 'all-listed', -0.3312 + -0.0811 + -1.2044)]);
    expect(rules.get('with-stop')).toEqual(['length-mismatch']);
    expect(rules.get('all-listed')).toEqual(['score-mismatch']);
  });
});

describe('openai completions streamed', () => {
  it("reads each chunk (finish_reason null until the last) as its own record: the stream's shared id is no duplicate", async () => {
    const chunk = (token: string, logprob: number, finish: string | null) => ({
      id: 'cmpl-s',
      object: 'text_completion',
      choices: [{ index: 0, text: token, finish_reason: finish, logprobs: { tokens: [token], token_logprobs: [logprob], top_logprobs: [{ [token]: logprob, ' x': logprob - 3 }], text_offset: [0] } }],
    });
    const { findings, rules } = await auditRows([chunk(' a', -0.5, null), chunk(' b', -0.25, null), chunk('.', -1.5, 'length')]);
    expect([...rules.keys()].filter((id) => rules.get(id)!.some((r) => r !== 'low-precision'))).toEqual([]);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
