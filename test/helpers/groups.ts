/**
 * Multiple-choice groups of toy candidates, and the policies a pipeline may pick by: the right
 * one (best total log-prob) and the buggy ones the group rules name.
 */
import type { AuditRecord } from '../../src/types.js';
import { clean, record, toy, type Level, type Recorded, type Toy } from './toy-model.js';

export type Pick = 'best' | 'greedy' | 'inverted' | 'mean';

function total(t: Toy): number {
  let s = 0;
  for (const v of t.lp) s += v;
  return s;
}

/** The key each policy maximises. */
export const policyKey: Record<Pick, (t: Toy) => number> = {
  best: total,
  greedy: (t) => t.lp[0],
  inverted: (t) => -total(t),
  mean: (t) => total(t) / t.n,
};

/** Index of the candidate a policy picks, or -1 when its best is within `gap` of another (a tie). */
export function pickBy(toys: readonly Toy[], policy: Pick, gap = 1e-2): number {
  const keys = toys.map(policyKey[policy]);
  let best = 0;
  for (let i = 1; i < keys.length; i++) if (keys[i] > keys[best]) best = i;
  return keys.some((k, i) => i !== best && keys[best] - k < gap) ? -1 : best;
}

/** Candidates of `sizes` tokens from consecutive seeds. */
export function toyGroup(seed: number, sizes: readonly number[]): Toy[] {
  return sizes.map((n, i) => toy(seed * 101 + i, n));
}

/** What each policy picks (-1 on a tie). */
export function picksOf(toys: readonly Toy[]): Record<Pick, number> {
  return { best: pickBy(toys, 'best'), greedy: pickBy(toys, 'greedy'), inverted: pickBy(toys, 'inverted'), mean: pickBy(toys, 'mean') };
}

/** The first group from `seed` on whose policies' picks satisfy `ok` (deterministic search). */
export function groupWhere(seed: number, sizes: readonly number[], ok: (picks: Record<Pick, number>) => boolean): Toy[] {
  for (let s = seed; s < seed + 5000; s++) {
    const toys = toyGroup(s, sizes);
    const picks = picksOf(toys);
    if (Object.values(picks).some((p) => p < 0)) continue;
    if (ok(picks)) return toys;
  }
  throw new Error(`no group of sizes ${sizes.join(',')} from seed ${seed} fits`);
}

/** The policies pick four different candidates: each pick can only be explained one way. */
export function allDistinct(p: Record<Pick, number>): boolean {
  return new Set([p.best, p.greedy, p.inverted, p.mean]).size === 4;
}

export interface GroupOptions {
  level?: Level;
  /** Index of the selected candidate (none when undefined). */
  selected?: number | number[];
  gold?: number;
  group?: string;
  /** What each candidate's scorer recorded (default: clean). */
  recorded?: (t: Toy, i: number) => Recorded;
}

/** The group's records, ids `<group>-c<i>`. */
export function groupRecords(toys: readonly Toy[], options: GroupOptions = {}): AuditRecord[] {
  const group = options.group ?? 'q1';
  const selected = options.selected === undefined ? [] : Array.isArray(options.selected) ? options.selected : [options.selected];
  return toys.map((t, i) => {
    const r = record(t, options.level ?? 'values', options.recorded ? options.recorded(t, i) : clean(t), `${group}-c${i}`);
    r.group = group;
    if (options.selected !== undefined) r.selected = selected.includes(i);
    if (options.gold !== undefined) r.gold = i === options.gold;
    return r;
  });
}
