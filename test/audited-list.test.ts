/** The compact list of audited items gives back what was put in, in order, and sorts as Array.prototype.sort by line does. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addAudited, auditedEntries, auditedListOf, clearAudited, newAuditedList, sortAudited, type AuditedItem } from '../src/engine/audited-list.js';

const id = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-ascii' }), fc.double(), fc.integer(), fc.constantFrom(-0, 0, NaN, Infinity, -Infinity, 1e21, ''));
const item = fc.record({ kind: fc.constantFrom<AuditedItem['kind']>('record', 'group'), id, line: fc.oneof(fc.nat(50), fc.integer({ min: 1, max: 2 ** 40 })) });
/** Up to ~3 pieces, so that ids are read across piece boundaries, from full pieces and from the last one. */
const items = fc.array(item, { maxLength: 2600, size: 'max' });

/** Object.is on ids and lines, in order. */
function same(a: readonly AuditedItem[], b: readonly AuditedItem[]): boolean {
  return a.length === b.length && a.every((x, i) => x.kind === b[i].kind && Object.is(x.id, b[i].id) && Object.is(x.line, b[i].line));
}

describe('audited list', () => {
  it('gives back every item as it was put in (ids by Object.is: -0, NaN, numbers apart from their text)', () => {
    fc.assert(
      fc.property(items, (xs) => {
        const list = auditedListOf(xs);
        return list.length === xs.length && same([...auditedEntries(list)], xs);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });

  it('sorts by line stably, as Array.prototype.sort does, and leaves a list in order as it is', () => {
    fc.assert(
      fc.property(items, (xs) => {
        const list = auditedListOf(xs);
        const pieces = list.pieces;
        sortAudited(list);
        const sorted = [...xs].sort((a, b) => a.line - b.line);
        const inOrder = xs.every((x, i) => i === 0 || xs[i - 1].line <= x.line);
        return same([...auditedEntries(list)], sorted) && (!inOrder || list.pieces === pieces) && list.inOrder;
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });

  it('is plain data: a structured clone (a post to another thread) reads the same', () => {
    const xs: AuditedItem[] = Array.from({ length: 1500 }, (_, i) => ({ kind: i % 3 ? 'record' : 'group', id: i % 2 ? `r${i}` : i, line: 1500 - i }));
    const list = sortAudited(auditedListOf(xs));
    const clone = structuredClone(list);
    expect(clone).toStrictEqual(list);
    expect(same([...auditedEntries(clone)], [...xs].reverse())).toBe(true);
  });

  it('is empty again after clearAudited, and fills again from there', () => {
    const list = newAuditedList();
    for (let i = 0; i < 2000; i++) addAudited(list, 'record', `x${i}`, i + 1);
    clearAudited(list);
    expect(list.length).toBe(0);
    expect([...auditedEntries(list)]).toEqual([]);
    addAudited(list, 'group', 'g', 5);
    addAudited(list, 'record', 7, 2);
    expect([...auditedEntries(sortAudited(list))]).toEqual([
      { kind: 'record', id: 7, line: 2 },
      { kind: 'group', id: 'g', line: 5 },
    ]);
  });
});
