/**
 * The precision model: how far an honest pipeline's numbers may stand from the float64
 * reference, and the one place that names every tolerance and slack the rules use.
 *
 * A recorded log-prob was computed along some legitimate path (another kernel, a batched or
 * KV-cache pass, half-precision logits, a half-precision accumulator, six printed digits) while
 * the reference is recomputed from the evidence. The two differ by
 *
 * - the perturbation of the logits: δ_j on logit j moves log p_y by δ_y − Σ_j p_j δ_j, so with
 *   independent δ_j of relative size ρ and absolute size α its standard deviation is
 *   √(ρ²·A + α²·B), A = z_y²(1 − p_y)² + Σ_{j≠y} p_j² z_j², B = (1 − p_y)² + Σ_{j≠y} p_j²
 *   (`StepStats`): it scales with the logits' magnitude, not with the log-prob, and a
 *   near-certain token (p_y → 1) keeps only the arithmetic's own rounding;
 * - the arithmetic of log_softmax (float32 in every framework, half inputs included) and the
 *   rounding of the stored value to its format;
 * - for a total, the accumulator: n roundings of the running sum, in quadrature with a worst case;
 * - the printed resolution of the number: −12.3457 is only known to ±5e-5 (storage.ts).
 *
 * Each precision a pipeline may run in is one `Tier` of that model. Tolerances are K standard
 * deviations (`K_STEP`, `K_TOTAL`); rules compare a hypothesis with the data at the same tolerance
 * and require it to stand clear of the no-bug reading by `SEPARATION` tolerances.
 */

export type Precision = 'fp32' | 'bf16' | 'fp16';
/** `--precision`: declared, or inferred from the evidence (`auto`). */
export type PrecisionSetting = 'auto' | Precision;
export const PRECISION_SETTINGS: readonly PrecisionSetting[] = ['auto', 'fp32', 'bf16', 'fp16'];

/** Unit roundoff u = 2^-p of a format with p significant bits: round-to-nearest is off by at most u·|x|. */
export const UNIT_ROUNDOFF = { float64: 2 ** -53, float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8 } as const;

export type Format = 'float32' | 'bfloat16' | 'float16';
export type HalfFormat = 'bfloat16' | 'float16';

/** The honest error budget of one precision. */
export interface Tier {
  precision: Precision;
  format: Format;
  /** Standard deviation of each logit's relative perturbation. */
  logitRel: number;
  /** Standard deviation of each logit's absolute perturbation. */
  logitAbs: number;
  /**
   * Unit roundoff of what a pass at this precision may have stored where the numbers themselves
   * do not show it: the evidence's top-k lists, a printed value or score (a recorded number on a
   * half-precision grid shows its format, one off every grid shows it was not stored in half).
   */
  u: number;
}

export const TIERS: Readonly<Record<Precision, Tier>> = {
  /**
   * Two float32 passes of one model (batched or not, padded, KV-cache or full, other kernels)
   * reassociate their reductions: each logit moves by about 1e-6 relative or 1e-5 absolute.
   * Rounding the logits to float32 (6e-8 relative) is far inside that.
   */
  fp32: { precision: 'fp32', format: 'float32', logitRel: 1e-6, logitAbs: 1e-5, u: UNIT_ROUNDOFF.float32 },
  /**
   * Logits rounded to bfloat16 (uniform error of at most u·|z|: standard deviation u/√3), the
   * log-softmax output stored in bfloat16, sums kept in bfloat16. Absolute: a half-precision matmul
   * output carries an error of its inputs' scale, so small logits still move by about one bfloat16
   * epsilon (2^-7), which also covers cross-kernel noise up to 1e-2 per logit.
   */
  bf16: { precision: 'bf16', format: 'bfloat16', logitRel: UNIT_ROUNDOFF.bfloat16 / Math.sqrt(3), logitAbs: 2 ** -7, u: UNIT_ROUNDOFF.bfloat16 },
  /** The same for float16: 11 significant bits, absolute noise one float16 epsilon. */
  fp16: { precision: 'fp16', format: 'float16', logitRel: UNIT_ROUNDOFF.float16 / Math.sqrt(3), logitAbs: 2 ** -10, u: UNIT_ROUNDOFF.float16 },
};

/** The widest half-precision tier: what `auto` assumes when the evidence names no grid. */
export const WIDEST_HALF: Precision = 'bf16';

/** Standard deviations a single value may honestly stand from its reference (P ≈ 6e-7 for Gaussian noise; uniform rounding stays within 1.7). */
export const K_STEP = 5;
/** The same for a total, against the quadrature of its steps' standard deviations. */
export const K_TOTAL = 5;
/**
 * A hypothesis explains the numbers far better than honest noise when, besides fitting every
 * step, the no-bug reading misses some step by this many of its tolerances.
 */
