/**
 * Property tests for src/reference/math.ts. Every rule trusts these numbers, so each property
 * is checked against an independent oracle (exact BigInt arithmetic, a bit-level float16
 * rounding, the naive formula where it is safe), not against the implementation itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCORE_KINDS, SCORE_KIND_NAMES } from '../src/reference/score-kinds.js';
import fc from 'fast-check';
import {
  argmax,
  close,
  compensatedSum,
  isBfloat16,
  isFloat16,
  log1mExp,
  logSoftmax,
  logSoftmaxAt,
  logSumExp,
  roundToBfloat16,
} from '../src/reference/math.js';
import { TIERS, UNIT_ROUNDOFF, accumulationTolerance, quadratureTolerance, rowStats, stepScale, type Tier } from '../src/reference/precision.js';

const U = UNIT_ROUNDOFF.float64;

// ---------------------------------------------------------------------------------------------
// Oracles
// ---------------------------------------------------------------------------------------------

/** Σ exp(v), summed in float64 (the values are ≤ 0 after log-softmax, so no overflow). */
function sumExp(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i]);
  return s;
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

const f64 = new DataView(new ArrayBuffer(8));

/** A finite double as an exact integer multiple of 2^-1074 (the smallest subnormal). */
function toScaledBigInt(x: number): bigint {
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exp = Number((bits >> 52n) & 0x7ffn);
  const mant = bits & ((1n << 52n) - 1n);
  const scaled = exp === 0 ? mant : (mant | (1n << 52n)) << BigInt(exp - 1);
  return negative ? -scaled : scaled;
}

/** The double nearest to s × 2^-1074 (round half to even), i.e. a correctly rounded result. */
function scaledBigIntToNumber(s: bigint): number {
  if (s === 0n) return 0;
  const negative = s < 0n;
  let a = negative ? -s : s;
  const bitLength = a.toString(2).length;
  let shift = 0;
  if (bitLength > 53) {
    shift = bitLength - 53;
    const q = a >> BigInt(shift);
    const rem = a - (q << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    a = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
  }
  // a < 2^54 and the power of two is exact, so this product rounds only on overflow.
  const v = Number(a) * 2 ** (shift - 1074);
  return negative ? -v : v;
}

/** Exact Σ values as a scaled BigInt, and its correctly rounded double. */
function exactSum(values: readonly number[]): { scaled: bigint; rounded: number } {
  let s = 0n;
  for (const v of values) s += toScaledBigInt(v);
  return { scaled: s, rounded: scaledBigIntToNumber(s) };
}

function naiveSum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

/** |computed − exact| as a double (exactly computed, then rounded once). */
function absError(computed: number, exact: bigint): number {
  const d = toScaledBigInt(computed) - exact;
  return scaledBigIntToNumber(d < 0n ? -d : d);
}

/**
 * Reference IEEE 754 binary16 rounding (round to nearest, ties to even), done on the bits of the
 * float64 so it is independent of the quantum arithmetic isFloat16 uses. Returns the half's bits.
 */
function float16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  f64.setFloat64(0, x);
  const bits = f64.getBigUint64(0);
  const sign = Number(bits >> 63n) << 15;
  const exp11 = Number((bits >> 52n) & 0x7ffn);
  if (exp11 === 0x7ff) return sign | 0x7c00; // ±Infinity
  if (exp11 === 0) return sign; // float64 subnormals are far below half's smallest subnormal
  const e = exp11 - 1023;
  const m = (bits & ((1n << 52n) - 1n)) | (1n << 52n); // 53-bit significand, value m × 2^(e-52)
  // Normal halves keep 11 significant bits; subnormals are integer multiples of 2^-24.
  const shift = e >= -14 ? 42n : BigInt(28 - e);
  if (shift > 60n) return sign; // rounds to zero
  const q = m >> shift;
  const rem = m & ((1n << shift) - 1n);
  const half = 1n << (shift - 1n);
  let r = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
  if (e >= -14) {
    let biased = e + 15;
    if (r === 1n << 11n) {
      r >>= 1n;
      biased++;
    }
    if (biased >= 31) return sign | 0x7c00; // overflow to ±Infinity
    return sign | (biased << 10) | Number(r & 0x3ffn);
  }
  // Subnormal: r ≤ 1024; r = 1024 carries into the smallest normal, which the encoding does by itself.
  return sign | Number(r);
}

