import { describe, expect, it } from 'vitest';
import { auditRecords, detectionProperty, hypothesisHolds, recordRuleTester, tempDir } from '../helpers/rule-tester.js';
import { bugs, buggy, clean, cleanValues, f16, f32, f32Sum, record, toy, toyWhere, topK, type Toy } from '../helpers/toy-model.js';

const t = toy(1, 5);
const values = cleanValues(t);

/** Some step's target appears in the next step's top-5: the forgotten shift leaves a trace in the lists. */
const shiftVisible = (x: Toy) => x.ids.slice(0, -1).some((y, i) => topK(x, i + 1).some((e) => e.id === y));
const visible = toyWhere(1, 6, shiftVisible);
const invisible = toyWhere(1, 6, (x) => !shiftVisible(x));

/** A record scored through a server's echo: reference log-probs with the context's and the generated token's beside them. */
function echo(score: (server: number[], lastContext: number, generated: number) => number) {
  const server = values;
  const lastContext = f32(-1.5);
  const generated = f32(-2.75);
  return {
    id: 'echo',
    tokens: [...t.tokens],
    reference_logprobs: server,
    context_logprobs: [null, f32(-3.25), lastContext],
    trailing_logprobs: [generated],
    score: score(server, lastContext, generated),
  };
}

recordRuleTester('length-mismatch', {
  valid: [
    // round(-0.0031, 2) is -0.0: a zero keeps no digits to tell that print from the empty window.
    { name: 'one token of -0.0031 and a score of 0: a print to two decimals, not the empty window', record: { id: 'z', tokens: [' A'], logprobs: [f32(-0.0031)], score: -0 } },
    { name: 'clean, logits with the extra row n (row after the last token)', record: record(t, 'logits', { ...clean(t), rows: t.n + 1 }) },
    { name: 'clean server echo, context and generated token beside it', record: echo((s) => f32Sum(s)) },
    { name: 'forgotten shift at values level: plausible log-probs, nothing to compare with', record: buggy(t, 'values', bugs.noShift) },
    { name: 'last token dropped from a score-only record: undetectable', record: buggy(t, 'score', bugs.lastTokenDroppedFromScore) },
    { name: 'context token included in a score-only record: undetectable', record: buggy(t, 'score', bugs.contextTokenIncluded) },
    { name: 'a score off by an amount no window explains is score-mismatch', record: { ...record(t, 'values'), score: f32(f32Sum(values) - 1.234) }, rootCause: 'score-mismatch' },
    {
      name: "forgotten shift at top-k level when no target appears in the next step's list: score-mismatch",
      record: buggy(invisible, 'topk', bugs.noShift),
      rootCause: 'score-mismatch',
    },
    {
      // Honest-numerics seed 43 (B-sums, fp16round_long200, long200-7): 361 values summing to
      // -691.0213 in float32, a score rounded to float16, where the spacing is 0.5: -691. Read as
      // an exact float32 value it fits the sum without the last token (-691.0021) and not the sum.
      name: 'a score of -691 rounded to float16 from -691.02: no window is told from another below its spacing',
      record: (() => {
        const logprobs = [...Array.from({ length: 360 }, () => f32(-691.0021 / 360)), f32(-0.0192)];
        return { id: 'h', tokens: logprobs.map((_, i) => ` t${i}`), logprobs, score: -691 };
      })(),
      rootCause: 'low-precision',
    },
    {
      // Honest-numerics seed 43 (E-extremes, unlikely_f32, unlikely-14), values printed "%.6g", the
      // score as the model computed it: the printed values' sum is known to ±6e-4 only, and the
      // score stands 4.7e-5 from it, closer to the sum without the last value (-5.4e-5).
      name: 'values printed with six digits, the score as computed: no window is told from another within the printed digits',
      record: { id: 'u', tokens: [' a', ' b', ' c', ' d'], logprobs: [-27.0773, -29.971, -24.7391, -5.41196e-5], score: -81.78740692138672 },
    },
    {
      name: 'an honest float32 sum accumulated left to right, confident last token (-4.4e-6)',
      record: (() => {
        const x = toy(2612544494, 67, { scale: 8 });
        return record(x, 'values', clean(x, { sum: 'sequential' }));
      })(),
    },
  ],
  invalid: [
    { name: 'context token included (n + 1 values), logits level', messageId: 'oneValueMore', record: buggy(t, 'logits', bugs.contextTokenIncluded), message: /6 per-token values for 5 continuation tokens: one value more than tokens/ },
    { name: 'context token included, top-k level', messageId: 'oneValueMore', record: buggy(t, 'topk', bugs.contextTokenIncluded), message: /one value more/ },
    { name: 'context token included, values level, one token', messageId: 'oneValueMore', record: buggy(toy(2, 1), 'values', bugs.contextTokenIncluded), message: /2 per-token values for 1 continuation tokens/ },
    { name: 'last token dropped from values and score, logits level', messageId: 'oneValueFewer', record: buggy(t, 'logits', bugs.lastTokenDropped), message: /4 per-token values for 5 .* the last continuation token was dropped/ },
    { name: 'last token dropped, values level, 150 tokens', messageId: 'oneValueFewer', record: buggy(toy(2, 150), 'values', bugs.lastTokenDropped), message: /one value fewer/ },
    { name: 'two values too many: the counts disagree', messageId: 'countsDisagree', record: { ...record(t, 'values'), logprobs: [-1, -2, ...values] }, message: /the counts disagree/ },
    {
      name: 'all values recorded, last token left out of the score, logits level', messageId: 'lastDropped',
      record: buggy(t, 'logits', bugs.lastTokenDroppedFromScore),
      message: /sums the wrong window: the last continuation token \(log-prob -?[\d.]+\) was left out/,
      check: (v) => expect(v.diagnosis!.evidence).toMatchObject({ dropped: 'last' }),
    },
    { name: 'last token left out of the score, top-k level', messageId: 'lastDropped', record: buggy(t, 'topk', bugs.lastTokenDroppedFromScore), message: /last continuation token/ },
    { name: 'one token of -2.3 and a score of 0: the empty window, which no print makes of it', messageId: 'lastDropped', record: { id: 'z', tokens: [' A'], logprobs: [f32(-2.3)], score: 0 } },
    { name: 'one token of -0.0081 and a score of 0: two decimals print it -0.01, so the empty window', messageId: 'lastDropped', record: { id: 'z', tokens: [' A'], logprobs: [f32(-0.0081)], score: 0 } },
    { name: 'last token left out of the score, values level', messageId: 'lastDropped', record: buggy(t, 'values', bugs.lastTokenDroppedFromScore), message: /last continuation token/ },
    { name: 'first token left out of the score', messageId: 'firstDropped', record: { ...record(t, 'values'), score: f32Sum(values.slice(1)) }, message: /first continuation token/ },
    { name: 'last context token added to the score (context_logprobs known)', messageId: 'contextIncluded', record: buggy(t, 'values', bugs.contextTokenInScore), message: /the last context token .* was scored too/ },
    { name: 'server echo: the generated token kept in the slice', messageId: 'generatedIncluded', record: echo((s, _c, g) => f32Sum([...s, g])), message: /generated token after the continuation \(log-prob -2\.75\) was scored too/ },
    { name: 'server echo: window one token early', messageId: 'startsEarly', record: echo((s, c) => f32Sum([c, ...s.slice(0, -1)])), message: /starts one token early/ },
    { name: 'server echo: window one token late', messageId: 'startsLate', record: echo((s, _c, g) => f32Sum([...s.slice(1), g])), message: /starts one token late/ },
    {
      name: 'attribution: forgotten shift at logits level is length-mismatch, not score-mismatch', messageId: 'shiftForgotten',
      record: buggy(t, 'logits', bugs.noShift),
      message: /read from the next position's distribution .* 5 step\(s\) reproduce it exactly/,
      check: (v) => {
        expect(v.diagnosis!.evidence).toEqual({ stepsReproduced: 5 });
        for (const other of ['softmax-skipped', 'softmax-twice', 'high-confidence-wrong-token', 'wrong-token-index', 'temperature-scaled']) {
          expect(hypothesisHolds(other, v.ctx.record), other).toBe(false);
        }
      },
    },
    { name: 'forgotten shift, logits level, one token (row 1 read)', messageId: 'shiftForgotten', record: buggy(toy(3, 1), 'logits', bugs.noShift), message: /next position/ },
    { name: 'forgotten shift, logits level, 150 tokens', messageId: 'shiftForgotten', record: buggy(toy(3, 150), 'logits', bugs.noShift), message: /150 step\(s\)/ },
    { name: "forgotten shift, top-k level, a target found in the next step's list", messageId: 'shiftForgotten', record: buggy(visible, 'topk', bugs.noShift), message: /next position/ },
  ],
});

