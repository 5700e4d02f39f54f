/**
 * Everything a record rule may ask about one record, computed once and shared: the recorded
 * numbers, the reference, the tolerances an honest pipeline stays within (RecordPrecision, at the
 * current tier), and the comparisons the rules make with them: does the no-bug reading fit, does a
 * hypothesis stand clear of it.
 */
import type { AuditRecord } from '../types.js';
import { K_STEP, PROBABILITY_SCORE_FLOOR, SEPARATION, UNIT_ROUNDOFF, quadratureTolerance, type PrecisionSetting } from '../reference/precision.js';
import { ZERO_PRINT_RESOLUTION, shortPrintResolution } from '../reference/storage.js';
import { allLogprobs } from '../reference/vectors.js';
import { SCORE_KINDS } from '../reference/score-kinds.js';
import { RecordPrecision } from './record-precision.js';
import { listPrintOf, listedResolution, listedSum, valuesSampleOf, type Print, type PrintSample } from './listed-print.js';

/** The same against the printed resolutions of all the recorded values and listed references (looked at only when needed). */
function exceedsValues(miss: number, tol: number, ctx: RecordContext): boolean {
  return miss > tol && miss > tol + ctx.valuesResolution + ctx.refResolution;
}

export class RecordContext extends RecordPrecision {
  constructor(
    record: AuditRecord,
    readonly file: string,
    readonly line: number,
    /** The precision the audit was told (`auto`: inferred from the evidence). */
    setting: PrecisionSetting = 'auto',
  ) {
    super(record, setting);
  }

  get id(): string | number {
    return this.record.id;
  }

