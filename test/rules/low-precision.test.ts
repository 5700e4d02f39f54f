import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { auditRecords, recordRuleTester, tempDir, verdict } from '../helpers/rule-tester.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { writeJsonl } from '../helpers/rule-tester.js';
import { bf16, bugs, buggy, clean, f16, f16Sum, record, toy } from '../helpers/toy-model.js';
import type { AuditRecord } from '../../src/types.js';

const t = toy(3, 5);
const long = toy(4, 150);
const fp16Values = t.lp.map(f16);
const dir = tempDir();

recordRuleTester('low-precision', {
  valid: [
    { name: 'clean float32 record, logits level', record: record(t, 'logits') },
    { name: 'clean float32 record, values level', record: record(t, 'values') },
    { name: 'fp16, one token at values level: one number on the grid is chance, not evidence', record: buggy(toy(7, 1), 'values', bugs.fp16) },
    { name: 'one float32 value on the float16 grid, equal to the reference: computed in float32', record: { id: 'v1', tokens: [' Paris'], logprobs: [-2.3828125], score: -2.3828125 } },
    { name: 'clean float32 record, 150 tokens', record: record(long, 'topk') },
    {
      // "%.6g" of -16.43753433227539 is -16.4375 = -263/16, a float16 value: as likely a print as half precision.
      name: 'a score printed with six digits that lands on a binary fraction is a print, not half precision',
      record: { id: 'p6', tokens: ['n'], logprobs: [-16.43753433227539], score: -16.4375 },
    },
    { name: 'coarse numbers carry no precision information (-7.25, -0.5)', record: { id: 1, tokens: ['a', 'b'], logprobs: [-7.25, -0.5], score: -7.75 } },
    {
      // The record's own numbers add up: its grid is a fact about the file (see the file summary below).
      name: 'bfloat16 values summed exactly, with nothing to compare them with: no verdict on the record alone',
      record: { id: 1, tokens: ['a', 'b'], logprobs: [bf16(-3.3e-9), bf16(-2.71)], score: bf16(bf16(-3.3e-9) + bf16(-2.71)) },
    },
    {
      name: 'float16-looking values far from the reference are not rounding: the half-precision raw logits are softmax-skipped',
      record: { ...record(t, 'logits'), logprobs: t.ids.map((y, i) => f16(t.logits[i][y])), score: f16Sum(t.ids.map((y, i) => f16(t.logits[i][y]))) },
      rootCause: 'softmax-skipped',
    },
    {
      name: 'float16 values whose score is off by far more than half precision gives, at logits level: score-mismatch',
      record: { ...record(t, 'logits'), logprobs: fp16Values, score: f16Sum(fp16Values) - 2 },
      rootCause: 'score-mismatch',
    },
    {
      name: 'values level: positive float16 values are raw logits (softmax-skipped), not rounding',
      record: { ...record(t, 'values'), logprobs: t.ids.map((y, i) => f16(t.logits[i][y])), score: f16Sum(t.ids.map((y, i) => f16(t.logits[i][y]))) },
      rootCause: 'softmax-skipped',
    },
    {
      name: 'values level: a positive score that is the float16 product of the probabilities is probability-product',
      record: { ...record(t, 'values'), logprobs: fp16Values, score: fp16Values.reduce((p, v) => f16(p * f16(Math.exp(v))), 1) },
      rootCause: 'probability-product',
    },
    {
      name: 'values level: float16 values with a score 27 below their sum is score-mismatch',
      record: { ...record(t, 'values'), logprobs: fp16Values, score: -40.5625 },
      rootCause: 'score-mismatch',
    },
    {
      // Regression: one informative number used to be enough for onGrid(), and a float32 score
      // lies on the float16 grid by chance once in 8192.
      name: 'a lone float32 score that happens to lie on the float16 grid is no evidence of half precision',
      record: { id: 1, tokens: ['a', 'b', 'c'], score: -7.3359375 },
    },
    {
      // Regression: float32 subnormals have few significant bits, so 2^-149 passed isBfloat16.
      name: 'a probability that underflowed into float32 subnormals (score_kind prob) is not bfloat16',
      record: record(toy(1, 30, { scale: 0.5 }), 'score', clean(toy(1, 30, { scale: 0.5 }), { kind: 'prob' })),
    },
    { name: 'score only: one number cannot show a grid, so a float16 score alone is not flagged', record: buggy(t, 'score', bugs.fp16) },
  ],
  invalid: [
    { name: 'fp16, logits level', messageId: 'valuesOnGrid', record: buggy(t, 'logits', bugs.fp16), message: /float16 grid and differ from the float64 reference by up to/ },
    { name: 'fp16, top-k level', messageId: 'valuesOnGrid', record: buggy(t, 'topk', bugs.fp16), data: { grid: 'float16', precision: 'float16' } },
    { name: 'fp16, values level: the float16 running sum misses float32', messageId: 'total', record: buggy(t, 'values', bugs.fp16), data: { precision: 'float16' } },
    { name: 'fp16, one token: the tier is the widest, the score shows its grid', messageId: 'valuesOnGrid', record: buggy(toy(5, 1), 'logits', bugs.fp16), data: { precision: 'bfloat16', grid: 'float16' } },
    { name: 'fp16, 150 tokens, top-k level', messageId: 'valuesOnGrid', record: buggy(long, 'topk', bugs.fp16) },
    { name: 'bf16, values level', messageId: 'total', record: buggy(t, 'values', bugs.bf16), data: { precision: 'bfloat16' } },
    { name: 'bf16, top-k level, 150 tokens', messageId: 'valuesOnGrid', record: buggy(long, 'topk', bugs.bf16), data: { grid: 'bfloat16' } },
    {
      name: 'attribution: fp16 values disagree with the reference, yet low-precision (not score-mismatch) names the cause',
      messageId: 'valuesOnGrid',
      record: buggy(toy(6, 20), 'logits', bugs.fp16),
      check: (v) => {
        expect(v.ctx.tiers.map((x) => x.precision)).toEqual(['fp32', 'fp16']);
        expect(v.diagnosis!.evidence!.precision).toBe('float16');
        expect(v.diagnosis!.basis).toBe('precision');
      },
    },
    {
      name: 'bf16 values that all lie in float16 range too are bfloat16, with bfloat16 tolerance',
      messageId: 'valuesOnGrid',
      record: buggy(toy(20, 5), 'logits', bugs.bf16),
      message: /bfloat16 grid/,
    },
    {
      name: 'logits rounded to bfloat16, log_softmax in float32: no grid, the widest half precision',
      messageId: 'values',
      record: { ...record(t, 'logits'), logprobs: t.ids.map((y, i) => Math.fround(bfLogSoftmax(t.logits[i])[y])) },
      data: { precision: 'bfloat16' },
    },
  ],
});