detectionProperty('length-mismatch', 'the last context token scored too (n + 1 values)', { bug: bugs.contextTokenIncluded, levels: ['logits', 'topk', 'values'] });
detectionProperty('length-mismatch', 'the last token dropped (n - 1 values)', { bug: bugs.lastTokenDropped, levels: ['logits', 'topk', 'values'], minN: 2 });
detectionProperty('length-mismatch', 'the forgotten shift', { bug: bugs.noShift, levels: ['logits'] });

// Honest-numerics seed 59, scores summed in float16 and printed "%.4g": -71.95608 rounds to
// -71.9375 in float16, printed -71.94, which is also the sum without the last token (-0.0145)
// to the print's digits. Alone, the record cannot tell; its file, a float16 run, does.
describe('a wrong window that a print of a half-precision sum fits as well', () => {
  const dir = tempDir();
  const chance = { id: 'chance', tokens: [' a', ' b', ' c'], logprobs: [f32(-30.123457), f32(-41.818097), f32(-0.0145283)], score: -71.94 };
  const honest = (seed: number) => {
    const x = toy(seed, 40, { scale: 6 });
    const v = cleanValues(x);
    return { ...record(x, 'values'), id: `h${seed}`, score: Number(f16(f32Sum(v)).toPrecision(4)) };
  };
  const run = Array.from({ length: 30 }, (_, k) => honest(k + 1));

  it('is no finding in a float16 run (its records fit only half precision), and still one alone', async () => {
    const alone = await auditRecords(dir(), [chance]);
    expect(alone.map((f) => [f.ruleId, f.messageId])).toEqual([['length-mismatch', 'lastDropped']]);
    const inRun = await auditRecords(dir(), [...run.slice(0, 15), chance, ...run.slice(15)]);
    expect(inRun.filter((f) => f.severity !== 'info').map((f) => f.ruleId)).toEqual(['low-precision']);
  });

  it('is reported where the file is no half-precision run: beside float32 records', async () => {
    const float32 = run.map((r) => ({ ...r, score: f32Sum(r.logprobs as number[]) }));
    const findings = await auditRecords(dir(), [...float32, chance]);
    expect(findings.map((f) => [f.ruleId, f.recordId])).toEqual([['length-mismatch', 'chance']]);
  });
});
