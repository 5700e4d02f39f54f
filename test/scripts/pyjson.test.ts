/** scripts/lib/pyjson.ts against what CPython 3 writes (expected strings from json.dumps, repr, csv.writer). */
import { describe, expect, it } from 'vitest';
import { csvCell, pyDumps, pyFloat } from '../../scripts/lib/pyjson.js';

describe('pyFloat is repr(float)', () => {
  it.each([
    [1e-5, '1e-05'],
    [1.5e-4, '0.00015'],
    [1e-4, '0.0001'],
    [0.00012345678901234, '0.00012345678901234'],
    [2.5e-7, '2.5e-07'],
    [5e-324, '5e-324'],
    [1e15, '1000000000000000.0'],
    [9999999999999998, '9999999999999998.0'],
    [1e16, '1e+16'],
    [123456789012345680, '1.2345678901234568e+17'],
    [1e22, '1e+22'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [123, '123.0'],
    [-9999, '-9999.0'],
    [-2, '-2.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-14.960230827331543, '-14.960230827331543'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ])('%s → %s', (x, text) => {
    expect(pyFloat(x)).toBe(text);
  });
});

describe('pyDumps is json.dumps', () => {
  it.each<[string, unknown, Parameters<typeof pyDumps>[1], string]>([
    ['non-finite numbers bare', [NaN, Infinity, -Infinity], {}, '[NaN, Infinity, -Infinity]'],
    [
      'default separators, nesting, empty containers, ensure_ascii',
      { a: [1.5, { b: null, c: true }], é: 'é😀\u007f\u0001\n"\\', e: [], f: {} },
      {},
      '{"a": [1.5, {"b": null, "c": true}], "\\u00e9": "\\u00e9\\ud83d\\ude00\\u007f\\u0001\\n\\"\\\\", "e": [], "f": {}}',
    ],
    ['compact separators, ensure_ascii off', { a: [1.5, { b: null }], é: 'é😀' }, { separators: [',', ':'], ensureAscii: false }, '{"a":[1.5,{"b":null}],"é":"é😀"}'],
    ['line separator and lone surrogate', '\u2028\ud800', {}, '"\\u2028\\ud800"'],
    ['every number a float unless under an int key', { id: 3, token_ids: [4, 5], score: -2, x: 3 }, { intKeys: new Set(['id', 'token_ids']) }, '{"id": 3, "token_ids": [4, 5], "score": -2.0, "x": 3.0}'],
    ['a non-integer under an int key stays a float', { id: 2.5 }, { intKeys: new Set(['id']) }, '{"id": 2.5}'],
    ['ints past 2^53 in full', { id: 1e21 }, { intKeys: new Set(['id']) }, '{"id": 1000000000000000000000}'],
    ['a Map keeps integer-like keys in insertion order', new Map([['12', 1], ['5', 2]]), {}, '{"12": 1.0, "5": 2.0}'],
    ['typed arrays as lists', { v: new Float64Array([0.5, -1]) }, {}, '{"v": [0.5, -1.0]}'],
    ['undefined properties left out, undefined in a list null', { a: undefined, b: [undefined] }, {}, '{"b": [null]}'],
  ])('%s', (_name, value, options, text) => {
    expect(pyDumps(value, options)).toBe(text);
  });

  it('refuses what json.dumps cannot write', () => {
    expect(() => pyDumps({ f: () => 1 })).toThrow(TypeError);
  });
});

describe('csvCell is a csv.writer cell', () => {
  it.each<[unknown, string, string]>([
    ['plain', 'prompt', 'plain'],
    ['a,b', 'prompt', '"a,b"'],
    ['x"y', 'prompt', '"x""y"'],
    ['line\nbreak', 'prompt', '"line\nbreak"'],
    [undefined, 'gold', ''],
    [-14.5, 'score', '-14.5'],
    [NaN, 'score', 'nan'],
    [-Infinity, 'score', '-inf'],
    [true, 'selected', 'true'],
    [[' a', 'b'], 'tokens', '"["" a"", ""b""]"'],
    [[3, 4], 'token_ids', '"[3, 4]"'],
    [[-1, NaN], 'logprobs', '"[-1.0, NaN]"'],
  ])('%j (%s) → %s', (value, key, text) => {
    expect(csvCell(value, key, { intKeys: new Set(['token_ids']) })).toBe(text);
  });
});
