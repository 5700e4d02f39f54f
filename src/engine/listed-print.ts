/**
 * What the numbers of a record's top-k lists (and a server's log-probs), or its per-token values,
 * are known to when the pipeline printed them: "-1.2656" to ±5e-5, as any recorded number
 * (storage.ts). A 0 and a binary fraction ("-1.875", "-3") show no digits of their own; they are
 * known to the print of the other numbers of their kind in the record, where those are prints at
 * all: round(-4e-5, 4) is -0.0, and "%.4g" of -3.0002 is -3, known to ±5e-4.
 */
import type { TopLogprob } from '../types.js';
import { ZERO_PRINT_RESOLUTION, anyPrintResolution, printedResolution, shortPrintResolution } from '../reference/storage.js';

/** Numbers looked at to tell how a record's lists, or its values, were printed. */
const LIST_PRINT_SAMPLE = 64;

/**
 * How a record's numbers of one kind were printed, from a sample of them: the finest resolution
 * any shows (a fixed number of decimals: round(x, 4)), and the finest relative to its magnitude
 * (a number of significant digits: "%.4g", where -3 stands for anything within ±5e-4).
 */
export class Print {
  /** No number written whole, and none that tells anything: a 0 there may be a print to two decimals (ZERO_PRINT_RESOLUTION). */
  static readonly UNKNOWN = new Print(0, 0, true);
  /** A number written whole: the numbers were not printed. */
  static readonly WHOLE = new Print(0, 0, false);

  constructor(
    /** The finest resolution seen; 0: not printed. */
    readonly finest: number,
    /** The finest resolution seen over 10^⌊log10 |x|⌋. */
    private readonly relative: number,
    private readonly unknown: boolean,
    /** What a -0 is known to where the numbers read as exact (negativeZeroResolution); 0 where they were written whole. */
    private readonly negativeZero = 0,
  ) {}

  /** What a number of this kind that shows no digits of its own (a 0, a short binary fraction) is known to. */
  of(e: number): number {
    if (e === 0) return this.unknown ? ZERO_PRINT_RESOLUTION : Object.is(e, -0) ? Math.max(this.finest, this.negativeZero) : this.finest;
    if (this.finest === 0) return 0;
    return Math.max(this.finest, this.relative * 10 ** Math.floor(Math.log10(Math.abs(e))));
  }
}

/** Builds a Print from numbers one at a time; `none`: the Print when no number tells anything. */
export class PrintSample {
  constructor(private readonly none: Print) {}

  private finest = Infinity;
  private relative = Infinity;
  private seen = 0;
  private whole = false;
  /** A number seen that is a short decimal and no binary fraction (-2.8126): a print, beyond doubt. */
  private decimal = false;

  /** Takes one number (0 and non-finite ones tell nothing); false when no more are needed. */
  add(x: number): boolean {
    if (x === 0 || !Number.isFinite(x)) return true;
    this.seen++;
    // A short binary fraction (-15.25) is as much a print as anything here.
    const r = anyPrintResolution(x);
    if (r === 0) {
      this.whole = true;
      return false;
    }
    if (Math.fround(x) !== x) this.decimal = true;
    if (r < this.finest) this.finest = r;
    const rel = r / 10 ** Math.floor(Math.log10(Math.abs(x)));
    if (rel < this.relative) this.relative = rel;
    return this.seen < LIST_PRINT_SAMPLE;
  }

  /**
   * Numbers that are all binary fractions (-1, -2, -0.5; a bfloat16 run's values) are what exact
   * numbers look like, not evidence of a print: read as prints they would be known to ±0.5 each,
   * and hypotheses would fit them by chance. Only a short decimal beside them says they were printed.
   * A -0 beside them is the exception: a log-softmax does not give -0 (x - x and log 1 are +0), a
   * print of a small negative number does (round(-3e-5, 4) is -0.0), and it is known to the finest
   * digits the others show, at most ZERO_PRINT_RESOLUTION (-0 beside -21.625: ±5e-4). Negating
   * an exact 0 (-nll) gives -0 too; its value is then 0, within that.
   */
  get print(): Print {
    if (this.seen === 0) return this.none;
    if (this.whole) return Print.WHOLE;
    return this.decimal ? this.asPrint : new Print(0, 0, false, Math.min(this.finest, ZERO_PRINT_RESOLUTION));
  }

  /**
   * The numbers read as a print even where they are all short binary fractions, unless one is
   * written whole: round(-27.6250057, 4) is -27.625. Only the catch-all's last question
   * (RecordContext.scoreFitsValuesAsPrint).
   */
  get asPrint(): Print {
    if (this.seen === 0) return this.none;
    return this.whole ? Print.WHOLE : new Print(this.finest, this.relative, false);
  }
}

/**
 * How the record's top-k lists were printed, from their first LIST_PRINT_SAMPLE entries: WHOLE
 * when one of them is written whole (a float64's 16–17 digits, a float32 value's long expansion),
 * none is a short decimal (PrintSample.print), or there are none (a server's log-probs without lists).
 */
export function listPrintOf(lists: readonly (readonly TopLogprob[] | null)[] | undefined): Print {
  const sample = new PrintSample(Print.WHOLE);
  if (lists) {
    for (const list of lists) {
      // A step may have no list (null: an echoed prompt's first token, or a step the server left out).
      if (list) for (const e of list) if (!sample.add(e.logprob)) return sample.print;
    }
  }
  return sample.print;
}

/** The same sample over a record's per-token values (NaN: not recorded, skipped); its print is UNKNOWN when every one is 0. */
export function valuesSampleOf(values: ArrayLike<number> | null): PrintSample {
  const sample = new PrintSample(Print.UNKNOWN);
  if (values) {
    for (let i = 0; i < values.length; i++) if (!sample.add(values[i])) break;
  }
  return sample;
}

/**
 * What a listed number (or a recorded value) is known to: its own digits, or, a 0 or a short
 * binary fraction that shows none, the print of its kind in the record (listPrintOf, valuesPrintOf).
 */
export function listedResolution(e: number, print: Print): number {
  if (e === 0) return print.of(e);
  return printedResolution(e) || (shortPrintResolution(e) > 0 ? print.of(e) : 0);
}

/** Σ listedResolution over the first n known numbers of `exact` (NaN: unknown, skipped). */
export function listedSum(exact: ArrayLike<number>, n: number, print: Print): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = exact[i];
    if (!Number.isNaN(e)) sum += listedResolution(e, print);
  }
  return sum;
}
