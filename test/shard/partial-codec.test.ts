/**
 * The FilePass codec (src/engine/partial.ts) is lossless: any value made of what a pass holds
 * (numbers including -0, NaN and ±Infinity, strings, booleans, null, undefined, arrays, plain
 * objects, Maps and Sets in their insertion order, objects with a `$` key of their own) comes
 * back from JSON text as it was, and so do the real passes of the sample runs.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditFiles, engineConfig, finishRun } from '../../src/engine/index.js';
import { decodePass, decodeValue, encodePass, encodeValue, PartialFormatError } from '../../src/engine/partial.js';
import { listInputFiles } from '../../src/ingest/index.js';
import { defaultRuleSet } from '../../rules/index.js';

const throughJson = (v: unknown) => decodeValue(JSON.parse(JSON.stringify(encodeValue(v, 'v'))), 'v');

/** Equal as the codec promises: numbers by Object.is, Maps, Sets and object keys in the same order. */
function same(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b) ? null : `${path}: ${String(a)} ≠ ${String(b)}`;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? null : `${path}: ${String(a)} ≠ ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: different kinds`;
  const entries = (o: object): [unknown, unknown][] =>
    o instanceof Map ? [...o] : o instanceof Set ? [...o].map((v, i) => [i, v]) : Array.isArray(o) ? o.map((v, i) => [i, v]) : Object.entries(o);
  const ea = entries(a);
  const eb = entries(b);
  if (ea.length !== eb.length) return `${path}: ${ea.length} members ≠ ${eb.length}`;
  for (let i = 0; i < ea.length; i++) {
    const d = same(ea[i][0], eb[i][0], `${path} key ${i}`) ?? same(ea[i][1], eb[i][1], `${path}.${String(ea[i][0])}`);
    if (d) return d;
  }
  return null;
}

const key = fc.oneof(fc.string(), fc.constantFrom('$', '__proto__', 'constructor', '0', '10', 'entries', 'value'));
const scalar = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1 + 0.2),
  fc.integer(),
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object'), tie('map'), tie('set')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((kv) => Object.fromEntries(kv)),
  map: fc.array(fc.tuple(fc.oneof(fc.string(), fc.double(), fc.integer()), tie('value')), { maxLength: 4 }).map((kv) => new Map(kv)),
  set: fc.array(scalar, { maxLength: 4 }).map((vs) => new Set(vs)),
}));

describe('FilePass codec', () => {
  it('round-trips any value of the kinds a pass holds, through JSON text', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(same(throughJson(v), v)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps what JSON alone would lose', () => {
    for (const v of [-0, NaN, Infinity, -Infinity, undefined, { $: 'NaN' }, { $: 'object', value: 1 }, new Map([[2, 'b'], [1, 'a']]), new Set(['z', 'a'])]) {
      expect(same(throughJson(v), v), String(v)).toBeNull();
    }
    // Without the codec, these change:
    expect(JSON.parse(JSON.stringify({ x: -0, y: NaN }))).toEqual({ x: 0, y: null });
  });

  it('the check itself tells -0 from 0, key order and map order apart', () => {
    expect(same(-0, 0)).not.toBeNull();
    expect(same({ a: 1, b: 2 }, { b: 2, a: 1 })).not.toBeNull();
    expect(same(new Map([[1, 1], [2, 2]]), new Map([[2, 2], [1, 1]]))).not.toBeNull();
    expect(same(new Set([1]), [1])).not.toBeNull();
  });

  it('refuses what is no part of a pass, and a damaged encoding', () => {
    expect(() => encodeValue(new Float64Array(2), 'v')).toThrow(/Float64Array/);
    expect(() => encodeValue(10n, 'v')).toThrow(TypeError);
    expect(() => decodeValue({ $: 'date' }, 'v')).toThrow(PartialFormatError);
    expect(() => decodeValue({ $: 'map', entries: [[1]] }, 'v')).toThrow(PartialFormatError);
  });

  it("round-trips the sample runs' real passes, and finishRun makes the same run of them", async () => {
    const rules = defaultRuleSet;
    const config = engineConfig(rules);
    const files = await listInputFiles([join(__dirname, '..', '..', 'sample-runs')]);
    // The audited items are no part of the encoded pass: a partial report writes them on lines of their own (partial-report.test.ts).
    const passes = (await auditFiles(files, config, { listAudited: true })).map(({ summary: { auditedItems: _, ...summary }, ...pass }) => ({ ...pass, summary }));
    const decoded = passes.map((p) => decodePass(JSON.parse(JSON.stringify(encodePass(p)))));
    for (const [i, p] of passes.entries()) expect(same(decoded[i], p, files[i])).toBeNull();
    expect(same(finishRun(decoded, config), finishRun(passes, config))).toBeNull();
  });
});