  /**
   * Step i's value misses the no-bug reading by more than even the widest precision the setting
   * allows explains: what a hypothesis with many ways to fit (any listed token, a temperature with
   * truncation slack) needs somewhere, so that honest half-precision noise never lands on it by chance.
   */
  beyondWidest(i: number): boolean {
    const v = this.values;
    if (!v || i >= v.length || i >= this.n) return false;
    const e = this.ref.exact[i];
    const miss = Number.isNaN(e) ? v[i] - this.ref.upper[i] : Math.abs(v[i] - e);
    const lp = Number.isNaN(e) ? Math.min(this.ref.upper[i], 0) : e;
    return this.exceedsAt(miss, K_STEP * this.scaleFor(i, lp, this.widest), i);
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
   * the recorded values themselves (only summation error and printing allowed), else of
   * reference values (the steps' honest noise too). Printing is looked at only when the numbers
   * miss without it; `slack` widens that bound further (fitsAsPrint). `summands`: what the numbers
   * summed are known to in all (default: the values' or the listed references' printed digits).
   */
  scoreIs(total: number, absSum: number, count = this.n, fromValues = false, slack = 0, summands?: number): boolean {
    if (this.score === undefined) return false;
    const want = this.declared(total, count);
    if (want === this.score) return true;
    if (!Number.isFinite(want) || !Number.isFinite(this.score)) return false;
    const base = fromValues ? this.sumTol(absSum, count) : this.totalTol(absSum, count);
    const miss = Math.abs(this.score - want);
    if (miss <= this.scoreTol(base, want, count)) return true;
    const printed = this.scoreTol(base + (summands ?? (fromValues ? this.valuesResolution : this.refResolution)), want, count) + this.scoreResolution + slack;
    return miss <= printed;
  }

  /**
   * The catch-all's last question before it says the score is not the values' sum: values that
   * are all short binary fractions read as exact (valuesPrint: read as prints, hypotheses would fit
   * them by chance), yet a print to their own digits writes them too: round(-27.6250057, 4) is
   * -27.625, beside the score -27.6250057. Whether the score is their sum within those digits
   * (and `slack`). No rule named a bug by then; what this lets pass is a score within the values'
   * last shown digit of their sum.
   */
  scoreFitsValuesAsPrint(slack = 0): boolean {
    const v = this.values;
    if (this.score === undefined || !v || v.length !== this.n || this.nulls > 0) return false;
    const resolution = listedSum(v, v.length, this.valuesSample.asPrint);
    return resolution > this.valuesResolution && this.scoreIs(this.valuesTotal, this.valuesAbs, this.n, true, slack, resolution);
  }

  /** A total's tolerance carried into the score's declared kind. */
  private scoreTol(t: number, want: number, count: number): number {
    const spec = SCORE_KINDS[this.kind];
    if (spec.perToken) t = t / Math.max(1, count);
    // exp of the total carries its error relatively, and rounds once more when stored as float32.
    if (spec.exponential) t = (t + UNIT_ROUNDOFF.float32) * Math.abs(want) + PROBABILITY_SCORE_FLOOR;
    return t;
  }

  /** Step i's recorded value agrees with its reference value (the value's printing allowed). */
  valueMatches(i: number, reference: number): boolean {
    return !this.exceedsAt(Math.abs(this.values![i] - reference), this.stepTol(i), i);
  }

  // -------------------------------------------------------------------------------------------
  // The no-bug reading
  // -------------------------------------------------------------------------------------------

  /**
   * Step i's recorded value misses the no-bug reading (its reference, or its upper bound where
   * unlisted) by more than SEPARATION tolerances: a hypothesis that explains it is told apart
   * from honest noise there.
   */
  standsClear(i: number): boolean {
    const v = this.values;
    if (!v || i >= v.length || i >= this.n) return false;
    const e = this.ref.exact[i];
    const miss = Number.isNaN(e) ? v[i] - this.ref.upper[i] : Math.abs(v[i] - e);
    return this.exceedsAt(miss, SEPARATION * this.stepTol(i), i);
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

  /**
   * Whether the numbers fit the no-bug reading at the current tier: every value its reference
   * (and their errors together in quadrature), the score the reference total, else the sum of the
   * values. Memoised per tier.
   */
  get nullFits(): boolean {
    const m = this.memo;
    if (m.fits !== undefined) return m.fits;
    let fits = this.fitsWith(0);
    if (!fits && this.zeroPrint > 0) fits = this.fitsWith(this.zeroPrint);
    return (m.fits = fits);
  }

  private _refResolution: number | undefined;

  /** Σ of the printed resolutions of the reference's listed numbers (listed-print.ts), 0 for a reference recomputed from logits. */
  get refResolution(): number {
    if (this._refResolution !== undefined) return this._refResolution;
    const listed = this.ref.level === 'topk' || this.ref.level === 'server';
    // Lists with a number written whole were not printed: one look at them, not one per step.
    const whole = listed && (this.record.top_logprobs?.length ?? 0) > 0 && this.listPrint.finest === 0;
    return (this._refResolution = listed && !whole ? listedSum(this.ref.exact, this.n, this.listPrint) : 0);
  }

  /** The printed resolution of step i's listed reference number (see refResolution). */
  refResolutionAt(i: number): number {
    if (this.refResolution === 0) return 0;
    const e = this.ref.exact[i];
    return Number.isNaN(e) ? 0 : listedResolution(e, this.listPrint);
  }

  /** What a listed number of this record is known to (listed-print.ts). */
  listedResolution(e: number): number {
    return listedResolution(e, this.listPrint);
  }

  private _listPrint: Print | undefined;

  /** How the record's top-k lists were printed (listed-print.ts). */
  private get listPrint(): Print {
    return (this._listPrint ??= listPrintOf(this.record.top_logprobs));
  }

  private _valuesSample: PrintSample | undefined;
  private _valuesPrint: Print | undefined;

  /** The sample of the record's per-token values that tells how they were printed (listed-print.ts). */
  private get valuesSample(): PrintSample {
    return (this._valuesSample ??= valuesSampleOf(this.values));
  }

  /** How the record's per-token values were printed (listed-print.ts). */
  private get valuesPrint(): Print {
    return (this._valuesPrint ??= this.valuesSample.print);
  }

  /** What step i's recorded value is known to: its printed digits, or, a 0 or short binary fraction, the values' (listed-print.ts). */
  valueResolutionAt(i: number): number {
    return listedResolution(this.values![i], this.valuesPrint);
  }

  private _valuesResolution: number | undefined;

  /** Σ of the recorded values' printed resolutions (valueResolutionAt; a null is known to nothing). */
  get valuesResolution(): number {
    if (this._valuesResolution !== undefined) return this._valuesResolution;
    let s = 0;
    if (this.values) for (let i = 0; i < this.values.length; i++) s += this.valueResolutionAt(i);
    return (this._valuesResolution = s);
  }

  /**
   * `miss` of step i's value exceeds `tol` and the value's printed resolution (its digits looked at
   * only when the tolerance alone is missed), and `reference`, the printed resolution of the number
   * it was compared with where that was listed (refResolutionAt).
   */
  private exceedsAt(miss: number, tol: number, i: number, reference = 0): boolean {
    return miss > tol && miss > tol + this.valueResolutionAt(i) + reference;
  }

  /**
   * What a score of 0 may be off by as a print (ZERO_PRINT_RESOLUTION), for a log-prob kind: the
   * no-bug reading's allowance, which the catch-all asks too. A probability of 0 is an underflow,
   * whatever the print.
   */
  get zeroPrint(): number {
    return this.score === 0 && !SCORE_KINDS[this.kind].exponential ? ZERO_PRINT_RESOLUTION : 0;
  }

  /** The no-bug reading at the current tier, the score allowed `slack` more (scoreIs). */
  private fitsWith(slack: number): boolean {
    const check = this.valuesCheck;
    let fits = !(check.comparable && !check.agree);
    const s = this.score;
    if (fits && s !== undefined && Number.isFinite(s)) {
      if (!Number.isNaN(this.ref.total)) fits = this.scoreIs(this.ref.total, this.refAbs, this.n, false, slack);
      else if (this.values && this.values.length === this.n && this.nulls === 0 && this.n > 0) fits = this.scoreIs(this.valuesTotal, this.valuesAbs, this.n, true, slack);
    }
    return fits;
  }

  /**
   * Whether the no-bug reading fits at float32 once the score is read as a print of its own
   * digits, however coarse (shortPrintResolution): what a half-precision verdict comes to in a
   * file that prints its scores (precision-pool.ts). False for a score that cannot be such a print.
   */
  get fitsAsPrint(): boolean {
    const slack = this.score === undefined ? 0 : shortPrintResolution(this.score);
    if (slack === 0) return false;
    const here = this.tierIndex;
    this.setTier(0);
    const fits = this.fitsWith(slack);
    this.setTier(here);
    return fits;
  }

  /**
   * Whether the no-bug reading fits at the widest tier the setting allows (the last one): a
   * hypothesis with slack enough to fit honest noise (a temperature at top-k level) is proposed
   * only when it does not.
   */
  get nullFitsWidest(): boolean {
    const last = this.tiers.length - 1;
    const here = this.tierIndex;
    if (here === last) return this.nullFits;
    this.setTier(last);
    const fits = this.nullFits;
    this.setTier(here);
    return fits;
  }

  /** Whether the record's numbers disagree with the no-bug reading at the current tier. */
  get disagrees(): boolean {
    return !this.nullFits;
  }

  /**
   * Do the recorded per-token values agree with the reference? Known steps must match, unknown
   * ones must not exceed their upper bound, and the known steps' errors must add up in quadrature.
   * Memoised per tier: many rules ask.
   */
  get valuesCheck(): ValuesCheck {
    const m = this.memo;
    if (m.valuesCheck) return m.valuesCheck as ValuesCheck;
    const v = this.values;
    const ref = this.ref;
    const res: ValuesCheck = { comparable: false, agree: true, mismatched: 0, firstMismatch: -1, checked: 0, worst: 0, worstRatio: 0, drift: 0 };
    if (v && v.length === this.n && (ref.level === 'logits' || ref.level === 'topk' || ref.level === 'server')) {
      res.comparable = true;
      let drift = 0;
      let squares = 0;
      const scales = this.scales;
      for (let i = 0; i < v.length; i++) {
        const e = ref.exact[i];
        const tol = K_STEP * scales[i];
        let ok: boolean;
        let miss = 0;
        if (!Number.isNaN(e)) {
          miss = Math.abs(v[i] - e);
          // The listed number's digits looked at only when the value's own do not explain the miss.
          ok = !this.exceedsAt(miss, tol, i) || !this.exceedsAt(miss, tol, i, this.refResolutionAt(i));
          drift += v[i] - e;
          squares += scales[i] * scales[i];
          res.checked++;
        } else {
          miss = Math.max(0, v[i] - ref.upper[i]);
          ok = !this.exceedsAt(miss, tol, i) && !Number.isNaN(v[i]);
          if (ref.upper[i] !== 0) res.checked++;
        }
        if (miss > res.worst) res.worst = miss;
        const ratio = miss / tol;
        if (ratio > res.worstRatio) res.worstRatio = ratio;
        if (!ok) {
          res.agree = false;
          res.mismatched++;
          if (res.firstMismatch < 0) res.firstMismatch = i;
        }
      }
      res.drift = drift;
      // Each value within its tolerance can still add up to more than honest noise does.
      if (res.agree && res.checked > 1 && exceedsValues(Math.abs(drift), quadratureTolerance(squares), this)) res.agree = false;
    }
    m.valuesCheck = res;
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
  /** Largest |value − reference| (or excess over an upper bound). */
  worst: number;
  /** Largest miss as a share of its step's tolerance. */
  worstRatio: number;
  /** Σ (value − reference) over the known steps. */
  drift: number;
}