function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return sign * f * 2 ** -24;
  if (e === 31) return f === 0 ? sign * Infinity : NaN;
  return sign * (1024 + f) * 2 ** (e - 25);
}

/** x rounded to the nearest float16, as a double. */
function toFloat16(x: number): number {
  return fromFloat16Bits(float16Bits(x));
}

/** A float32 pipeline's log-softmax: every intermediate rounded to float32 as torch would. */
function logSoftmaxFloat32(z: readonly number[]): number[] {
  const f = Math.fround;
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0;
  for (const v of z) s = f(s + f(Math.exp(f(v - m))));
  const logS = f(Math.log(s));
  return z.map((v) => f(f(v - m) - logS));
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const logitRow = (bound: number, maxLength = 64) =>
  fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), { minLength: 1, maxLength });

/** Rows that sit at or near ±1e4, the overflow edge of a naive exp. */
const extremeRow = fc.array(
  fc.oneof(
    fc.constantFrom(1e4, -1e4),
    fc.double({ min: 9990, max: 1e4, noNaN: true }),
    fc.double({ min: -1e4, max: -9990, noNaN: true }),
    fc.double({ min: -1e4, max: 1e4, noNaN: true }),
  ),
  { minLength: 1, maxLength: 64 },
);

/** Doubles spread over ~250 binades with either sign: a naive running sum loses most of them. */
const wideDouble = fc
  .tuple(fc.double({ min: 1, max: 2, maxExcluded: true, noNaN: true }), fc.integer({ min: -120, max: 120 }), fc.boolean())
  .map(([m, e, neg]) => (neg ? -1 : 1) * m * 2 ** e);

/** Sums with heavy cancellation: some values appear again negated, in a shuffled order. */
const adversarialSum = fc
  .tuple(fc.array(wideDouble, { minLength: 1, maxLength: 40 }), fc.array(fc.boolean(), { maxLength: 40 }), fc.integer())
  .map(([base, cancel, seed]) => {
    const values = [...base];
    base.forEach((v, i) => {
      if (cancel[i]) values.push(-v);
    });
    // Deterministic shuffle from the generated seed (fast-check can still shrink it).
    let s = seed >>> 0 || 1;
    for (let i = values.length - 1; i > 0; i--) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const j = s % (i + 1);
      [values[i], values[j]] = [values[j], values[i]];
    }
    return values;
  });

// ---------------------------------------------------------------------------------------------
// logSumExp / logSoftmax
// ---------------------------------------------------------------------------------------------