export const SEPARATION = 2;

/**
 * At top-k level the logits are unknown: the model assumes |z| ≤ 16 for the tokens that carry
 * the probability. Those logits sit next to the row's log-sum-exp, which for current LMs is about
 * 10–25 (8–20 for the GPT-2 of the honest-numerics corpus, whose bfloat16 errors stay within 2
 * standard deviations of this model at top-k level: the tolerance of 5 holds to a scale of ~40).
 * GPT-2's raw logits, around −100, would need a declared half precision to stay quiet.
 */
export const ASSUMED_LOGIT_SCALE = 16;
/** A float32 tree reduction of Σ exp over a vocabulary of up to 2^16 tokens rounds about log2(V) times. */
const SOFTMAX_SUM_ROUNDINGS = 16;

// ---------------------------------------------------------------------------------------------
// Per-step statistics of the distribution a value came from
// ---------------------------------------------------------------------------------------------

/**
 * What one step's distribution contributes to a token's sensitivity: Σ p² and Σ p² z². At top-k
 * level (sequence.ts) Σ p² is the list's plus a bound on its unlisted tail, and z is unknown.
 */
export interface StepStats {
  /** log-sum-exp of the row (NaN at top-k level, where logits are unknown). */
  lse: number;
  /** Σ_k p_k² over the vocabulary (at top-k: the listed tokens plus a bound on the tail). */
  p2: number;
  /** Σ_k p_k² z_k² (NaN at top-k level). */
  p2z2: number;
}

/** One pass over a logits row: its log-sum-exp and the sensitivity sums, max-shifted for stability. */
export function rowStats(z: ArrayLike<number>): StepStats {
  const n = z.length;
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (z[i] > m) m = z[i];
  if (!Number.isFinite(m)) return { lse: m, p2: NaN, p2z2: NaN };
  let s = 0;
  let s2 = 0;
  let s2z2 = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(z[i] - m);
    s += e;
    if (e === 0) continue; // a -Infinity logit carries nothing (and 0 · ∞ would be NaN)
    const e2 = e * e;
    s2 += e2;
    s2z2 += e2 * z[i] * z[i];
  }
  return { lse: m + Math.log(s), p2: s2 / (s * s), p2z2: s2z2 / (s * s) };
}

/** A server's own log-prob with nothing else known: Σ_{k≠y} p_k² ≤ (1 − p_y)². */
export const UNKNOWN_STEP: StepStats = { lse: NaN, p2: NaN, p2z2: NaN };

/**
 * Standard deviation of the honest difference between a log-prob `lp` of one token (logit `z`
 * when known, else NaN) and its float64 reference, at `tier`; `storageU` is the unit roundoff of
 * the formats the recorded value and the evidence's number were stored in, added.
 */
export function stepScale(tier: Tier, stats: StepStats, lp: number, z = NaN, storageU: number = UNIT_ROUNDOFF.float32): number {
  const p = lp > -745 ? Math.exp(lp) : 0;
  const q = 1 - p;
  let B: number;
  if (Number.isNaN(stats.p2)) B = 2 * q * q;
  else B = q * q + Math.max(0, stats.p2 - p * p);
  let noise: number;
  let magnitude: number;
  if (Number.isNaN(z) || Number.isNaN(stats.p2z2)) {
    // Unknown logits: z² ≤ Λ² for every token that carries probability, so A ≤ Λ²·B.
    const L = ASSUMED_LOGIT_SCALE;
    noise = Math.sqrt((tier.logitRel * L) ** 2 + tier.logitAbs ** 2) * Math.sqrt(B);
    magnitude = 2 * L;
  } else {
    const A = z * z * q * q + Math.max(0, stats.p2z2 - p * p * z * z);
    noise = Math.sqrt(tier.logitRel ** 2 * A + tier.logitAbs ** 2 * B);
    magnitude = Math.abs(z) + Math.abs(stats.lse);
  }
  // log_softmax runs in float32 (half inputs are upcast): z − lse rounds at the logits' scale;
  // the value and the evidence's number then round to their formats.
  const a = Math.abs(lp);
  const arithmetic = UNIT_ROUNDOFF.float32 * (magnitude + a + SOFTMAX_SUM_ROUNDINGS);
  return noise + arithmetic + storageU * (Number.isFinite(a) ? a : 0);
}

/** A raw logit recomputed by another honest pass: its own perturbation and rounding. */
export function logitScale(tier: Tier, z: number): number {
  const a = Math.abs(z);
  return tier.logitRel * a + tier.logitAbs + Math.max(tier.u, UNIT_ROUNDOFF.float32) * a;
}

