/**
 * Everything a record rule may ask about one record, computed once and shared: the recorded
 * numbers, the reference, and the tolerances an honest pipeline stays within.
 */
import type { AuditRecord, ScoreKind } from '../types.js';
import { buildReference, type StepReference } from '../reference/sequence.js';
import { compensatedSum, float32Tolerance, sumTolerance, tokenTolerance } from '../reference/math.js';
import { allLogprobs } from '../reference/vectors.js';
import { SCORE_KINDS } from '../reference/score-kinds.js';

export class RecordContext {
  readonly ref: StepReference;
  /** Continuation length in tokens. */
  readonly n: number;
  /** Recorded per-token values (null → NaN), or null when the record has none. */
  readonly values: Float64Array | null;
  /** How many recorded values are null. */
  readonly nulls: number;
  /** Σ recorded values, nulls counted as 0 (what Python's sum over a None-filtered list or JS gives). */
  readonly valuesTotal: number;
  /** Σ |recorded values|, for tolerances. */
  readonly valuesAbs: number;
  readonly score: number | undefined;
  readonly kind: ScoreKind;

  constructor(
    readonly record: AuditRecord,
    readonly file: string,
    readonly line: number,
  ) {
    this.ref = buildReference(record);
    this.n = this.ref.n;
    const lp = record.logprobs;
    let nulls = 0;
    if (lp) {
      const v = new Float64Array(lp.length);
      let abs = 0;
      for (let i = 0; i < lp.length; i++) {
        const x = lp[i];
        if (x === null) {
          v[i] = NaN;
          nulls++;
        } else {
          v[i] = x;
          abs += Math.abs(x);
        }
      }
      this.values = v;
      this.valuesAbs = abs;
      // A null summed by a careless scorer counts as 0 (JavaScript's null + x, a fillna(0)).
      this.valuesTotal = compensatedSum(nulls === 0 ? v : v.map((x, i) => (lp[i] === null ? 0 : x)));
    } else {
      this.values = null;
      this.valuesAbs = 0;
      this.valuesTotal = NaN;
    }
    this.nulls = nulls;
    this.score = record.score === null ? undefined : record.score;
    this.kind = record.score_kind ?? 'logprob';
  }

  get id(): string | number {
    return this.record.id;
  }

  /** Tolerance for a total of `count` float32 terms against the float64 reference. */
  tol(absSum: number, count: number): number {
    return float32Tolerance(absSum, count);
  }

  /** Tolerance for a float32 sum of `count` recorded values against their exact sum. */
  sumTol(absSum: number, count: number): number {
    return sumTolerance(absSum, count);
  }

  /** Tolerance for one per-token value near v. */
  tokenTol(v: number): number {
    return tokenTolerance(v);
  }

  /**
   * What the score should be, in its declared kind, if the sequence's total log-prob is
   * `total` over `count` tokens.
   */
  declared(total: number, count = this.n): number {
    return SCORE_KINDS[this.kind].declared(total, count);
  }

  /**
   * True when the recorded score equals `declared(total)`. `fromValues`: the total is a sum of
   * the recorded values themselves (only summation error allowed), else of reference values.
   */
  scoreIs(total: number, absSum: number, count = this.n, fromValues = false): boolean {
    if (this.score === undefined) return false;
    const want = this.declared(total, count);
    if (want === this.score) return true;
    if (!Number.isFinite(want) || !Number.isFinite(this.score)) return false;
    const spec = SCORE_KINDS[this.kind];
    let t = fromValues ? this.sumTol(absSum, count) : this.tol(absSum, count);
    if (spec.perToken) t = t / Math.max(1, count);
    if (spec.exponential) t = t * Math.abs(want) + 1e-12;
    return Math.abs(this.score - want) <= t;
  }

  /** Step i's recorded value agrees with the reference value (float32 rounding allowed). */
  valueMatches(i: number, reference: number): boolean {
    const v = this.values![i];
    return Math.abs(v - reference) <= this.tokenTol(reference);
  }

  private _base: BaseSum | null | undefined;

  /**
   * The per-token values a score was most likely built from: the recorded ones, else the
   * reference's when every step is known; with their total and Σ|v|. Memoised: the score-layer
   * rules (windows, means, products, sums) all start from it.
   */
  get base(): BaseSum | null {
    if (this._base !== undefined) return this._base;
    let base: BaseSum | null = null;
    if (this.values && this.values.length === this.n && this.nulls === 0) {
      base = { values: this.values, total: this.valuesTotal, abs: this.valuesAbs, fromValues: true, logprobs: allLogprobs(this.values) };
    } else if (this.ref.known === this.n && this.n > 0) {
      const e = this.ref.exact;
      base = { values: e, total: this.ref.total, abs: this.refAbs, fromValues: false, logprobs: allLogprobs(e) };
    }
    return (this._base = base);
  }

  private _refAbs: number | undefined;

  /** Σ |reference log-prob| over the steps (NaN while a step is unknown), for tolerances. */
  get refAbs(): number {
    if (this._refAbs === undefined) {
      let a = 0;
      for (let i = 0; i < this.n; i++) a += Math.abs(this.ref.exact[i]);
      this._refAbs = a;
    }
    return this._refAbs;
  }

  private _disagrees: boolean | undefined;

  /** Whether the record's numbers disagree with the reference anywhere (values, or the score). Memoised. */
  get disagrees(): boolean {
    if (this._disagrees === undefined) {
      const check = this.valuesCheck;
      this._disagrees =
        (check.comparable && !check.agree) ||
        (this.score !== undefined && !Number.isNaN(this.ref.total) && !this.scoreIs(this.ref.total, this.refAbs));
    }
    return this._disagrees;
  }

  private _valuesCheck: ValuesCheck | undefined;

  /**
   * Do the recorded per-token values agree with the reference? Known steps must match,
   * unknown ones must not exceed their upper bound. Memoised: many rules ask.
   */
  get valuesCheck(): ValuesCheck {
    if (this._valuesCheck) return this._valuesCheck;
    const v = this.values;
    const ref = this.ref;
    const res: ValuesCheck = { comparable: false, agree: true, mismatched: 0, firstMismatch: -1, checked: 0 };
    if (v && v.length === this.n && (ref.level === 'logits' || ref.level === 'topk' || ref.level === 'server')) {
      res.comparable = true;
      for (let i = 0; i < v.length; i++) {
        const e = ref.exact[i];
        let ok: boolean;
        if (!Number.isNaN(e)) {
          ok = this.valueMatches(i, e);
          res.checked++;
        } else {
          ok = !(v[i] > ref.upper[i] + this.tokenTol(ref.upper[i]));
          if (ref.upper[i] !== 0) res.checked++;
        }
        if (!ok) {
          res.agree = false;
          res.mismatched++;
          if (res.firstMismatch < 0) res.firstMismatch = i;
        }
      }
    }
    this._valuesCheck = res;
    return res;
  }

  /** The token text of step i, for evidence. */
  token(i: number): string | undefined {
    return this.record.tokens?.[i];
  }
}

export interface BaseSum {
  values: Float64Array;
  /** Σ values (compensated) and Σ |values|. */
  total: number;
  abs: number;
  /** The recorded values themselves (only summation error separates them from the score). */
  fromValues: boolean;
  /** Every value could be a log-prob (≤ 0). */
  logprobs: boolean;
}

export interface ValuesCheck {
  /** Values and a reference of the same length exist. */
  comparable: boolean;
  agree: boolean;
  mismatched: number;
  firstMismatch: number;
  /** Steps where the check had something to compare with. */
  checked: number;
}