/** log_softmax in float64 of a row of logits rounded to bfloat16 (an upcast before normalising). */
function bfLogSoftmax(row: readonly number[]): number[] {
  const z = row.map(bf16);
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, x) => s + Math.exp(x - m), 0));
  return z.map((x) => x - lse);
}

describe('low-precision: a float16 pipeline is never a bug', () => {
  // Rounding within float32 tolerance (a near-certain token) is clean; anything else is low-precision.
  it.each(['logits', 'topk', 'values'] as const)('%s level: clean or low-precision, and low-precision wherever float32 is missed', (level) => {
    let named = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 150 }), (seed, n) => {
        const v = verdict(record(toy(seed, n), level, bugs.fp16(toy(seed, n))));
        expect([null, 'low-precision'], `${v.message} (seed ${seed}, n ${n})`).toContain(v.rule?.id ?? null);
        if (v.rule) named++;
        else expect(v.ctx.tiers).toHaveLength(1);
      }),
      { numRuns: 100, seed: 42 },
    );
    expect(named).toBeGreaterThan(level === 'values' ? 50 : 90);
  });
});

describe('low-precision: once per file', () => {
  const bf16Run = (seed: number, level: 'logits' | 'topk' | 'values'): AuditRecord[] =>
    Array.from({ length: 12 }, (_, k) => {
      const x = toy(seed + k, 4 + (k % 5));
      return record(x, level, bugs.bf16(x), `r${k}`);
    });

  it('a bfloat16 run: one warning for the file, counting its records, at the first', async () => {
    const findings = await auditRecords(dir(), bf16Run(100, 'topk'));
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f).toMatchObject({ ruleId: 'low-precision', severity: 'warning', line: 1, recordId: 'r0' });
    expect(f.messageId).toBe('fileRecords');
    expect(f.evidence).toMatchObject({ records: 12, halfPrecisionRecords: 12 });
  });

  it('declared: --precision bf16 makes it info; --precision fp32 keeps float32 tolerances (errors)', async () => {
    const file = writeJsonl(dir(), bf16Run(200, 'logits'));
    const declared = await audit([file], { rules: defaultRuleSet, precision: 'bf16' });
    expect([...declared.findings].map((f) => [f.ruleId, f.severity])).toEqual([['low-precision', 'info']]);
    const overridden = await audit([file], { rules: defaultRuleSet, precision: 'bf16', severities: { 'low-precision': 'warning' } });
    expect([...overridden.findings].map((f) => f.severity)).toEqual(['warning']);
    const strict = await audit([file], { rules: defaultRuleSet, precision: 'fp32' });
    expect(strict.findings.length).toBeGreaterThan(6);
    expect([...strict.findings].every((f) => f.severity === 'error')).toBe(true);
  });

  it('scores alone on the bfloat16 grid (lm-eval with dtype=bfloat16): the file shows it with its chance', async () => {
    const records = Array.from({ length: 10 }, (_, k) => ({ id: k, tokens: ['a', 'b'], score: bf16(-3 - 1.37 * k - 0.011 * k * k) }));
    const findings = await auditRecords(dir(), records);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'low-precision', messageId: 'fileGrid' });
    expect(findings[0].message).toMatch(/the scores of \d+ record\(s\) lie on the bfloat16 grid .*1 in 10\^\d+/);
  });

  it('records that miss float32 and records whose exact sums lie on the grid: both told in one finding', async () => {
    const gridOnly = Array.from({ length: 6 }, (_, k) => {
      const v = [bf16(-0.7 - 0.13 * k), bf16(-2.3 - 0.07 * k)];
      return { id: `g${k}`, tokens: ['a', 'b'], logprobs: v, score: v[0] + v[1] };
    });
    const findings = await auditRecords(dir(), [...bf16Run(500, 'logits').slice(0, 4), ...gridOnly]);
    expect(findings.map((f) => [f.ruleId, f.messageId])).toEqual([['low-precision', 'fileRecordsAndGrid']]);
    expect(findings[0].message).toMatch(/^4 of 10 record\(s\) differ .*; the per-token values of 6 record\(s\) lie on the bfloat16 grid/);
  });

  // round(total, 2) of float32 values: one print in 25 lands on a quarter, a float16 value (-3.25).
  const printedRun = (quarters: number, others: number, print: (total: number) => number): AuditRecord[] =>
    Array.from({ length: quarters + others }, (_, k) => {
      const q = k < quarters;
      // A quarter's total sits 0.0032 past it; the others' totals print to no binary fraction.
      const values = q ? [Math.fround(-1.1266 - k), Math.fround(-2.1266)] : [Math.fround(-1.1366 - 0.01 * k), Math.fround(-2.2366)];
      return { id: `p${k}`, tokens: ['a', 'b'], logprobs: values, score: print(values[0] + values[1]) };
    });
  const round2 = (x: number) => Math.round(x * 100) / 100;

  it('a file that prints its scores with two decimals: the prints that land on a binary fraction are prints too', async () => {
    const records = printedRun(2, 8, round2);
    expect(records.slice(0, 2).map((r) => Math.fround(r.score!) === r.score)).toEqual([true, true]);
    expect(await auditRecords(dir(), records)).toEqual([]);
  });

  it('"%.3g" of totals between -100 and -999: every score an integer, a float16 value, and a print all the same', async () => {
    const records = [-601.3, -457.2, -388.4].map((total, k) => {
      const values = [Math.fround(total / 2), Math.fround(total / 2)];
      return { id: `g${k}`, tokens: ['a', 'b'], logprobs: values, score: Number((values[0] + values[1]).toPrecision(3)) };
    });
    expect(records.map((r) => Number.isInteger(r.score))).toEqual([true, true, true]);
    expect(await auditRecords(dir(), records)).toEqual([]);
  });

  it('the same two scores among scores written whole: the file prints nothing, and they fit only half precision', async () => {
    const records = printedRun(2, 8, (x) => x).map((r, k) => (k < 2 ? { ...r, score: round2(r.score!) } : r));
    const findings = await auditRecords(dir(), records);
    expect(findings.map((f) => [f.ruleId, f.messageId])).toEqual([['low-precision', 'fileRecords']]);
    expect(findings[0].evidence).toMatchObject({ halfPrecisionRecords: 2 });
  });

  it('float32 scores on no grid: nothing', async () => {
    const records = Array.from({ length: 10 }, (_, k) => ({ id: k, tokens: ['a', 'b'], score: Math.fround(-3 - 1.37 * k - 0.011 * k * k) }));
    expect(await auditRecords(dir(), records)).toEqual([]);
  });

  it('in a file of bugs, the few records that fit only half precision are reported one by one', async () => {
    const records: AuditRecord[] = [];
    for (let k = 0; k < 6; k++) {
      const x = toy(300 + k, 5);
      records.push(record(x, 'logits', bugs.softmaxSkipped(x), `bug${k}`));
    }
    const half = toy(400, 5);
    records.push(record(half, 'logits', bugs.bf16(half), 'half'));
    const findings = await auditRecords(dir(), records);
    expect(findings.filter((f) => f.ruleId === 'softmax-skipped')).toHaveLength(6);
    expect(findings.filter((f) => f.ruleId === 'low-precision').map((f) => [f.recordId, f.messageId])).toEqual([['half', 'valuesOnGrid']]);
  });
});

