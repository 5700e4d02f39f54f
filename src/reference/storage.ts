/**
 * How a recorded number was stored: the digits it was printed with, the half-precision grid it
 * lies on, and how likely that grid is by chance. A number is known only to its storage: −12.3457
 * to ±5e-5, a bfloat16 value to half its spacing; a set of numbers that all lie on a half grid,
 * when float32 values or prints would land there one time in a million or less, was computed there.
 */
import { isBfloat16, isFloat16 } from './math.js';
import { UNIT_ROUNDOFF, type HalfFormat } from './precision.js';

// ---------------------------------------------------------------------------------------------
// Printed numbers
// ---------------------------------------------------------------------------------------------

/**
 * Significant digits and decimal exponent of a number's shortest round-trip representation.
 * Read by index over the printed text (no regular expressions or joined strings): it runs for
 * every recorded score.
 */
function decimalDigits(x: number): { digits: number; exponent: number; decimals: number } {
  const s = String(Math.abs(x));
  const e = s.indexOf('e');
  const end = e < 0 ? s.length : e; // the mantissa is s[0, end)
  const exp = e < 0 ? 0 : Number(s.slice(e + 1));
  const dot = s.indexOf('.');
  const intEnd = dot < 0 || dot > end ? end : dot;
  const fracLength = intEnd === end ? 0 : end - intEnd - 1;
  // The significant digits: the mantissa's digits less leading and trailing zeros.
  let first = 0;
  while (first < end && (s.charCodeAt(first) === 48 || first === intEnd)) first++;
  let last = end - 1;
  while (last >= first && (s.charCodeAt(last) === 48 || last === intEnd)) last--;
  let digits = 0;
  for (let i = first; i <= last; i++) if (i !== intEnd) digits++;
  digits ||= 1;
  // Position of the last significant digit relative to the decimal point.
  let trailingZeros = 0;
  if (intEnd > 0 && fracLength === 0) while (trailingZeros < intEnd && s.charCodeAt(intEnd - 1 - trailingZeros) === 48) trailingZeros++;
  const decimals = fracLength - exp - trailingZeros;
  return { digits, exponent: exp, decimals };
}

/** The spacing of float32 numbers next to x. */
function float32Spacing(x: number): number {
  const a = Math.abs(x);
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}

/**
 * Significant digits beyond which a float32 value is taken as stored, not printed: a print with
 * more digits lands on a float32 value only by an accident of 2^-24 or less.
 */
const MAX_EXACT_PRINT_DIGITS = 7;

/**
 * How far from 0 the total of a recorded log-prob score of 0 may be: half a unit of two decimals.
 * A print to two decimals makes -0.0 of a total above -0.005 (round(-0.0031, 2)), and a zero
 * keeps no digits to say how it was printed. One decimal would be 0.05, and would hide the empty
 * window (the only token dropped) of every continuation of probability 0.95 or more.
 */
export const ZERO_PRINT_RESOLUTION = 0.005;

/**
 * Whether a binary number can have a decimal expansion of MAX_EXACT_PRINT_DIGITS digits or fewer,
 * without printing it (it runs for every recorded score): n / 2^q has q decimals, and n·5^q
 * under 10^7 needs q ≤ 10. A float32 value computed with a fraction of its 24 bits fails it.
 */
function shortBinary(x: number): boolean {
  return Number.isInteger(x * 1024);
}

/** The largest share of the float16 half spacing a print on that grid may be known to (above: taken as stored). */
const EXACT_PRINT_SHARE = 1 / 16;

/**
 * Half a unit of the last digit a number was printed with: how far it may stand from the value
 * the pipeline computed, inferred from the number's shortest decimal representation. Numbers
 * stored exactly are not printed: a float32 value with the long expansion of its bits, a float64
 * shortest repr (16–17 digits); a float32 written with its shortest repr (numpy's str) is known to
 * half a float32 spacing.
 */
