/**
 * The arithmetic of the synthetic models and of the scorers they feed: float64 for a model's
 * true distribution, and float32 / float16 emulated op by op (Math.fround, the reference's
 * bit-exact float16 rounding) for what a PyTorch pipeline writes. Shared by the sample runs,
 * the synthetic corpus and the test toy model, so that one seed gives the same numbers in all
 * of them. Deliberately separate from src/reference: test data must not be computed by the code
 * it tests (float16 rounding is the exception: it is exact and has its own tests).
 */
import { roundToFloat16 } from '../../src/reference/math.js';

export const f32 = Math.fround;
export const f16 = roundToFloat16;

/** float64 log Σ exp(scale · z_j), max-shifted. */
export function logSumExp(z: ArrayLike<number>, scale = 1): number {
  let m = -Infinity;
  for (let j = 0; j < z.length; j++) m = Math.max(m, z[j] * scale);
  let s = 0;
  for (let j = 0; j < z.length; j++) s += Math.exp(z[j] * scale - m);
  return m + Math.log(s);
}

/** float64 log_softmax(scale · z): a model's true log-probs. */
export function logSoftmax(z: ArrayLike<number>, scale = 1): number[] {
  const lse = logSumExp(z, scale);
  const out: number[] = [];
  for (let j = 0; j < z.length; j++) out.push(z[j] * scale - lse);
  return out;
}

/** float32 sum left to right (a Python loop over float32 scalars, `sum()` of a short tensor). */
export function f32SequentialSum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = f32(s + v[i]);
  return s;
}

/** float32 sum the way torch.sum reduces a float32 tensor: pairwise, every partial sum rounded. */
export function f32PairwiseSum(v: ArrayLike<number>, lo = 0, hi = v.length): number {
  if (hi - lo <= 8) {
    let s = 0;
    for (let i = lo; i < hi; i++) s = f32(s + v[i]);
    return s;
  }
  const mid = (lo + hi) >> 1;
  return f32(f32PairwiseSum(v, lo, mid) + f32PairwiseSum(v, mid, hi));
}

/** float64 sum left to right (a scorer that converted to Python floats first). */
export function f64Sum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s;
}

/** float32 product left to right: `torch.prod(probs)`, which underflows to 0 on long sequences. */
export function f32Product(v: ArrayLike<number>): number {
  let p = 1;
  for (let i = 0; i < v.length; i++) p = f32(p * v[i]);
  return p;
}

/** float16 sum left to right, every partial sum rounded (`values.half().sum()` without a float32 accumulator). */
export function f16Sum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = f16(s + v[i]);
  return s;
}

/**
 * torch.log_softmax on a float32 tensor, op by op: d = f32(z - max), s = Σ f32(exp(d)) by
 * `sum`, out = f32(d - f32(log s)). torch reduces pairwise (the default); a hand-written
 * loop adds left to right.
 */
export function logSoftmaxF32(z: ArrayLike<number>, sum: (v: ArrayLike<number>) => number = f32PairwiseSum): Float64Array {
  let m = -Infinity;
  for (let j = 0; j < z.length; j++) m = Math.max(m, z[j]);
  const d = new Float64Array(z.length);
  const e = new Float64Array(z.length);
  for (let j = 0; j < z.length; j++) {
    d[j] = f32(z[j] - m);
    e[j] = f32(Math.exp(d[j]));
  }
  const logS = f32(Math.log(sum(e)));
  for (let j = 0; j < z.length; j++) d[j] = f32(d[j] - logS);
  return d;
}

/** torch.softmax on a float32 tensor, summed left to right. */
export function softmaxF32(z: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let j = 0; j < z.length; j++) m = Math.max(m, z[j]);
  const e = Array.from(z, (v) => f32(Math.exp(f32(v - m))));
  const s = f32SequentialSum(e);
  return e.map((v) => f32(v / s));
}

/** Index of the largest entry, the first on ties. */
export function argmaxOf(z: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < z.length; j++) if (z[j] > z[best]) best = j;
  return best;
}

/** Index of the smallest entry, the first on ties. */
export function argminOf(z: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < z.length; j++) if (z[j] < z[best]) best = j;
  return best;
}

/** Draws an index from a normalised log-prob row by its cumulative probabilities (one draw). */
export function sampleIndex(logprobs: ArrayLike<number>, rand: () => number): number {
  let u = rand();
  for (let j = 0; j < logprobs.length; j++) {
    u -= Math.exp(logprobs[j]);
    if (u <= 0) return j;
  }
  return logprobs.length - 1;
}

/** Draws an index in proportion to non-negative, unnormalised weights (one draw). */
export function sampleWeighted(weights: ArrayLike<number>, rand: () => number): number {
  let total = 0;
  for (let j = 0; j < weights.length; j++) total += weights[j];
  let u = rand() * total;
  for (let j = 0; j < weights.length; j++) {
    u -= weights[j];
    if (u <= 0) return j;
  }
  return weights.length - 1;
}
