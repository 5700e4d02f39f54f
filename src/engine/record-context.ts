/**
 * Everything a record rule may ask about one record, computed once and shared: the recorded
 * numbers, the reference, and the tolerances an honest pipeline stays within.
 *
 * Tolerances come from the precision model (src/reference/precision.ts) at the context's current
 * tier. A record is judged at float32 first; when the no-bug reading fails there and the setting
 * allows half precision, the engine asks the rules again at a half-precision tier (`nextTier`).
 * Memoised answers are per tier.
 */
import type { AuditRecord, ScoreKind } from '../types.js';
import { buildReference, type StepReference } from '../reference/sequence.js';
import { compensatedSum } from '../reference/math.js';
import {
  GRID_CHANCE,
  GridEvidence,
  K_STEP,
  PROBABILITY_SCORE_FLOOR,
  SEPARATION,
  TIERS,
  UNKNOWN_STEP,
  WIDEST_HALF,
  accumulationTolerance,
  halfTier,
  logitScale,
  printedResolution,
  printedResolutionSum,
  quadratureTolerance,
  stepScale,
  storageResolution,
  storedIn,
  onGrid,
  UNIT_ROUNDOFF,
  type HalfFormat,
  type PrecisionSetting,
  type StepStats,
  type Tier,
} from '../reference/precision.js';
import { allLogprobs } from '../reference/vectors.js';
import { SCORE_KINDS } from '../reference/score-kinds.js';