export function printedResolution(x: number): number {
  if (!Number.isFinite(x) || x === 0) return 0;
  if (Math.fround(x) === x) {
    // A float32 value written out whole has the long expansion of its 24 bits. One with a short
    // expansion has few bits: a half-precision value, or a print that landed on a binary fraction
    // (−16.4375 = −263/16 is "%.6g" of −16.43753…: one print in 625 at four decimals). The number
    // cannot tell which, so the print's bound holds where it is small against the float16 grid the
    // number lies on (EXACT_PRINT_SHARE of its half spacing). A coarser one (−222.5, one decimal:
    // 0.05 against float16's 0.0625 there) would hide most half-precision roundings, and let a
    // hypothesis fit them by chance: such a number is taken as stored.
    const printed = shortPrintResolution(x);
    return isFloat16(x) && printed > (EXACT_PRINT_SHARE * gridSpacing(x, 'float16')) / 2 ? 0 : printed;
  }
  const { decimals, digits } = decimalDigits(x);
  if (digits >= 16) return 0;
  const printed = 0.5 * 10 ** -decimals;
  // numpy prints a float32 with the fewest digits that read back as the same float32: known to
  // half a float32 spacing. With 7 digits or fewer that cannot be told from a print with that
  // many digits, so the looser of the two holds.
  const f = Math.fround(x);
  if (digits <= 9 && Number(f.toPrecision(digits)) === x && (digits === 1 || Math.fround(Number(f.toPrecision(digits - 1))) !== f)) {
    return Math.max(printed, float32Spacing(x) / 2);
  }
  return printed;
}

/**
 * Half a unit of the last digit of a float32 value with a short expansion (at most
 * MAX_EXACT_PRINT_DIGITS digits), however coarse; 0 for any other number. What such a number is
 * known to if it is a print after all: printedResolution takes a coarse one as stored, which a
 * file that prints its scores contradicts (precision-pool.ts).
 */
export function shortPrintResolution(x: number): number {
  if (!Number.isFinite(x) || x === 0 || Math.fround(x) !== x || !shortBinary(x)) return 0;
  const { decimals, digits } = decimalDigits(x);
  return digits > MAX_EXACT_PRINT_DIGITS ? 0 : 0.5 * 10 ** -decimals;
}

/**
 * What x is known to if it is a print at all, a coarse binary fraction included (-15.25): the
 * reading of numbers whose neighbours tell how they were written (a file's scores, a record's
 * lists). 0 for a number written whole.
 */
export function anyPrintResolution(x: number): number {
  return Math.fround(x) === x ? shortPrintResolution(x) : printedResolution(x);
}

/**
 * The half-precision format a float32 number shows it was stored in: it lies on that grid and
 * the grid tells something (a float32 value lands there by chance one time in 2^13 or 2^16).
 * bfloat16 first, the coarser grid.
 */
export function storedIn(x: number): HalfFormat | null {
  if (!Number.isFinite(x) || x === 0 || Math.fround(x) !== x) return null;
  for (const f of ['bfloat16', 'float16'] as const) if (onGrid(x, f) && gridChanceLog10(x, f) < 0) return f;
  return null;
}

/**
 * Half the spacing of the format a recorded number was stored or printed in: its printed digits,
 * the half-precision grid it shows, float32's or float64's spacing.
 */
export function storageResolution(x: number): number {
  if (!Number.isFinite(x) || x === 0) return 0;
  if (Math.fround(x) !== x) return printedResolution(x) || Math.abs(x) * UNIT_ROUNDOFF.float64;
  const half = storedIn(x);
  return half ? gridSpacing(x, half) / 2 : float32Spacing(x) / 2;
}

// ---------------------------------------------------------------------------------------------
// Half-precision grids: how likely is it that numbers lie on one by chance?
// ---------------------------------------------------------------------------------------------

