/**
 * A multiple-choice group once all its candidates are in: what each candidate's total is by the
 * reference, and which one the pipeline picked.
 */
import type { ScoreKind } from '../types.js';

export interface Candidate {
  id: string | number;
  line: number;
  selected: boolean;
  gold: boolean | undefined;
  /** Best-known total log-prob: the reference, else the recorded score when nothing contradicts it. NaN if unknown. */
  total: number;
  /** Log-prob of the first continuation token, NaN if unknown. */
  first: number;
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

/** Totals closer than this are a tie: the pick between them is not a bug. */
export const TIE = 1e-4;

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

  /** True when another candidate's key is within TIE of c's (the ordering is not meaningful). */
  tieWith(c: Candidate, key: (c: Candidate) => number): boolean {
    const k = key(c);
    return this.candidates.some((o) => o !== c && Math.abs(key(o) - k) <= TIE);
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