// ---------------------------------------------------------------------------------------------
// Totals
// ---------------------------------------------------------------------------------------------

/**
 * Honest rounding of a sum of n values whose magnitudes add up to absSum, accumulated in a
 * format of unit roundoff u, then stored (and perhaps converted once, as mean × n) in it: each
 * running sum rounds by at most u·|S_k| ≤ u·absSum, uniformly (standard deviation u·absSum/√3);
 * in quadrature that is √n of them, never more than the worst case of n.
 */
export function accumulationTolerance(u: number, absSum: number, n: number, total: number): number {
  const steps = Math.max(0, n - 1);
  const quadrature = (K_TOTAL * u * absSum * Math.sqrt(steps)) / Math.sqrt(3);
  return Math.min(quadrature, steps * u * absSum) + 2 * u * Math.abs(total);
}

/** K_TOTAL standard deviations of a total whose steps have standard deviations whose squares add to `sumSquares`. */
export function quadratureTolerance(sumSquares: number): number {
  return K_TOTAL * Math.sqrt(sumSquares);
}

export function halfTier(format: HalfFormat): Tier {
  return format === 'float16' ? TIERS.fp16 : TIERS.bf16;
}

// ---------------------------------------------------------------------------------------------
// Named slacks for the rules' other comparisons
// ---------------------------------------------------------------------------------------------

/**
 * How far above 0 an honest log-prob may come out: z − lse in float32 with |z| ≤ 32 rounds by
 * 2^-24·32 ≈ 2e-6; a value that far above 0 is rounding, beyond it a logit or a probability.
 */
export const LOGPROB_CEILING = UNIT_ROUNDOFF.float32 * ASSUMED_LOGIT_SCALE;

/**
 * Relative error of a float32 product of n probabilities (n roundings of 2^-24) against exp of
 * the float64 total, with the exponentials' own float32 rounding: 1e-5 covers n up to ~80 in the
 * worst case and any n in quadrature.
 */
export const FLOAT32_PRODUCT_REL = 1e-5;
/** The absolute floor next to it: probabilities of 1e-7 are printed or rounded to that. */
export const PROBABILITY_FLOOR = 1e-7;
/** The absolute floor of a product of probabilities: below float32's smallest subnormal (1.4e-45) and any printed product. */
export const PRODUCT_FLOOR = 1e-30;

/** Relative error of a product formed in a half-precision format: n roundings of its epsilon. */
export function productRelTolerance(n: number, half: boolean): number {
  return half ? Math.max(FLOAT32_PRODUCT_REL, n * 2 * UNIT_ROUNDOFF.float16) : FLOAT32_PRODUCT_REL;
}

/** A log-prob recomputed as log of a float32 product that went subnormal: relative error of its few remaining bits' log. */
export const SUBNORMAL_LOG_REL = 1e-6;

/**
 * A top-k list holds at most all the probability, give or take its entries' own rounding: each
 * listed p_j = exp(l_j) moves by p_j·Δl_j. The floor covers float32 lists and three-decimal prints.
 */
export const TOPK_MASS_FLOOR = 1e-3;

/**
 * log Σ exp(p) over one vocabulary varies between steps by (Σp²)/2V ≤ 1/2V: with the values'
 * rounding, a double softmax's offset stays within this of one constant.
 */
export const SOFTMAX_TWICE_SPREAD = 2e-3;

/**
 * A results file's headline mean is printed with four decimals or more (lm-eval rounds to 4):
 * half a unit of the fourth, plus float64 noise.
 */
export const AGGREGATE_TOLERANCE = 5e-4;

/**
 * A hypothesis that may pick any of k listed numbers per step (the log-prob of some other token)
 * lands on one by chance about k·2τ/spread of the time: it is proposed only below this chance.
 */
export const COINCIDENCE_CHANCE = 0.01;

/** The chance that a value lands within ±tol of one of `count` numbers spread over `spread` by accident. */
export function coincidenceChance(count: number, tol: number, spread: number): number {
  return spread > 0 ? Math.min(1, (count * 2 * tol) / spread) : 1;
}

/**
 * A float64 sum of n values (a float64 pipeline's score) against the exact one: far below any
 * float32 rounding, a few thousand float64 roundings of Σ|v| + 1.
 */
export const FLOAT64_SUM_REL = 1e-12;

/** A probability-like score's relative tolerance gets this absolute floor (float64 exp of very negative totals). */
export const PROBABILITY_SCORE_FLOOR = 1e-12;

/** Totals closer than this are a tie whatever their tolerances (float64 reference totals of identical candidates). */
export const TIE_FLOOR = 1e-9;