const SIGNIFICANT_BITS: Record<HalfFormat, number> = { bfloat16: 8, float16: 11 };

/** Spacing of the half-precision grid next to x (float16's subnormals: 2^-24). */
export function gridSpacing(x: number, format: HalfFormat): number {
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  if (format === 'float16') return 2 ** (Math.max(e, -14) - 10);
  return 2 ** (e - 7);
}

export function onGrid(x: number, format: HalfFormat): boolean {
  return format === 'float16' ? isFloat16(x) : isBfloat16(x);
}

/**
 * log10 of the chance that x, had it not been computed in `format`, would lie on its grid anyway:
 * a float32 value lands there one time in 2^(24 − bits); a number printed with d decimals one
 * time in g / 10^-d (g the grid spacing), whichever is likelier. 0 for a number that tells
 * nothing (non-finite, zero, or so coarse that every printed grid holds it).
 */
export function gridChanceLog10(x: number, format: HalfFormat): number {
  if (!Number.isFinite(x) || x === 0) return 0;
  const float32 = -(24 - SIGNIFICANT_BITS[format]) * Math.log10(2);
  const printed = -decimalDigits(x).decimals - Math.log10(gridSpacing(x, format));
  return Math.min(0, Math.max(float32, printed));
}

/** A grid point of `format` lies within `resolution` of x. */
function withinOfGrid(x: number, format: HalfFormat, resolution: number): boolean {
  const s = gridSpacing(x, format);
  return Math.abs(x - Math.round(x / s) * s) <= resolution;
}

/** Evidence that a set of numbers was computed on a half-precision grid. */
export class GridEvidence {
  /** Per format: every informative number lies on its grid. */
  private on = { bfloat16: true, float16: true };
  /** Per format: Σ log10 chance over the informative numbers. */
  private chance = { bfloat16: 0, float16: 0 };
  /** Numbers that carried any information. */
  informative = 0;

  add(x: number): void {
    if (!Number.isFinite(x) || x === 0) return;
    let told = false;
    const f32 = Math.fround(x);
    const exact = f32 === x;
    // A print (not a float32 value) is on the grid when the float32 value it reads back as is
    // (numpy's shortest repr of the float16 value -0.251953125 is -0.25195312), or when a grid
    // point is within its last digit: round(-0.042236328125, 4) is -0.0422, a bfloat16 value.
    const lastDigit = exact ? 0 : 0.5 * 10 ** -decimalDigits(x).decimals;
    for (const f of ['bfloat16', 'float16'] as const) {
      if (!this.on[f]) continue;
      const on = onGrid(f32, f) || (!exact && withinOfGrid(x, f, lastDigit));
      // A float32 number off the grid has more bits than it: informative without a look at its digits.
      const c = !on && exact ? -1 : gridChanceLog10(x, f);
      if (c === 0) continue;
      told = true;
      if (on) this.chance[f] += c;
      else this.on[f] = false;
    }
    if (told) this.informative++;
  }

  /**
   * The grid the numbers were computed on, if they show one beyond chance (below `maxChance`):
   * bfloat16 first, the coarser grid (every bfloat16 number in range is a float16 number too).
   */
  grid(maxChance = GRID_CHANCE): { format: HalfFormat; chanceLog10: number } | null {
    const limit = Math.log10(maxChance);
    for (const f of ['bfloat16', 'float16'] as const) {
      if (this.on[f] && this.chance[f] < 0 && this.chance[f] <= limit) return { format: f, chanceLog10: this.chance[f] };
    }
    return null;
  }

  /** No informative number has contradicted this grid. */
  possible(format: HalfFormat): boolean {
    return this.on[format];
  }

  /** Some grid is still possible: no informative number has contradicted both. */
  get alive(): boolean {
    return this.on.bfloat16 || this.on.float16;
  }
}

/** A grid claim needs the numbers to land on it by chance less often than one time in a million. */
export const GRID_CHANCE = 1e-6;