describe('printed evidence: top-k lists written with few digits', () => {
  const printList = (r: AuditRecord, digits: number): AuditRecord => ({
    ...r,
    top_logprobs: r.top_logprobs!.map((step) => step!.map((e) => ({ ...e, logprob: Math.round(e.logprob * 10 ** digits) / 10 ** digits }))),
  });

  it('lists printed with three or four decimals, values and score as computed: no finding, where float32 tolerances alone find one', () => {
    let missedFloat32 = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const x = toy(seed, 6 + (seed % 7));
      for (const digits of [3, 4]) {
        const printed = printList(record(x, 'topk'), digits);
        expect(verdict(printed).rule, `seed ${seed}, ${digits} decimals`).toBeNull();
        // Without the lists' digits the listed targets miss float32 tolerances: the test can fail.
        if (printed.top_logprobs!.some((step, i) => step!.some((e) => e.id === x.ids[i] && Math.abs(e.logprob - x.lp[i]) > 1e-5))) missedFloat32++;
      }
    }
    expect(missedFloat32).toBeGreaterThan(40);
  });

  it("a confident step's target printed as -0.0 is known to the list's digits: a score of -4.4e-5 fits it", () => {
    const lists = [[-0.0, -12.354, -14.3591, -15.25], [-0.0, -12.5853, -12.9885, -15.1168]].map((l) => l.map((logprob, id) => ({ token: `t${id}`, logprob, id })));
    const r: AuditRecord = { id: 'c', tokens: ['t0', 't0'], token_ids: [0, 0], logprobs: [-0, -0], top_logprobs: lists, score: -4.374964191811159e-5 };
    expect(verdict(r).rule).toBeNull();
    // The same score against lists written whole: nothing tells the zeros apart from exact ones.
    const whole = { ...r, top_logprobs: lists.map((l) => l.map((e, k) => ({ ...e, logprob: k === 0 ? 0 : e.logprob + 1.23456789e-9 }))) };
    expect(verdict(whole).rule?.id).toBe('score-mismatch');
  });
});

