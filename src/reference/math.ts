/**
 * Reference numerics: pure float64 functions with no I/O. Everything else in evalaudit
 * trusts these, so they carry the strongest tests (test/reference.test.ts).
 */

/** log Σ exp(z_i), stable for any finite z (max-shifted). Empty input gives -Infinity. */
export function logSumExp(z: ArrayLike<number>, scale = 1): number {
  const n = z.length;
  if (n === 0) return -Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = z[i] * scale;
    if (v > max) max = v;
  }
  if (max === Infinity) return Infinity;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(z[i] * scale - max);
  return max + Math.log(s);
}

/** log_softmax(z)[i] = z_i - logSumExp(z). */
export function logSoftmax(z: ArrayLike<number>): Float64Array {
  const lse = logSumExp(z);
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = z[i] - lse;
  return out;
}

/** One entry of log_softmax(z / temperature), computed without materialising the row. */
export function logSoftmaxAt(z: ArrayLike<number>, index: number, temperature = 1): number {
  const scale = 1 / temperature;
  return z[index] * scale - logSumExp(z, scale);
}

/** Index of the largest element (first on ties, NaN skipped); -1 for an empty or all-NaN row. */
export function argmax(z: ArrayLike<number>): number {
  let best = -1;
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) {
    const v = z[i];
    if (Number.isNaN(v)) continue;
    if (best < 0 || v > max) {
      max = v;
      best = i;
    }
  }
  return best;
}

/**
 * Neumaier's compensated sum: error at most u·|S| + O(n²u²)·Σ|x|, so a long continuation's total
 * does not drift (within one rounding of the exact sum for log-probs, which do not cancel). Non-finite
 * inputs propagate.
 */
export function compensatedSum(values: ArrayLike<number>, start = 0, end = values.length): number {
  let sum = 0;
  let c = 0;
  for (let i = start; i < end; i++) {
    const v = values[i];
    const t = sum + v;
    if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
    else c += v - t + sum;
    sum = t;
  }
  const r = sum + c;
  // Infinity - Infinity in the correction term would turn a -Infinity sum into NaN.
  return Number.isFinite(r) ? r : sum;
}

/** True when a and b agree to within an absolute tolerance (infinities agree with themselves). */
export function close(a: number, b: number, tol: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= tol;
}

function roundHalfEven(y: number): number {
  const f = Math.floor(y);
  const d = y - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** 2^e ≤ |x| < 2^(e+1), pinned where Math.log2 is off by one next to a power of two. */
function binaryExponent(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/**
 * Nearest IEEE binary16 value (round half to even), as `tensor.half()` gives: 11 significant
 * bits for normals, multiples of 2^-24 below 2^-14, ±Infinity from 65520 on. Exact: every step
 * is a multiplication by a power of two or an integer rounding.
 */
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return x > 0 ? Infinity : -Infinity;
  const quantum = 2 ** (Math.max(binaryExponent(a), -14) - 10);
  const r = roundHalfEven(a / quantum) * quantum;
  return x < 0 ? -r : r;
}

/** Nearest bfloat16 value (8 significant bits, float32's exponent range), round half to even. */
export function roundToBfloat16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  const quantum = 2 ** (binaryExponent(a) - 7);
  const r = roundHalfEven(a / quantum) * quantum;
  return x < 0 ? -r : r;
}

// A float32 and its bits: a half-precision value is a float32 whose low significand bits are 0.
const F32 = new Float32Array(1);
const F32_BITS = new Uint32Array(F32.buffer);
/** Smallest normal float16, 2^-14; below it float16 holds the multiples of 2^-24. */
const FLOAT16_MIN_NORMAL = 2 ** -14;

/**
 * True when x is exactly representable as an IEEE half-precision (float16) number (what
 * roundToFloat16(x) === x says, read from the bits: the hot path asks it of every score): a
 * normal float16 is a float32 with the low 13 of its 23 significand bits 0, up to 65504.
 */
export function isFloat16(x: number): boolean {
  if (!Number.isFinite(x)) return true;
  F32[0] = x;
  if (F32[0] !== x) return false;
  const a = Math.abs(x);
  if (a > 65504) return false;
  if (a < FLOAT16_MIN_NORMAL) return Number.isInteger(a * 2 ** 24);
  return (F32_BITS[0] & 0x1fff) === 0;
}

/**
 * True when x is exactly representable as a bfloat16 number: a float32 whose low 16 bits are 0.
 * Over float32's normal range this is roundToBfloat16(x) === x; outside it, it is bfloat16's own
 * range (subnormals below 2^-126, nothing past float32's largest), which that rounding ignores.
 */
export function isBfloat16(x: number): boolean {
  if (!Number.isFinite(x)) return true;
  F32[0] = x;
  return F32[0] === x && (F32_BITS[0] & 0xffff) === 0;
}

/** log(1 - exp(x)) for x ≤ 0, accurate near both ends. */
export function log1mExp(x: number): number {
  if (x >= 0) return -Infinity;
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}
