/**
 * A multiple-choice group once all its candidates are in: what each candidate's total is by the
 * reference, and which one the pipeline picked.
 */
import type { ScoreKind } from '../types.js';
import { TIE_FLOOR } from '../reference/precision.js';

export interface Candidate {
  id: string | number;
  line: number;
  selected: boolean;
  gold: boolean | undefined;
  /** Best-known total log-prob: the reference, else the recorded score when nothing contradicts it. NaN if unknown. */
  total: number;
  /** How far an honest pipeline's total could stand from `total` (its record's tolerance at the precision it was judged at). */
  tol: number;
  /** Log-prob of the first continuation token, NaN if unknown. */
  first: number;
  /** The same for `first`. */
  firstTol: number;
  tokens: number;
  /** The recorded score, as the pipeline compared it, and what it declares itself to be. */
  score: number | undefined;
  kind: ScoreKind;
  /** The record-level root cause found for this candidate, if any. */
  rootCause: string | null;
  choiceIndex?: number;
  normLength?: number;
  metrics?: Record<string, number>;
  task?: string;
  run?: string;
}

/** A key of a candidate (its total, first-token log-prob, mean) and that key's honest tolerance. */
export interface Key {
  of: (c: Candidate) => number;
  tol: (c: Candidate) => number;
}

/** Totals, first tokens and means, each with its tolerance. */
export const KEYS = {
  total: { of: (c: Candidate) => c.total, tol: (c: Candidate) => c.tol },
  lowest: { of: (c: Candidate) => -c.total, tol: (c: Candidate) => c.tol },
  first: { of: (c: Candidate) => c.first, tol: (c: Candidate) => c.firstTol },
  mean: { of: (c: Candidate) => (c.tokens > 0 ? c.total / c.tokens : NaN), tol: (c: Candidate) => c.tol / Math.max(1, c.tokens) },
} as const satisfies Record<string, Key>;

/**
 * Two candidates tie when their keys are closer than both their tolerances together: an honest
 * pipeline could have ranked them either way, so the pick between them is not a bug.
 */
export function tied(a: Candidate, b: Candidate, key: Key = KEYS.total): boolean {
  return Math.abs(key.of(a) - key.of(b)) <= key.tol(a) + key.tol(b) + TIE_FLOOR;
}

export class GroupContext {
  readonly selected: Candidate | null;
  readonly best: Candidate | null;
  readonly selectedCount: number;

  constructor(
    readonly file: string,
    readonly group: string | number,
    readonly candidates: Candidate[],
  ) {
    const picked = candidates.filter((c) => c.selected);
    this.selectedCount = picked.length;
    this.selected = picked.length === 1 ? picked[0] : null;
    this.best = candidates.every((c) => !Number.isNaN(c.total)) ? this.argmax((c) => c.total) : null;
  }

  /** The candidate with the largest key (first on ties); null when a key is unknown. */
  argmax(key: (c: Candidate) => number): Candidate | null {
    let best: Candidate | null = null;
    let bestKey = -Infinity;
    for (const c of this.candidates) {
      const k = key(c);
      if (Number.isNaN(k)) return null;
      if (best === null || k > bestKey) {
        best = c;
        bestKey = k;
      }
    }
    return best;
  }

  /** True when another candidate ties with c by `key` (the ordering is not meaningful). */
  tieWith(c: Candidate, key: Key): boolean {
    return this.candidates.some((o) => o !== c && tied(o, c, key));
  }

  /** Whether any candidate already carries a record-level root cause. */
  get hasRecordCause(): boolean {
    return this.candidates.some((c) => c.rootCause !== null);
  }

  /** The candidates' numbers, for a finding's evidence. */
  evidence(): Record<string, unknown> {
    return {
      candidates: this.candidates.map((c) => ({
        id: c.id,
        selected: c.selected,
        gold: c.gold,
        firstTokenLogprob: Number.isNaN(c.first) ? null : c.first,
        total: Number.isNaN(c.total) ? null : c.total,
        tokens: c.tokens,
      })),
      best: this.best?.id,
    };
  }
}
