/**
 * jsonPieces writes a report's long array in pieces: joined, they must be exactly
 * JSON.stringify(report, null, 2), whatever the items hold and however deep the array sits
 * (the JSON report's `findings` at depth 1, SARIF's `runs[0].results` at depth 3).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joined, jsonPieces } from '../src/report/json-pieces.js';

/** Items of any JSON, enough of them now and then to fill more than one piece (256 items). */
const items = fc.oneof(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 250, maxLength: 600 }));
const members = fc.dictionary(
  fc.string().filter((k) => k !== 'findings' && k !== 'runs' && k !== 'results'),
  fc.jsonValue({ maxDepth: 3 }),
  { maxKeys: 4 },
);

describe('jsonPieces', () => {
  it('joined, equals JSON.stringify(report, null, 2) with the array at depth 1', () => {
    fc.assert(
      fc.property(members, items, (head, list) => {
        const text = joined(jsonPieces({ ...head, findings: [] }, list, (x) => x));
        expect(text).toBe(`${JSON.stringify({ ...head, findings: list }, null, 2)}\n`);
      }),
      { numRuns: 150 },
    );
  });

  it('joined, equals JSON.stringify(report, null, 2) with the array deeper (as SARIF runs[0].results), items converted', () => {
    fc.assert(
      fc.property(members, members, items, (head, run, list) => {
        const convert = (x: unknown) => ({ value: x, kind: typeof x });
        const text = joined(jsonPieces({ ...head, runs: [{ ...run, results: [] }] }, list, convert));
        expect(text).toBe(`${JSON.stringify({ ...head, runs: [{ ...run, results: list.map(convert) }] }, null, 2)}\n`);
      }),
      { numRuns: 150 },
    );
  });

  it('writes a piece per 256 items, each ending at a line break, and the head alone when there is no item', () => {
    const pieces = [...jsonPieces({ a: 1, findings: [] }, Array.from({ length: 600 }, (_, k) => ({ k })), (x) => x)];
    // The head, three pieces of items (256 + 256 + 88), the tail.
    expect(pieces).toHaveLength(5);
    for (const p of pieces) expect(p.endsWith('\n')).toBe(true);
    expect(pieces[1].trimEnd().endsWith(',')).toBe(true);
    expect(pieces[3].trimEnd().endsWith(',')).toBe(false);
    expect([...jsonPieces({ a: 1, findings: [] }, [], (x) => x)]).toEqual([`${JSON.stringify({ a: 1, findings: [] }, null, 2)}\n`]);
  });
});
