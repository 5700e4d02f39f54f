/**
 * A record's numbers and the precision model's tolerances for them (src/reference/precision.ts),
 * at the current tier. A record is judged at float32 first; when the no-bug reading fails there and
 * the setting allows half precision, the engine asks the rules again at a half-precision tier
 * (`nextTier`). Answers that depend on the tier are memoised per tier. RecordContext adds the
 * comparisons the rules make.
 */
import type { AuditRecord, ScoreKind } from '../types.js';
import { buildReference, type StepReference } from '../reference/sequence.js';
import { compensatedSum } from '../reference/math.js';
import { K_STEP, TIERS, UNKNOWN_STEP, WIDEST_HALF, accumulationTolerance, halfTier, logitScale, quadratureTolerance, stepScale, UNIT_ROUNDOFF, type HalfFormat, type PrecisionSetting, type StepStats, type Tier } from '../reference/precision.js';
import { GRID_CHANCE, GridEvidence, printedResolution, storageResolution, storedIn, onGrid } from '../reference/storage.js';

/** Answers that depend on the tier; undefined until asked. */
export interface TierMemo {
  scales: Float64Array | undefined;
  fits: boolean | undefined;
  totalTol: number | undefined;
  squares: number | undefined;
  valuesCheck: unknown;
}

/**
 * Every field there from the start: a memo whose fields were added as they were asked had a
 * shape of its own per order of questions, and the getters reading it were optimised for one
 * and thrown away at the next (`--trace-deopt`: "wrong map" in three of them on every run).
 */
function newMemo(): TierMemo {
  return { scales: undefined, fits: undefined, totalTol: undefined, squares: undefined, valuesCheck: undefined };
}

// The tier lists a record can be judged at, shared (no allocation per record).
const FLOAT32_ONLY: readonly Tier[] = [TIERS.fp32];
const THEN_BFLOAT16: readonly Tier[] = [TIERS.fp32, TIERS.bf16];
const THEN_FLOAT16: readonly Tier[] = [TIERS.fp32, TIERS.fp16];

export abstract class RecordPrecision {
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
  protected tierIndex = 0;
  private _tiers: readonly Tier[] | undefined;
  private readonly memo0: TierMemo = newMemo();
  private memo1: TierMemo | undefined;
  /** The current tier's memo. */
  protected memo: TierMemo = this.memo0;

  constructor(
    readonly record: AuditRecord,
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

  /** The memo of tier k (0: float32, 1: the half tier). */
  protected memoAt(k: number): TierMemo {
    return k === 0 ? this.memo0 : (this.memo1 ??= newMemo());
  }

  /** Whether the numbers fit the no-bug reading at the current tier (what decides whether a half tier follows float32). */
  abstract get nullFits(): boolean;

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
  get tiers(): readonly Tier[] {
    if (this._tiers) return this._tiers;
    this._tiers = FLOAT32_ONLY;
    if (this.setting !== 'fp32' && !this.nullFits) {
      const half = this.setting === 'auto' ? this.inferredHalf : TIERS[this.setting];
      this._tiers = half === TIERS.fp16 ? THEN_FLOAT16 : THEN_BFLOAT16;
    }
    return this._tiers;
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

  /** At float32, the first tier: rules are asked here before any half-precision reading. */
  get firstTier(): boolean {
    return this.tierIndex === 0;
  }

  /** No tier after this one: the last chance for a rule, and the only one for the catch-alls. */
  get finalTier(): boolean {
    return this.tierIndex === this.tiers.length - 1;
  }

  /** Moves to the next tier; false when there is none. */
  nextTier(): boolean {
    if (this.finalTier) return false;
    this.setTier(this.tierIndex + 1);
    return true;
  }

  /** Makes tier k the current one, its memo with it (a question asked at another tier sets it back after). */
  protected setTier(k: number): void {
    this.tierIndex = k;
    this.memo = this.memoAt(k);
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
    if (ref.topP2 && i < ref.topP2.length && !Number.isNaN(ref.topP2[i])) {
      // One scratch object per record: asked for every step, allocated once.
      this.listStep.p2 = ref.topP2[i];
      return this.listStep;
    }
    return UNKNOWN_STEP;
  }

  private readonly listStep: StepStats = { lse: NaN, p2: NaN, p2z2: NaN };

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
    return this.scales[i];
  }

  /** Every step's `scale`, computed once per tier. */
  get scales(): Float64Array {
    const m = this.memo;
    if (!m.scales) {
      const s = new Float64Array(this.n);
      for (let k = 0; k < this.n; k++) {
        const e = this.ref.exact[k];
        s[k] = this.scaleFor(k, Number.isNaN(e) ? Math.min(this.ref.upper[k], 0) : e);
      }
      m.scales = s;
    }
    return m.scales;
  }

  /** Tolerance for step i's recorded value against its reference. */
  stepTol(i: number): number {
    return K_STEP * this.scale(i);
  }

  /** Tolerance for a raw logit recomputed from the evidence. */
  logitTol(z: number): number {
    return K_STEP * logitScale(this.tier, z);
  }

  /** Σ scale² over the steps whose reference is known. */
  private knownSquares(): number {
    const m = this.memo;
    if (m.squares !== undefined) return m.squares;
    let s = 0;
    for (let i = 0; i < this.n; i++) if (!Number.isNaN(this.ref.exact[i])) s += this.scale(i) ** 2;
    return (m.squares = s);
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
   * Unit roundoff of the recorded values' format at `tier`: float32 at the float32 tier (values a
   * float32 pipeline stores); at a half tier the grid they show, float32 when they leave every
   * grid, and while a grid stays possible (too few of them to tell) the tier's.
   */
  valuesUAt(tier: Tier): number {
    if (tier.precision === 'fp32') return UNIT_ROUNDOFF.float32;
    const g = this.valuesGrid;
    const claim = g.grid(GRID_CHANCE);
    if (claim) return UNIT_ROUNDOFF[claim.format];
    return g.alive && g.informative > 0 ? tier.u : UNIT_ROUNDOFF.float32;
  }

  /**
   * Unit roundoff of the accumulator the score came from: float32 at the float32 tier; at a half
   * tier, a score on a half-precision grid was summed (or stored) in that format, a score stored
   * exactly off every grid was not, a printed or coarse one may have been anything the tier allows.
   */
  get accU(): number {
    const s = this.score;
    if (this.tier.precision === 'fp32') return UNIT_ROUNDOFF.float32;
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
  private _scoreUlp: number | undefined;

  get scoreUlp(): number {
    if (this._scoreUlp === undefined) this._scoreUlp = this.score === undefined ? 0 : 2 * storageResolution(this.score);
    return this._scoreUlp;
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
}
