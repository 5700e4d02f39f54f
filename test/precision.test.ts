/**
 * The precision model (src/reference/precision.ts) and how numbers were stored
 * (src/reference/storage.ts), against independent oracles: the sensitivity formula against
 * perturbed logits, printed digits against explicit prints, grid chances against counting.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { logSoftmax, logSumExp, roundToBfloat16, roundToFloat16 } from '../src/reference/math.js';
import {
  ASSUMED_LOGIT_SCALE,
  K_STEP,
  TIERS,
  UNIT_ROUNDOFF,
  UNKNOWN_STEP,
  accumulationTolerance,
  coincidenceChance,
  rowStats,
  stepScale,
} from '../src/reference/precision.js';
import { GridEvidence, gridChanceLog10, printedResolution, storageResolution, storedIn } from '../src/reference/storage.js';
import { gaussian, mulberry32 } from '../scripts/lib/prng.js';

describe('printedResolution: half a unit of the last digit printed, none for numbers stored exactly', () => {
  it.each([
    [-12.3457, 5e-5],
    [-0.1, 0.05],
    [-1.5e-7, 5e-9],
    [Number('-48.0988'), 5e-5],
    [-1234567.5, 0], // a float32 value
    [-10.125, 0], // a bfloat16 value: a print with three decimals is coarse on its float16 grid
    [-16.4375, 5e-5], // -263/16: "%.6g" of -16.43753…, a print as likely as a float16 value
    [-222.5, 0], // one decimal: coarser than the float16 grid's rounding there
    [-0.5, 0],
    [0, 0],
    [-Infinity, 0],
    [-7.678302288055420 - 1e-15, 0], // a float64 with every digit
  ])('%s → %s', (x, res) => {
    expect(printedResolution(x)).toBeCloseTo(res, 15);
  });

  it("a float32 written with numpy's shortest repr is known to half a float32 spacing at least", () => {
    const f = Math.fround(-7.6783023);
    const shortest = Number(f.toPrecision(8));
    expect(Math.fround(shortest)).toBe(f);
    expect(printedResolution(shortest)).toBeGreaterThanOrEqual(2 ** -22 / 2 - 1e-18);
  });

  it('a print with six or seven digits that lands on a binary fraction is within its resolution of what was printed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 }), fc.integer({ min: 0, max: 14 }), fc.double({ min: -0.499, max: 0.499, noNaN: true }), (k, q, u) => {
        const exact = -k / 2 ** q;
        const digits = String(Math.abs(exact)).replace(/^0\.0*|\./g, '').length;
        if (digits < 6 || digits > 7) return;
        // A value whose print is `exact`: within half a unit of its last digit.
        const unit = 10 ** (Math.floor(Math.log10(Math.abs(exact))) - digits + 1);
        const value = exact + u * unit;
        expect(Number(value.toPrecision(digits))).toBe(exact);
        expect(Math.abs(exact - value)).toBeLessThanOrEqual(printedResolution(exact) * (1 + 1e-9));
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('a printed number is within its resolution of what was printed', () => {
    fc.assert(
      fc.property(fc.double({ min: -60, max: -1e-3, noNaN: true }), fc.integer({ min: 3, max: 9 }), (x, digits) => {
        const printed = Number(x.toPrecision(digits));
        if (Math.fround(printed) === printed) return;
        expect(Math.abs(printed - x)).toBeLessThanOrEqual(printedResolution(printed) * (1 + 1e-9));
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('half-precision grids and their chance', () => {
  it('storedIn names the format a float32 number shows, if the grid tells anything', () => {
    expect(storedIn(roundToBfloat16(-3.14159))).toBe('bfloat16');
    expect(storedIn(roundToFloat16(-1.2353))).toBe('float16'); // 1265/1024: off the bfloat16 grid
    expect(storedIn(-0.5)).toBeNull(); // on every grid: tells nothing
    expect(storedIn(Math.fround(-3.14159))).toBeNull();
    expect(storedIn(-3.14159)).toBeNull(); // not even float32
  });

  it('the chance of a grid is the likelier of a float32 value and a print landing there', () => {
    // -10.125 has three decimals; the bfloat16 grid at 8..16 is 1/16: one three-decimal number in 62.5 lands on it.
    expect(gridChanceLog10(-10.125, 'bfloat16')).toBeCloseTo(Math.log10(0.001 / 0.0625), 12);
    // A bfloat16 value with many decimals: a float32 value lands on the grid one time in 2^16.
    expect(gridChanceLog10(roundToBfloat16(-0.0123456), 'bfloat16')).toBeCloseTo(-16 * Math.log10(2), 12);
    expect(gridChanceLog10(-3, 'bfloat16')).toBe(0);
  });

  it('pools numbers: two float32 witnesses make a claim, one does not, one off the grid ends it', () => {
    const g = new GridEvidence();
    g.add(roundToBfloat16(-0.0123456));
    expect(g.grid()).toBeNull();
    g.add(roundToBfloat16(-2.7182818));
    expect(g.grid()).toMatchObject({ format: 'bfloat16' });
    g.add(Math.fround(-1.2345678));
    expect(g.grid()).toBeNull();
    expect(g.alive).toBe(false);
  });

  // Honest-numerics seed 53, a log-softmax in bfloat16 with its values printed round(x, 4): -0.042236328125 became -0.0422.
  it('a print is on a grid when a grid point is within its last digit: -0.0422 keeps bfloat16, -0.0423 ends it', () => {
    const values = [-19.125, -8.8125, -7.3125, -7.5, -9.4375];
    const withPrint = (x: number) => {
      const g = new GridEvidence();
      for (const v of [...values, x]) g.add(v);
      return g.grid()?.format;
    };
    expect(withPrint(-0.0422)).toBe('bfloat16');
    // No bfloat16 value lies within ±5e-5 of -0.0423 (the nearest: -0.042236, -0.042480); float16's grid, finer than the print, stays.
    expect(withPrint(-0.0423)).toBe('float16');
  });

  // HELM's Together client (a real suite, test/fixtures/real/helm): float16 log-probs written as numpy's shortest float32 repr.
  it("a float32 value's shortest repr is on the grid its float32 value is on: -0.25195312 is float16's -0.251953125", () => {
    const g = new GridEvidence();
    for (const x of [-0.25195312, -0.3317871, -0.58984375, -0.016067505, -0.051483154, -0.1373291, -0.68847656]) g.add(x);
    expect(g.grid()?.format).toBe('float16');
    // Its last digit alone (±5e-9) misses the grid point by a hair: the repr rounds the tie to even.
    expect(Math.abs(-0.25195312 - -0.251953125)).toBeGreaterThanOrEqual(5e-9);
  });

  it('storageResolution: half the spacing of the grid a score shows', () => {
    const x = roundToBfloat16(-12.3456);
    expect(storageResolution(x)).toBe(2 ** (3 - 7) / 2);
    expect(storageResolution(-12.3457)).toBeCloseTo(5e-5, 15);
  });
});

describe('stepScale: Δ log p_y = δ_y − Σ p_j δ_j', () => {
  const rand = mulberry32(11);
  const row = Array.from({ length: 64 }, () => Math.fround(8 + 3 * gaussian(rand)));

  it('rowStats gives the log-sum-exp and the sensitivity sums of the row', () => {
    const st = rowStats(row);
    expect(st.lse).toBeCloseTo(logSumExp(row), 12);
    const p = logSoftmax(row).map(Math.exp);
    expect(st.p2).toBeCloseTo(p.reduce((s, x) => s + x * x, 0), 12);
    expect(st.p2z2).toBeCloseTo(p.reduce((s, x, j) => s + x * x * row[j] ** 2, 0), 9);
  });

  it('covers logits perturbed by the tier’s relative noise, for every token of the row', () => {
    const st = rowStats(row);
    const lp = logSoftmax(row);
    const g = mulberry32(5);
    let worst = 0;
    for (let trial = 0; trial < 200; trial++) {
      const noisy = row.map((z) => z * (1 + TIERS.fp32.logitRel * gaussian(g)) + TIERS.fp32.logitAbs * gaussian(g));
      const moved = logSoftmax(noisy);
      for (let j = 0; j < row.length; j++) worst = Math.max(worst, Math.abs(moved[j] - lp[j]) / stepScale(TIERS.fp32, st, lp[j], row[j]));
    }
    expect(worst).toBeLessThan(K_STEP);
    expect(worst).toBeGreaterThan(0.5); // a standard deviation, not a loose bound
  });

  it('grows with the logits’ magnitude: a shift leaves the log-probs but not relative noise', () => {
    const shifted = row.map((z) => z + 100);
    const lp = logSoftmax(row)[0];
    expect(stepScale(TIERS.bf16, rowStats(shifted), lp, shifted[0])).toBeGreaterThan(3 * stepScale(TIERS.bf16, rowStats(row), lp, row[0]));
  });

  it('a near-certain token keeps only the arithmetic’s rounding', () => {
    const peaked = [30, 0, 0, 0];
    const lp = logSoftmax(peaked)[0];
    expect(stepScale(TIERS.bf16, rowStats(peaked), lp, 30)).toBeLessThan(1e-5);
  });

  it('at top-k level assumes the logit scale; with nothing known, Σ_{k≠y} p_k² ≤ (1 − p_y)²', () => {
    const known = stepScale(TIERS.fp32, { lse: NaN, p2: 0.3, p2z2: NaN }, Math.log(0.5));
    const rel = TIERS.fp32.logitRel * ASSUMED_LOGIT_SCALE;
    expect(known).toBeGreaterThan(rel * Math.sqrt(0.25 + 0.05));
    expect(stepScale(TIERS.fp32, UNKNOWN_STEP, Math.log(0.5))).toBeGreaterThan(rel * 0.5 * Math.SQRT2);
  });
});

describe('accumulationTolerance', () => {
  it('is √n roundings in quadrature, never more than the worst case of n', () => {
    const u = UNIT_ROUNDOFF.float32;
    expect(accumulationTolerance(u, 10, 1, 10)).toBe(2 * u * 10); // one value: only its storage
    expect(accumulationTolerance(u, 10, 2, 10)).toBe(u * 10 + 2 * u * 10); // the worst case binds
    const n = 400;
    expect(accumulationTolerance(u, 100, n, 100)).toBeLessThan((n - 1) * u * 100);
  });

  it('covers a float32 running sum of float32 values, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -30, max: -1e-6, noNaN: true }), { minLength: 1, maxLength: 300 }), (xs) => {
        const v = xs.map(Math.fround);
        let s32 = 0;
        for (const x of v) s32 = Math.fround(s32 + x);
        let s64 = 0;
        let abs = 0;
        for (const x of v) {
          s64 += x;
          abs += Math.abs(x);
        }
        expect(Math.abs(s32 - s64)).toBeLessThanOrEqual(accumulationTolerance(UNIT_ROUNDOFF.float32, abs, v.length, abs));
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

describe('coincidenceChance', () => {
  it('is how often a value lands within ±tol of one of k numbers spread over a range', () => {
    expect(coincidenceChance(20, 1e-4, 10)).toBeCloseTo(4e-4, 12);
    expect(coincidenceChance(20, 0.3, 10)).toBe(1);
    expect(coincidenceChance(3, 1e-3, 0)).toBe(1);
  });
});
