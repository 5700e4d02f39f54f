/**
 * The hand-written record check (provenValid in src/ingest/validate.ts) may only ever prove a
 * row valid: it must never accept a row ajv rejects. Rows are generated from the schema's own
 * shapes, each field well typed or not, with odd values (NaN, negative or fractional indices,
 * nulls, nested junk) mixed in. Also: the schemas ajv compiles without meta-validation at run
 * time are valid JSON Schema, checked here once.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ajv } from 'ajv';
import { provenValid, validateRecord } from '../src/ingest/validate.js';
import { packageJson } from '../src/package-root.js';

const strict = new Ajv({ allErrors: false, strict: false }).compile(packageJson('schema/record.schema.json'));

const odd = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0.5, 2 ** 53, -0, null, '', '1', true, [], {}),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 3 }),
  fc.boolean(),
);
const num = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity));
/** Mostly the good value, now and then an odd one (deep inside arrays too). */
const maybe = (good: fc.Arbitrary<unknown>) => fc.oneof({ weight: 30, arbitrary: good }, { weight: 1, arbitrary: odd });
const list = (item: fc.Arbitrary<unknown>) => fc.array(item, { maxLength: 4 });
const str = fc.string({ maxLength: 4 });
const index = maybe(fc.nat());
const numOrNull = maybe(fc.oneof(num, fc.constant(null)));
const topEntry = maybe(fc.record({ logprob: maybe(num), token: maybe(str), id: index }, { requiredKeys: ['logprob'] }));

/** One arbitrary per schema field, well typed but for the odd value deep inside. */
const fields: Record<string, fc.Arbitrary<unknown>> = {
  id: fc.oneof(str, fc.double()),
  group: fc.oneof(str, fc.integer()),
  prompt: str,
  completion: str,
  task: str,
  processing: str,
  tokens: list(maybe(str)),
  token_ids: list(index),
  logprobs: list(numOrNull),
  reference_logprobs: list(numOrNull),
  context_logprobs: list(numOrNull),
  trailing_logprobs: list(numOrNull),
  top_logprobs: list(maybe(fc.oneof(fc.constant(null), fc.array(topEntry, { maxLength: 3 })))),
  logits: list(maybe(fc.array(maybe(num), { maxLength: 3 }))),
  score: fc.oneof(num, fc.constant(null)),
  score_kind: fc.constantFrom('logprob', 'mean_logprob', 'prob', 'nll', 'perplexity'),
  selected: fc.boolean(),
  gold: fc.boolean(),
  sentinel: num,
  norm_length: fc.oneof(fc.nat(), fc.double()),
  metrics: fc.dictionary(str, maybe(num), { maxKeys: 3 }),
  choice_index: index,
  distribution: fc.constantFrom('model', 'processed'),
  extra: odd,
};
const names = [...Object.keys(fields), 'unknown_field'];

/** A row of well-typed fields, then 0-2 fields replaced by odd values (or dropped, as undefined). */
const row = fc
  .tuple(fc.record(fields, { requiredKeys: [] }), fc.array(fc.tuple(fc.constantFrom(...names), fc.oneof(odd, fc.constant(undefined))), { maxLength: 2 }))
  .map(([base, changes]) => {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of changes) out[k] = v;
    return out;
  });

describe('the fast record check', () => {
  it('never accepts a row ajv rejects', () => {
    let proven = 0;
    fc.assert(
      fc.property(fc.oneof(row, odd), (value) => {
        if (!provenValid(value)) return;
        proven++;
        expect(strict(value), JSON.stringify(value)).toBe(true);
      }),
      { numRuns: 20000 },
    );
    // Not vacuous: a fair share of the generated rows is proven valid, so was held to ajv.
    expect(proven).toBeGreaterThan(200);
  });

  it('gives the same verdict as ajv through validateRecord', () => {
    fc.assert(
      fc.property(row, (value) => {
        expect(validateRecord(value) === null).toBe(strict(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('proves common canonical rows valid without ajv', () => {
    const topK = [[{ token: ' a', logprob: -0.1, id: 5 }, { token: ' b', logprob: -2.5, id: 9 }], null];
    const rows = [
      { id: 'r1', group: 'g1', score: -1.25, gold: true, selected: false, task: 'hellaswag', choice_index: 2 },
      { id: 7, score: null, score_kind: 'mean_logprob', metrics: { acc: 1 } },
      { id: 'r2', tokens: [' a', ' b'], token_ids: [5, 9], logprobs: [-0.1, NaN], top_logprobs: topK, score: -Infinity },
      { id: 'r3', logits: [[0.5, -1], [2, 3]], token_ids: [0, 1], norm_length: 2, distribution: 'model', extra: { any: 'thing' } },
      { id: 'r4', reference_logprobs: [-0.5, null], context_logprobs: [], trailing_logprobs: [-1], sentinel: -100 },
    ];
    for (const r of rows) {
      expect(provenValid(r), JSON.stringify(r)).toBe(true);
      expect(strict(r)).toBe(true);
    }
  });

  it('leaves every row it cannot prove to ajv', () => {
    for (const r of [{ score: 1 }, { id: 'x' }, { id: 'x', score: '1' }, { id: 'x', score: 1, token_ids: [1.5] }, { id: 'x', score: 1, norm_length: NaN }, [1], null]) {
      expect(provenValid(r), JSON.stringify(r)).toBe(false);
    }
  });

  it('runs on schemas that are valid JSON Schema (ajv skips that check at run time)', () => {
    const meta = new Ajv({ strict: false });
    for (const name of ['record', 'config', 'baseline', 'mapping']) {
      expect(meta.validateSchema(packageJson(`schema/${name}.schema.json`)), name).toBe(true);
    }
  });
});