describe('logSoftmax', () => {
  it('exponentiates to a distribution: Σ exp(logSoftmax(z)) = 1', () => {
    fc.assert(
      fc.property(logitRow(1e3, 256), (z) => {
        const lp = logSoftmax(z);
        // z_i - lse is exact only to an ulp of |z|, and exp turns that into a relative error.
        expect(Math.abs(sumExp(lp) - 1)).toBeLessThanOrEqual((z.length + 4) * 4 * U * (1 + maxAbs(z)));
        for (const v of lp) expect(v).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('is invariant to adding a constant to every logit', () => {
    fc.assert(
      fc.property(logitRow(1e3), fc.double({ min: -1e4, max: 1e4, noNaN: true }), (z, c) => {
        const a = logSoftmax(z);
        const b = logSoftmax(z.map((v) => v + c));
        // Only the rounding of z_i + c differs: a few ulps of the largest magnitude involved.
        const tol = 16 * U * (maxAbs(z) + Math.abs(c)) + 1e-300;
        for (let i = 0; i < z.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol + 8 * U * Math.abs(a[i]));
      }),
    );
  });

  it('neither overflows nor produces NaN at |z| = 1e4, including mixed ±1e4 rows', () => {
    fc.assert(
      fc.property(extremeRow, (z) => {
        const lse = logSumExp(z);
        expect(Number.isFinite(lse)).toBe(true);
        expect(lse).toBeGreaterThanOrEqual(Math.max(...z));
        expect(lse).toBeLessThanOrEqual(Math.max(...z) + Math.log(z.length) + 1e-9);
        const lp = logSoftmax(z);
        for (const v of lp) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeLessThanOrEqual(0);
        }
        // z_i - lse is exact only to an ulp of |z|, and exp turns that into a relative error.
        expect(Math.abs(sumExp(lp) - 1)).toBeLessThanOrEqual((z.length + 4) * 4 * U * (1 + maxAbs(z)));
      }),
    );
    // The textbook cases: exp(1e4) overflows a naive implementation to Infinity.
    expect(Array.from(logSoftmax([1e4, -1e4]))).toEqual([0, -2e4]);
    // 1e4 + ln 2 is rounded to an ulp of 1e4 (1.8e-12): that is all the error there is.
    for (const v of logSoftmax([1e4, 1e4])) expect(Math.abs(v + Math.LN2)).toBeLessThan(4e-12);
    for (const v of logSoftmax([-1e4, -1e4, -1e4, -1e4])) expect(Math.abs(v + Math.log(4))).toBeLessThan(4e-12);
  });

  it('agrees with the naive formula log(exp(z_i) / Σ exp(z_j)) where that is safe (|z| < 50)', () => {
    fc.assert(
      fc.property(logitRow(49.99, 128), (z) => {
        const lp = logSoftmax(z);
        const denom = z.reduce((s, v) => s + Math.exp(v), 0);
        for (let i = 0; i < z.length; i++) {
          const naive = Math.log(Math.exp(z[i]) / denom);
          // Both sides carry O(n) roundings of relative size u.
          const tol = (z.length + 8) * 4 * U * (1 + Math.abs(naive));
          expect(Math.abs(lp[i] - naive)).toBeLessThanOrEqual(tol);
        }
      }),
    );
  });

  it('handles masked (-Infinity) logits and propagates NaN', () => {
    const lp = logSoftmax([-Infinity, 0, 0, -Infinity]);
    expect(Array.from(lp)).toEqual([-Infinity, -Math.LN2, -Math.LN2, -Infinity]);
    expect(logSumExp([])).toBe(-Infinity);
    expect(logSumExp([Infinity, 1])).toBe(Infinity);
    expect(Number.isNaN(logSumExp([1, NaN]))).toBe(true);
    expect(Number.isNaN(logSumExp([NaN, 1]))).toBe(true);
  });
});

describe('logSoftmaxAt', () => {
  it('equals logSoftmax(z / T)[i] for any temperature', () => {
    fc.assert(
      fc.property(
        logitRow(1e3),
        fc.nat(),
        fc.double({ min: 0.05, max: 5, noNaN: true }),
        (z, k, T) => {
          const i = k % z.length;
          const expected = logSoftmax(z.map((v) => v / T))[i];
          const got = logSoftmaxAt(z, i, T);
          // z·(1/T) and z/T differ by an ulp or two of z/T.
          const tol = 16 * U * (maxAbs(z) / T + Math.abs(expected)) + 1e-300;
          expect(Math.abs(got - expected)).toBeLessThanOrEqual(tol);
        },
      ),
    );
  });

  it('is bit-identical to logSoftmax at T = 1', () => {
    fc.assert(
      fc.property(logitRow(1e4), fc.nat(), (z, k) => {
        const i = k % z.length;
        expect(logSoftmaxAt(z, i)).toBe(logSoftmax(z)[i]);
      }),
    );
  });

  it('sharpens at T < 1: the top token gains, and the row is still a distribution', () => {
    const z = [2, 1, 0, -1];
    expect(logSoftmaxAt(z, 0, 0.7)).toBeGreaterThan(logSoftmaxAt(z, 0, 1));
    const row = z.map((_, i) => logSoftmaxAt(z, i, 0.7));
    expect(Math.abs(sumExp(row) - 1)).toBeLessThan(1e-15);
  });
});

describe('argmax', () => {
  it('returns the first largest index, and -1 for an empty row', () => {
    expect(argmax([])).toBe(-1);
    expect(argmax([1, 3, 3, 2])).toBe(1);
    expect(argmax([-Infinity, -Infinity])).toBe(0);
    fc.assert(
      fc.property(logitRow(1e6), (z) => {
        const i = argmax(z);
        expect(z[i]).toBe(Math.max(...z));
        expect(z.indexOf(Math.max(...z))).toBe(i);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// compensatedSum
// ---------------------------------------------------------------------------------------------

describe('compensatedSum', () => {
  it('is exact on the classic adversarial inputs', () => {
    expect(compensatedSum([1e16, 1, -1e16])).toBe(1);
    expect(compensatedSum([1, 1e100, 1, -1e100])).toBe(2);
    expect(compensatedSum([1e100, 1, -1e100, 1])).toBe(2);
    expect(compensatedSum([0.1, 0.2, -0.3])).toBe(exactSum([0.1, 0.2, -0.3]).rounded);
    expect(compensatedSum([2 ** 53, 1, 1, 1, 1, -(2 ** 53)])).toBe(4);
    // naive summation gets every one of these wrong
    expect(naiveSum([1e16, 1, -1e16])).not.toBe(1);
  });

  it('sums a sub-range and treats an empty range as 0', () => {
    expect(compensatedSum([5, 1e16, 1, -1e16, 7], 1, 4)).toBe(1);
    expect(compensatedSum([])).toBe(0);
    expect(compensatedSum([1, 2, 3], 2, 2)).toBe(0);
  });

  it('propagates non-finite inputs instead of turning -Infinity into NaN', () => {
    expect(compensatedSum([-1, -Infinity, -2])).toBe(-Infinity);
    expect(compensatedSum([-Infinity, 1e300, 1])).toBe(-Infinity);
    expect(compensatedSum([Infinity, 1])).toBe(Infinity);
    expect(Number.isNaN(compensatedSum([-1, NaN]))).toBe(true);
    expect(Number.isNaN(compensatedSum([Infinity, -Infinity]))).toBe(true);
  });

  it('stays within the compensated-summation error bound u|S| + γ²(n−1) Σ|x| of the exact sum', () => {
    // Neumaier's algorithm is Ogita–Rump–Oishi Sum2 in disguise, whose bound this is.
    fc.assert(
      fc.property(adversarialSum, (values) => {
        const exact = exactSum(values);
        const n = values.length;
        const gamma = ((n - 1) * U) / (1 - (n - 1) * U);
        const sumAbs = values.reduce((s, v) => s + Math.abs(v), 0);
        const bound = U * Math.abs(exact.rounded) + gamma * gamma * sumAbs * 1.01;
        expect(absError(compensatedSum(values), exact.scaled)).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 500 },
    );
  });

  it('is correctly rounded on random sums far more often than naive summation', () => {
    // Per case Neumaier can lose to naive summation (a perfectly cancelling order makes the
    // naive sum exact while the correction term carries its own rounding), so this compares
    // how often each is correctly rounded over a fixed sample, plus the total error.
    const cases = fc.sample(adversarialSum, { numRuns: 2000, seed: 20240611 });
    let compExact = 0;
    let naiveExact = 0;
    let compWorse = 0;
    for (const values of cases) {
      const exact = exactSum(values);
      const comp = compensatedSum(values);
      const naive = naiveSum(values);
      if (comp === exact.rounded) compExact++;
      if (naive === exact.rounded) naiveExact++;
      if (absError(comp, exact.scaled) > absError(naive, exact.scaled)) compWorse++;
    }
    const n = cases.length;
    // Observed with this seed: compensated 1930/2000 correctly rounded, naive 1424/2000.
    expect(compExact).toBeGreaterThan(0.95 * n);
    expect(n - compExact).toBeLessThan((n - naiveExact) / 4);
    expect(compWorse).toBeLessThan(0.01 * n);
  });

  it('matches a BigInt exact sum on log-prob-like sequences to one rounding (hundreds of small negatives)', () => {
    // Neumaier's sum is faithful, not always correctly rounded: at most one unit in the last place.
    fc.assert(
      fc.property(fc.array(fc.float({ min: -30, max: 0, noNaN: true }), { minLength: 1, maxLength: 400 }), (lp) => {
        const exact = exactSum(lp).rounded;
        expect(Math.abs(compensatedSum(lp) - exact)).toBeLessThanOrEqual(Number.EPSILON * Math.abs(exact));
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// isFloat16
// ---------------------------------------------------------------------------------------------

describe('isFloat16', () => {
  it('agrees with the reference float16 rounding on known values', () => {
    // Checks of the oracle itself, against values from the IEEE 754 binary16 tables.
    expect(toFloat16(1 / 3)).toBe(0.333251953125);
    expect(toFloat16(65519.99)).toBe(65504);
    expect(toFloat16(65520)).toBe(Infinity);
    expect(toFloat16(2 ** -25)).toBe(0); // tie, rounds to the even zero
    expect(toFloat16(2 ** -25 * 1.0001)).toBe(2 ** -24);
    expect(toFloat16(1 + 2 ** -11)).toBe(1); // tie to even
    expect(toFloat16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9); // tie to even, upwards
    expect(toFloat16(2 ** -14 - 2 ** -26)).toBe(2 ** -14); // subnormal rounds up into the normals
    expect(toFloat16(-17.7193)).toBe(-17.71875);
  });

  it('accepts every finite float16 value and rejects the midpoints between neighbours', () => {
    for (let h = 0; h < 0x7c00; h++) {
      const x = fromFloat16Bits(h);
      expect(float16Bits(x)).toBe(h); // the oracle round-trips
      if (!isFloat16(x) || !isFloat16(-x)) throw new Error(`isFloat16(${x}) is false for half bits 0x${h.toString(16)}`);
      if (h > 0) {
        const mid = (x + fromFloat16Bits(h - 1)) / 2; // exact in float64, never a half
        if (isFloat16(mid)) throw new Error(`isFloat16(${mid}) is true between two halves`);
      }
    }
    expect(isFloat16(65504)).toBe(true);
    expect(isFloat16(65505)).toBe(false);
    expect(isFloat16(65536)).toBe(false);
    expect(isFloat16(2 ** -24)).toBe(true);
    expect(isFloat16(2 ** -25)).toBe(false);
    expect(isFloat16(0)).toBe(true);
    expect(isFloat16(-0)).toBe(true);
  });

  it('is true for any value that went through a correct float16 rounding', () => {
    fc.assert(
      fc.property(fc.double({ min: -65504, max: 65504, noNaN: true }), (x) => {
        expect(isFloat16(toFloat16(x))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is exactly "x rounds to itself in float16" for doubles and for float32 values', () => {
    const doubles = fc.oneof(
      fc.double({ min: -70000, max: 70000, noNaN: true }),
      fc.double({ min: -1e-3, max: 1e-3, noNaN: true }),
      fc.integer({ min: -70000, max: 70000 }).map((k) => k / 64),
    );
    fc.assert(
      fc.property(doubles, (x) => {
        expect(isFloat16(x)).toBe(toFloat16(x) === x);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.float({ min: -30, max: 0, noNaN: true }), (x) => {
        expect(isFloat16(x)).toBe(toFloat16(x) === x);
      }),
      { numRuns: 3000 },
    );
  });

  it('is false for typical float32 log-probs', () => {
    const sample = fc.sample(fc.float({ min: Math.fround(-30), max: Math.fround(-1e-3), noNaN: true }), { numRuns: 1000, seed: 7 });
    const halves = sample.filter(isFloat16).length;
    expect(halves).toBeLessThan(30); // a float32 has 13 more significand bits than a half
    for (const v of [Math.fround(-5.17864465713501), Math.fround(-0.1), Math.fround(-1 / 3), Math.fround(-12.149215)]) {
      expect(isFloat16(v)).toBe(false);
    }
  });
});

describe('isBfloat16', () => {
  // A bfloat16 is the high half of a float32's bits: every such pattern is one, a float32 between two is not.
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  const fromBits = (b: number) => ((bits[0] = b), f32[0]);

  it('accepts every finite bfloat16 value and rejects the float32 values between neighbours', () => {
    for (let h = 0; h < 0x7f80; h++) {
      const x = fromBits(h << 16);
      if (!isBfloat16(x) || !isBfloat16(-x)) throw new Error(`isBfloat16(${x}) is false for bfloat16 bits 0x${h.toString(16)}`);
      const between = fromBits((h << 16) | 0x8000);
      if (isBfloat16(between)) throw new Error(`isBfloat16(${between}) is true between two bfloat16 values`);
    }
    expect(isBfloat16(2 ** 200)).toBe(false); // beyond float32's range
    expect(isBfloat16(Math.fround(-0.1))).toBe(false);
  });

  it('is exactly "x rounds to itself in bfloat16" over the normal range', () => {
    const normal = fc.oneof(fc.double({ min: -1e6, max: -1e-6, noNaN: true }), fc.float({ min: -30, max: 0, noNaN: true }).filter((x) => Math.abs(x) >= 2 ** -126), fc.integer({ min: -30000, max: -1 }).map((k) => k / 128));
    fc.assert(
      fc.property(normal, (x) => {
        expect(isBfloat16(x)).toBe(roundToBfloat16(x) === x);
      }),
      { numRuns: 3000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// log1mExp
// ---------------------------------------------------------------------------------------------

describe('log1mExp', () => {
  it('is exact at closed-form points', () => {
    expect(log1mExp(-Math.LN2)).toBeCloseTo(-Math.LN2, 15);
    expect(log1mExp(Math.log(0.75))).toBeCloseTo(Math.log(0.25), 15);
    expect(log1mExp(-Infinity)).toBe(-0);
    expect(log1mExp(0)).toBe(-Infinity);
  });

  it('is accurate where the naive log(1 - exp(x)) fails', () => {
    // 1 - exp(-1e-20) rounds to 0 naively; the true value is log(1e-20 - 5e-41 + …).
    expect(Math.log(1 - Math.exp(-1e-20))).toBe(-Infinity);
    expect(Math.abs(log1mExp(-1e-20) - Math.log(1e-20))).toBeLessThan(1e-14);
    // log(1 - e^-50) ≈ -e^-50 (relative error e^-50/2), which naive rounding turns into 0.
    expect(Math.log(1 - Math.exp(-50))).toBe(0);
    expect(Math.abs(log1mExp(-50) / -Math.exp(-50) - 1)).toBeLessThan(4 * U);
    expect(Math.abs(log1mExp(-1e-300) - Math.log(1e-300))).toBeLessThan(1e-13);
  });

  it('agrees with the naive formula to a few ulps where the naive formula is well conditioned', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: -0.5, noNaN: true }), (x) => {
        expect(Math.abs(log1mExp(x) - Math.log(1 - Math.exp(x)))).toBeLessThanOrEqual(8 * U * (1 + Math.abs(log1mExp(x))));
      }),
    );
  });

  it('is its own inverse: log1mExp(log1mExp(x)) = x', () => {
    fc.assert(
      fc.property(fc.double({ min: -700, max: -1e-300, noNaN: true }), (x) => {
        const y = log1mExp(x);
        expect(Number.isFinite(y)).toBe(true);
        // y carries a relative error of ~u, which the second application amplifies by |y|.
        expect(Math.abs(log1mExp(y) - x)).toBeLessThanOrEqual(16 * U * Math.abs(x) * (1 + Math.abs(y)));
      }),
      { numRuns: 2000 },
    );
  });

  it('is monotone decreasing and continuous across its branch point at -ln 2', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: -1e-12, noNaN: true }), fc.double({ min: -40, max: -1e-12, noNaN: true }), (a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(log1mExp(lo)).toBeGreaterThanOrEqual(log1mExp(hi));
      }),
    );
    const below = log1mExp(-Math.LN2 - 1e-12);
    const above = log1mExp(-Math.LN2 + 1e-12);
    expect(Math.abs(below - above)).toBeLessThan(1e-11);
  });
});

// ---------------------------------------------------------------------------------------------
// Tolerances: an honest low-precision pipeline must never look like a bug
// ---------------------------------------------------------------------------------------------

describe('the precision model covers honest pipelines (src/reference/precision.ts)', () => {
  /** A continuation of n steps over a vocabulary of v tokens, logits as a float32 model emits them. */
  const continuation = (maxSteps: number) =>
    fc
      .tuple(
        fc.integer({ min: 1, max: maxSteps }),
        fc.integer({ min: 2, max: 300 }),
        fc.double({ min: 0.5, max: 8, noNaN: true }),
        fc.integer(),
      )
      .map(([n, v, scale, seed]) => {
        let s = seed >>> 0 || 1;
        const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
        const rows: number[][] = [];
        const targets: number[] = [];
        for (let i = 0; i < n; i++) {
          rows.push(Array.from({ length: v }, () => Math.fround((rand() * 2 - 1) * scale * 3)));
          targets.push(Math.floor(rand() * v));
        }
        return { rows, targets };
      });

  function reference(rows: number[][], targets: number[]): number {
    return compensatedSum(rows.map((z, i) => logSoftmaxAt(z, targets[i])));
  }

  /** "log-softmax and sum in float16": each value rounded to half, the running sum kept in half. */
  function float16Total(rows: number[][], targets: number[]): number {
    let sum16 = 0;
    rows.forEach((z, i) => {
      sum16 = toFloat16(sum16 + toFloat16(logSoftmaxFloat32(z)[targets[i]]));
    });
    return sum16;
  }

  /** A total's tolerance at a tier, as the record context forms it: the steps in quadrature, the accumulator's rounding. */
  function totalTolerance(tier: Tier, storageU: number, rows: number[][], targets: number[]): number {
    let squares = 0;
    let abs = 0;
    rows.forEach((z, i) => {
      const st = rowStats(z);
      const lp = z[targets[i]] - st.lse;
      squares += stepScale(tier, st, lp, z[targets[i]], storageU) ** 2;
      abs += Math.abs(lp);
    });
    return quadratureTolerance(squares) + accumulationTolerance(storageU, abs, rows.length, abs);
  }

  function float16Misses(maxSteps: number): number {
    const sample = fc.sample(continuation(maxSteps), { numRuns: 400, seed: 1618 });
    return sample.filter(({ rows, targets }) => {
      const ref = reference(rows, targets);
      return !close(float16Total(rows, targets), ref, totalTolerance(TIERS.fp16, UNIT_ROUNDOFF.float16, rows, targets));
    }).length;
  }

  it('covers a float32 pipeline: float32 log-softmax, float32 running sum', () => {
    fc.assert(
      fc.property(continuation(150), ({ rows, targets }) => {
        const ref = reference(rows, targets);
        let sum32 = 0;
        rows.forEach((z, i) => {
          sum32 = Math.fround(sum32 + logSoftmaxFloat32(z)[targets[i]]);
        });
        expect(close(sum32, ref, totalTolerance(TIERS.fp32, UNIT_ROUNDOFF.float32, rows, targets))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  // The rounding error of a half-precision running sum grows like 2^-11 · |S| · √n; the
  // tolerance grows with it.
  it('covers every float16 pipeline in the sample (values and running sum in half precision)', () => {
    expect(float16Misses(150)).toBe(0);
  });

  it('treats equal infinities as close and NaN as never close', () => {
    expect(close(-Infinity, -Infinity, 0)).toBe(true);
    expect(close(-Infinity, -1e300, 1e-5)).toBe(false);
    expect(close(NaN, NaN, Infinity)).toBe(false);
    expect(close(1, 1 + 1e-6, 1e-5)).toBe(true);
    // float32 noise is inside the float32 tolerance, a real bug (a dropped token) is not
    expect(accumulationTolerance(UNIT_ROUNDOFF.float32, 40, 8, 40)).toBeLessThan(0.01);
    expect(accumulationTolerance(UNIT_ROUNDOFF.float16, 40, 8, 40)).toBeGreaterThan(accumulationTolerance(UNIT_ROUNDOFF.float32, 40, 8, 40));
  });
});

describe('score kinds: one table', () => {
  it('the record schema offers exactly the kinds the table defines', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'record.schema.json'), 'utf8')) as { properties: { score_kind: { enum: string[] } } };
    expect(schema.properties.score_kind.enum).toEqual(SCORE_KIND_NAMES);
  });

  it('reads back every declared total, within its range', () => {
    for (const kind of SCORE_KIND_NAMES) {
      const spec = SCORE_KINDS[kind];
      for (const [total, n] of [[-3.25, 5], [-0.01, 1], [-120, 40]] as const) {
        const s = spec.declared(total, n);
        expect(s, kind).toBeGreaterThanOrEqual(spec.min);
        expect(s, kind).toBeLessThanOrEqual(spec.max);
        expect(spec.toTotal(s, n), kind).toBeCloseTo(total, 9);
      }
    }
  });
});