describe('printed values: per-token values written with few digits, score and lists as computed', () => {
  const printValues = (r: AuditRecord, print: (v: number) => number): AuditRecord => ({ ...r, logprobs: r.logprobs!.map((v) => (v === null ? v : print(v))) });
  const prints: [string, (v: number) => number][] = [
    ['round(x, 3)', (v) => Math.round(v * 1e3) / 1e3],
    ['round(x, 4)', (v) => Math.round(v * 1e4) / 1e4],
    ['%.4g', (v) => Number(v.toPrecision(4))],
  ];

  it('no finding, a value printed -0.0 or -3 included: each is known to the digits of the values beside it', () => {
    let shortMisses = 0;
    for (let seed = 1; seed <= 40; seed++) {
      // scale 8: confident steps, whose log-probs print as -0.0.
      const x = toy(seed, 6 + (seed % 7), seed % 2 ? { scale: 8 } : {});
      for (const [name, print] of prints) {
        const printed = printValues(record(x, 'topk'), print);
        expect(verdict(printed).rule, `seed ${seed}, ${name}`).toBeNull();
        // Values that show no digits of their own (0, a short binary fraction) and miss float32: the test can fail.
        printed.logprobs!.forEach((v, i) => {
          if (v !== null && (v === 0 || Number.isInteger(v * 8)) && Math.abs(v - x.lp[i]) > 1e-5) shortMisses++;
        });
      }
    }
    expect(shortMisses).toBeGreaterThan(20);
  });

  it("a server's 0 beside numbers written whole, with no lists to show a print, is exact: a value of -0.004 misses it", () => {
    const r: AuditRecord = { id: 's', tokens: [' a', ' b'], logprobs: [-0.004, -1.2345678], reference_logprobs: [0, -1.2345678], score: -1.2385678 };
    expect(verdict(r).rule?.id).toBe('score-mismatch');
  });

  it('a lone value of -0 is a print to two decimals at most: -4.7e-5 fits it, -0.02 does not', () => {
    const one = (lp: number): AuditRecord => ({ id: 'c', tokens: [' ('], logprobs: [-0], reference_logprobs: [lp], score: lp });
    expect(verdict(one(-4.69212e-5)).rule).toBeNull();
    expect(verdict(one(-0.02)).rule?.id).toBe('score-mismatch');
  });

  // Honest-numerics seed 59, a log-softmax in float16 with its values printed round(x, 4): [-21.625, -2.9683e-5] became [-21.625, -0.0].
  it('a -0 beside binary fractions is a print to their digits: -3e-5 fits it; +0 and -0 beside numbers written whole stay exact', () => {
    const r = (values: number[], reference: number[]): AuditRecord => ({ id: 'z', tokens: [' a', ';'], logprobs: values, reference_logprobs: reference, score: -21.625029683 });
    expect(verdict(r([-21.625, -0], [-21.625, -2.977e-5])).rule).toBeNull();
    expect(verdict(r([-21.625, 0], [-21.625, -2.977e-5])).rule?.id).toBe('score-mismatch');
    // ±5e-4, the digits -21.625 shows, not more.
    expect(verdict(r([-21.625, -0], [-21.625, -0.0009])).rule?.id).toBe('score-mismatch');
    expect(verdict(r([-21.6250001, -0], [-21.6250001, -2.977e-5])).rule?.id).toBe('score-mismatch');
  });

  // Honest-numerics seed 43 and 59 (values printed round(x, 4) or "%.4g", the score as computed): -27.6250057 printed is -27.625.
  it('a score against values that are all short binary fractions: a print of them explains a miss within their last digit, no more', () => {
    const one = (value: number, score: number): AuditRecord => ({ id: 'b', tokens: ['air'], logprobs: [value], score });
    expect(verdict(one(-27.625, -27.6250057220459)).rule).toBeNull();
    expect(verdict(one(-27.625, -28.6250057220459)).rule?.id).toBe('score-mismatch');
  });
});
