/** The compact id set agrees with a Set on every id kind, and never takes a collision for a duplicate. */
import { describe, expect, it } from 'vitest';
import { IdLog, IdSet } from '../src/ingest/id-set.js';

describe('IdSet', () => {
  it('tells ids apart as a Set does (1 is not "1"; NaN is one id; -0 is 0)', () => {
    const ids: (string | number)[] = [1, '1', 0, -0, NaN, Number.NaN, '', 'a', 'ä', '猫', '😀', 1.5, -1, 'A', 'a\u0000', 2 ** 53, '0'];
    const ours = new IdSet();
    const set = new Set<string | number>();
    for (const id of ids) expect(ours.add(id)).toBe(!set.has(id) && Boolean(set.add(id)));
    expect(ours.size).toBe(set.size);
    for (const id of [...ids, 2, '2', 'b', '猫猫']) expect(ours.has(id)).toBe(set.has(id));
  });

  it('matches a Set over many ids of every length, through growth and across chunks', () => {
    const ours = new IdSet();
    const set = new Set<string | number>();
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 60_000; k++) {
      const r = rand();
      const id =
        r < 0.3 ? Math.floor(rand() * 40_000) : r < 0.8 ? `q${Math.floor(rand() * 30_000)}-c${Math.floor(rand() * 4)}` : r < 0.99 ? `é${'x'.repeat(Math.floor(rand() * 300))}${k % 97}` : `${'猫'.repeat(20_000 + (k % 7))}`;
      expect(ours.add(id)).toBe(!set.has(id) && Boolean(set.add(id)));
    }
    expect(ours.size).toBe(set.size);
    expect(ours.has('q1-c9')).toBe(false);
  });

  it('keeps sets apart (their empty tables start shared, and each gets its own on its first id)', () => {
    const sets = [new IdSet(), new IdSet(), new IdSet()];
    for (let i = 0; i < 500; i++) expect(sets[i % 3].add(`id-${i}`)).toBe(true);
    for (let i = 0; i < 500; i++) for (let k = 0; k < 3; k++) expect(sets[k].has(`id-${i}`)).toBe(i % 3 === k);
    expect(new IdSet().has('id-0')).toBe(false);
    expect(sets.map((s) => s.size)).toEqual([167, 167, 166]);
  });

  it('stores long ids (longer than a chunk) exactly', () => {
    const ours = new IdSet();
    const long = 'x'.repeat(200_000);
    expect(ours.add(long)).toBe(true);
    expect(ours.add('after')).toBe(true);
    expect(ours.has(long)).toBe(true);
    expect(ours.has(`${long}y`)).toBe(false);
    expect(ours.has('x'.repeat(199_999) + 'y')).toBe(false);
    expect(ours.add(long)).toBe(false);
    expect(ours.has('after')).toBe(true);
  });

  it('compares the ids themselves, not only their hashes', () => {
    // Two ids whose 32-bit hashes collide (found by a birthday search over random strings).
    const [a, b] = ['jyvamzkvpz', 'xsifceifxg'];
    const ours = new IdSet();
    const hashOf = (ours as unknown as { hash(id: string): number }).hash.bind(ours);
    expect(hashOf(a)).toBe(hashOf(b));
    expect(ours.add(a)).toBe(true);
    expect(ours.has(b)).toBe(false);
    expect(ours.add(b)).toBe(true);
    expect(ours.size).toBe(2);
    expect(ours.add(b)).toBe(false);
  });
});

describe('IdLog', () => {
  const logOf = (ids: readonly (string | number)[]) => {
    const log = new IdLog();
    for (const id of ids) log.append(id);
    return log;
  };

  it('says an id repeats exactly when a Set would have met it before (1 is not "1"; NaN is one id; -0 is 0)', () => {
    const distinct: (string | number)[] = [1, '1', 0, NaN, '', 'a', 'ä', '猫', '😀', 1.5, -1, 'A', 'a\u0000', 2 ** 53, '0', 'x'.repeat(200), '猫'.repeat(20_000)];
    expect(logOf(distinct).repeats()).toBe(false);
    for (const [id, again] of [[0, -0], [NaN, Number.NaN], ['猫', '猫'], ['x'.repeat(200), 'x'.repeat(200)], ['', '']] as const) {
      expect(logOf([...distinct, again]).repeats(), String(id)).toBe(true);
    }
  });

  it('matches a Set over many ids, through growth, with the repeat anywhere', () => {
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const ids = new Set<string | number>();
    while (ids.size < 50_000) ids.add(rand() < 0.3 ? Math.floor(rand() * 1e9) : `q${Math.floor(rand() * 1e9)}-c${Math.floor(rand() * 4)}`);
    const list = [...ids];
    const log = logOf(list);
    expect(log.size).toBe(list.length);
    expect(log.repeats()).toBe(false);
    for (const at of [0, 1, 25_000, list.length - 1]) expect(logOf([...list, list[at]]).repeats(), `repeat of #${at}`).toBe(true);
  });

  it('compares the ids themselves, not only their hashes', () => {
    const [a, b] = ['jyvamzkvpz', 'xsifceifxg']; // their 32-bit hashes collide
    const hashOf = (new IdLog() as unknown as { hash(id: string): number }).hash.bind(new IdLog());
    expect(hashOf(a)).toBe(hashOf(b));
    expect(logOf([a, b]).repeats()).toBe(false);
    expect(logOf([a, b, 'c', b]).repeats()).toBe(true);
  });
});