/** Answers that depend on the tier. */
interface TierMemo {
  scales?: Float64Array;
  valuesCheck?: ValuesCheck;
  fits?: boolean;
  totalTol?: number;
}

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
  private tierIndex = 0;
  private _tiers: Tier[] | undefined;
  private memo: TierMemo = {};
  private readonly memos: TierMemo[] = [this.memo];

  constructor(
    readonly record: AuditRecord,
    readonly file: string,
    readonly line: number,
    /** The precision the audit was told (`auto`: inferred from the evidence). */
    readonly setting: PrecisionSetting = 'auto',
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

  // -------------------------------------------------------------------------------------------
  // Tiers
  // -------------------------------------------------------------------------------------------

  /** The tier the rules are asked at now. */
  get tier(): Tier {
    return this.tiers[this.tierIndex];
  }

  /**
   * The tiers this record is judged at, in order. float32 alone when the setting says fp32 or the
   * numbers fit float32; else float32 then the half-precision tier: the declared one, or (auto) the
   * grid the record's own numbers show, else bfloat16, the widest.
   */
  get tiers(): Tier[] {
    if (this._tiers) return this._tiers;
    const tiers = [TIERS.fp32];
    this._tiers = tiers;
    if (this.setting !== 'fp32' && !this.nullFits) tiers.push(this.setting === 'auto' ? this.inferredHalf : TIERS[this.setting]);
    return tiers;
  }

  /** The widest tier the setting allows: what a check of the impossible (a list holding more than all the probability) allows for. */
  get widest(): Tier {
    if (this.setting === 'fp32') return TIERS.fp32;
    return this.setting === 'auto' ? this.inferredHalf : TIERS[this.setting];
  }

  /** The precision was declared, not inferred. */
  get precisionDeclared(): boolean {
    return this.setting !== 'auto';
  }

  /** No tier after this one: the last chance for a rule, and the only one for the catch-alls. */
  get finalTier(): boolean {
    return this.tierIndex === this.tiers.length - 1;
  }

  /** Moves to the next tier; false when there is none. */
  nextTier(): boolean {
    if (this.finalTier) return false;
    this.tierIndex++;
    this.memo = this.memos[this.tierIndex] ??= {};
    return true;
  }

  /** The half-precision format the record's values show (beyond chance), else the grid its score was stored on, else null. */
  get shownFormat(): HalfFormat | null {
    const claim = this.valuesGrid.grid(GRID_CHANCE);
    if (claim) return claim.format;
    return this.score === undefined ? null : storedIn(this.score);
  }

  /**
   * The half-precision tier a record is judged at when float32 fails: the format its values show,
   * else bfloat16, the widest. A score's grid tells only how it was summed (`accU`): a float32
   * sum of values lands on the finer float16 grid often enough, and says nothing of the logits.
   */
  private get inferredHalf(): Tier {
    const claim = this.valuesGrid.grid(GRID_CHANCE);
    return claim ? halfTier(claim.format) : TIERS[WIDEST_HALF];
  }

  // -------------------------------------------------------------------------------------------
  // Tolerances at the current tier
  // -------------------------------------------------------------------------------------------

  /** What step i's distribution contributes to a token's sensitivity (precision model). */
  private stats(i: number): StepStats {
    const ref = this.ref;
    if (ref.rows && i < ref.rows.length) return ref.rows[i];
    if (ref.topP2 && i < ref.topP2.length && !Number.isNaN(ref.topP2[i])) return { lse: NaN, p2: ref.topP2[i], p2z2: NaN };
    return UNKNOWN_STEP;
  }

  /**
   * Standard deviation of the honest difference of a log-prob `lp` at step i (any token of that
   * step's distribution) from its reference: from the logits row where there is one (the token's
   * logit is lp + lse), else from the listed probabilities and the assumed logit scale.
   */
  scaleFor(i: number, lp: number, tier = this.tier): number {
    const st = this.stats(i);
    return stepScale(tier, st, lp, Number.isNaN(st.lse) ? NaN : lp + st.lse, this.valuesUAt(tier) + this.evidenceU(lp, tier));
  }

  /**
   * Unit roundoff of the evidence's own number `lp` (a listed or server log-prob): a half grid it
   * shows, the tier's when printed, else float32. Recomputed logits-level numbers carry the
   * arithmetic's rounding only; at float32 the evidence is float32 (a half-precision list fails
   * float32 and is judged at the half tier).
   */
  private evidenceU(lp: number, tier: Tier): number {
    if (this.ref.level === 'logits' || tier.precision === 'fp32') return UNIT_ROUNDOFF.float32;
    const half = storedIn(lp);
    if (half) return UNIT_ROUNDOFF[half];
    return printedResolution(lp) > 0 ? tier.u : UNIT_ROUNDOFF.float32;
  }

  /** Tolerance for a log-prob `lp` at step i against its reference (K_STEP standard deviations). */
  tolFor(i: number, lp: number): number {
    return K_STEP * this.scaleFor(i, lp);
  }

  /** Standard deviation of step i's target value (its reference, or its upper bound where unlisted). */
  scale(i: number): number {
    const m = this.memo;
    if (!m.scales) {
      const s = new Float64Array(this.n);
      for (let k = 0; k < this.n; k++) {
        const e = this.ref.exact[k];
        s[k] = this.scaleFor(k, Number.isNaN(e) ? Math.min(this.ref.upper[k], 0) : e);
      }
      m.scales = s;
    }
    return m.scales[i];
  }

  /** Tolerance for step i's recorded value against its reference. */
  stepTol(i: number): number {
    return K_STEP * this.scale(i);
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
    return miss > K_STEP * this.scaleFor(i, lp, this.widest) + printedResolution(v[i]);
  }

  /** Tolerance for a raw logit recomputed from the evidence. */
  logitTol(z: number): number {
    return K_STEP * logitScale(this.tier, z);
  }

  /** Σ scale² over the steps whose reference is known. */
  private knownSquares(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) if (!Number.isNaN(this.ref.exact[i])) s += this.scale(i) ** 2;
    return s;
  }

  /**
   * Tolerance of a total over the record's steps against the float64 reference total: the steps'
   * standard deviations in quadrature (none for a server's own numbers), plus the accumulator's
   * rounding of `absSum`.
   */
  totalTol(absSum = this.refAbs, count = this.n): number {
    if (absSum === this.refAbs && count === this.n && this.memo.totalTol !== undefined) return this.memo.totalTol;
    // A server's own log-probs are the very numbers an API-scoring pipeline adds up: only the sum rounds.
    const noise = this.ref.level === 'server' ? 0 : quadratureTolerance(this.knownSquares());
    const t = noise + accumulationTolerance(this.accU, absSum, count, absSum);
    if (absSum === this.refAbs && count === this.n) this.memo.totalTol = t;
    return t;
  }

  /** Tolerance for a sum of `count` recorded values with Σ|v| = absSum against the recorded score: the accumulator alone. */
  sumTol(absSum: number, count: number): number {
    return accumulationTolerance(this.accU, absSum, count, absSum);
  }

  private _valuesGrid: GridEvidence | undefined;

  /** The half-precision grids the recorded values could lie on. */
  get valuesGrid(): GridEvidence {
    if (this._valuesGrid) return this._valuesGrid;
    const g = new GridEvidence();
    const v = this.values;
    if (v) for (let i = 0; i < v.length && g.alive; i++) g.add(v[i]);
    return (this._valuesGrid = g);
  }

  /**
   * Unit roundoff of the recorded values' format: the half-precision grid they show, else float32
   * when they leave every grid; while a grid stays possible (too few of them to tell), the tier's.
   */
  valuesUAt(tier: Tier): number {
    const g = this.valuesGrid;
    const claim = g.grid(GRID_CHANCE);
    if (claim) return UNIT_ROUNDOFF[claim.format];
    return g.alive && g.informative > 0 ? tier.u : UNIT_ROUNDOFF.float32;
  }

  /**
   * Unit roundoff of the accumulator the score came from: a score on a half-precision grid was
   * summed (or stored) in that format; a score stored exactly off every grid was not; a printed
   * one may have been anything the tier allows.
   */
  get accU(): number {
    const s = this.score;
    if (s === undefined || !Number.isFinite(s)) return this.tier.u;
    const half = storedIn(s);
    if (half) return UNIT_ROUNDOFF[half];
    // A coarse score (an integer, a few bits) lies on every grid: it may be half precision or a print.
    const coarse = Math.fround(s) === s && (onGrid(s, 'bfloat16') || onGrid(s, 'float16'));
    return coarse || printedResolution(s) > 0 ? this.tier.u : UNIT_ROUNDOFF.float32;
  }

  private _scoreResolution: number | undefined;

  /** How far the recorded score may stand from what was computed because of its printed digits. */
  get scoreResolution(): number {
    if (this._scoreResolution === undefined) this._scoreResolution = this.score === undefined ? 0 : printedResolution(this.score);
    return this._scoreResolution;
  }

  /** The spacing of the format the score was stored or printed in (a half grid it shows, float32, its last printed digit). */
  get scoreUlp(): number {
    return this.score === undefined ? 0 : 2 * storageResolution(this.score);
  }

  private _valuesResolution: number | undefined;

  /** Σ of the recorded values' printed resolutions. */
  get valuesResolution(): number {
    if (this._valuesResolution === undefined) this._valuesResolution = this.record.logprobs ? printedResolutionSum(this.record.logprobs) : 0;
    return this._valuesResolution;
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
   * miss without it.
   */
  scoreIs(total: number, absSum: number, count = this.n, fromValues = false): boolean {
    if (this.score === undefined) return false;
    const want = this.declared(total, count);
    if (want === this.score) return true;
    if (!Number.isFinite(want) || !Number.isFinite(this.score)) return false;
    const base = fromValues ? this.sumTol(absSum, count) : this.totalTol(absSum, count);
    const miss = Math.abs(this.score - want);
    if (miss <= this.scoreTol(base, want, count)) return true;
    const printed = this.scoreTol(base + (fromValues ? this.valuesResolution : 0), want, count) + this.scoreResolution;
    return miss <= printed;
  }

  /** A total's tolerance carried into the score's declared kind. */
  private scoreTol(t: number, want: number, count: number): number {
    const spec = SCORE_KINDS[this.kind];
    if (spec.perToken) t = t / Math.max(1, count);
    if (spec.exponential) t = t * Math.abs(want) + PROBABILITY_SCORE_FLOOR;
    return t;
  }

  /** Step i's recorded value agrees with its reference value (the value's printing allowed). */
  valueMatches(i: number, reference: number): boolean {
    const v = this.values![i];
    const miss = Math.abs(v - reference);
    const tol = this.stepTol(i);
    return miss <= tol || miss <= tol + printedResolution(v);
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
    return miss > SEPARATION * this.stepTol(i) + printedResolution(v[i]);
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

  /**
   * Whether the numbers fit the no-bug reading at the current tier: every value its reference
   * (and their errors together in quadrature), the score the reference total, else the sum of the
   * values. Memoised per tier.
   */
  get nullFits(): boolean {
    const m = this.memo;
    if (m.fits !== undefined) return m.fits;
    const check = this.valuesCheck;
    let fits = !(check.comparable && !check.agree);
    const s = this.score;
    if (fits && s !== undefined && Number.isFinite(s)) {
      if (!Number.isNaN(this.ref.total)) fits = this.scoreIs(this.ref.total, this.refAbs);
      else if (this.values && this.values.length === this.n && this.nulls === 0 && this.n > 0) fits = this.scoreIs(this.valuesTotal, this.valuesAbs, this.n, true);
    }
    return (m.fits = fits);
  }

  /**
   * Whether the no-bug reading fits at the widest tier the setting allows (the last one): a
   * hypothesis with slack enough to fit honest noise (a temperature at top-k level) is proposed
   * only when it does not.
   */
  get nullFitsWidest(): boolean {
    const last = this.tiers.length - 1;
    if (this.tierIndex === last) return this.nullFits;
    const here = this.tierIndex;
    this.tierIndex = last;
    this.memo = this.memos[last] ??= {};
    const fits = this.nullFits;
    this.tierIndex = here;
    this.memo = this.memos[here];
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
    if (m.valuesCheck) return m.valuesCheck;
    const v = this.values;
    const ref = this.ref;
    const res: ValuesCheck = { comparable: false, agree: true, mismatched: 0, firstMismatch: -1, checked: 0, worst: 0, worstRatio: 0, drift: 0 };
    if (v && v.length === this.n && (ref.level === 'logits' || ref.level === 'topk' || ref.level === 'server')) {
      res.comparable = true;
      let drift = 0;
      let squares = 0;
      for (let i = 0; i < v.length; i++) {
        const e = ref.exact[i];
        let ok: boolean;
        let miss = 0;
        if (!Number.isNaN(e)) {
          ok = this.valueMatches(i, e);
          miss = Math.abs(v[i] - e);
          drift += v[i] - e;
          squares += this.scale(i) ** 2;
          res.checked++;
        } else {
          miss = Math.max(0, v[i] - ref.upper[i]);
          ok = !(miss > this.stepTol(i) + printedResolution(v[i])) && !Number.isNaN(v[i]);
          if (ref.upper[i] !== 0) res.checked++;
        }
        if (miss > res.worst) res.worst = miss;
        const ratio = miss / this.stepTol(i);
        if (ratio > res.worstRatio) res.worstRatio = ratio;
        if (!ok) {
          res.agree = false;
          res.mismatched++;
          if (res.firstMismatch < 0) res.firstMismatch = i;
        }
      }
      res.drift = drift;
      // Each value within its tolerance can still add up to more than honest noise does.
      if (res.agree && res.checked > 1 && Math.abs(drift) > quadratureTolerance(squares) + this.valuesResolution) res.agree = false;
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
