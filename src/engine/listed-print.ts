/**
 * What the numbers of a record's top-k lists (and a server's log-probs) are known to when the
 * pipeline printed them: "-1.2656" to ±5e-5, as any recorded number (storage.ts). A listed 0 and a
 * listed binary fraction ("-1.875") show no digits of their own; they are known to the finest
 * print among the record's lists, where the lists are prints at all: round(-4e-5, 4) is -0.0.
 */
import type { TopLogprob } from '../types.js';
import { anyPrintResolution, printedResolution, shortPrintResolution } from '../reference/storage.js';

/** List entries looked at to tell how a record's lists were printed. */
const LIST_PRINT_SAMPLE = 64;

/**
 * The finest printed resolution among the first LIST_PRINT_SAMPLE entries of the lists, 0 when
 * one of them is written whole (a float64's 16–17 digits, a float32 value's long expansion) or
 * there are none.
 */
export function listPrintOf(lists: readonly (readonly TopLogprob[])[] | undefined): number {
  let finest = Infinity;
  let seen = 0;
  if (lists) {
    for (let i = 0; i < lists.length && seen < LIST_PRINT_SAMPLE; i++) {
      const list = lists[i];
      for (let j = 0; j < list.length && seen < LIST_PRINT_SAMPLE; j++) {
        const lp = list[j].logprob;
        if (lp === 0 || !Number.isFinite(lp)) continue;
        seen++;
        // A short binary fraction (-15.25) is as much a print as anything here.
        const r = anyPrintResolution(lp);
        if (r === 0) return 0;
        if (r < finest) finest = r;
      }
    }
  }
  return finest < Infinity ? finest : 0;
}

/** What a listed number is known to: its own digits, or, a 0 or a short binary fraction that shows none, the lists' (`listPrint`). */
export function listedResolution(e: number, listPrint: number): number {
  if (e === 0) return listPrint;
  return printedResolution(e) || (shortPrintResolution(e) > 0 ? listPrint : 0);
}

/** Σ listedResolution over the first n known numbers of `exact` (NaN: unknown, skipped). */
export function listedSum(exact: ArrayLike<number>, n: number, listPrint: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = exact[i];
    if (!Number.isNaN(e)) sum += listedResolution(e, listPrint);
  }
  return sum;
}
