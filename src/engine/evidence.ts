/**
 * Shared helpers for rule hypotheses: what a buggy scorer would have recorded, computed from the
 * record's evidence, and tests of whether the recorded numbers are exactly that.
 */
import { logSumExp } from '../reference/math.js';
import { FLOAT32_PRODUCT_REL, LOGPROB_CEILING, PROBABILITY_FLOOR } from '../reference/precision.js';
import type { RecordContext } from './record-context.js';

export function absSum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  return s;
}

/** True when every recorded value is a probability in [0, 1] and at least one is positive. */
export function allProbabilities(v: ArrayLike<number>): boolean {
  let positive = false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x >= 0 && x <= 1)) return false;
    if (x > 0) positive = true;
  }
  return positive && v.length > 0;
}

/**
 * True when the recorded values are per-token probabilities: all in [0, 1] and, where the
 * reference knows a step, equal to exp(log-prob) (or below exp(upper bound) where it does not).
 */
export function valuesAreProbabilities(ctx: RecordContext): boolean {
  const v = ctx.values;
  if (!v || !allProbabilities(v)) return false;
  const ref = ctx.ref;
  for (let i = 0; i < Math.min(v.length, ref.n); i++) {
    const e = ref.exact[i];
    if (!Number.isNaN(e)) {
      const p = Math.exp(e);
      if (Math.abs(v[i] - p) > FLOAT32_PRODUCT_REL * p + PROBABILITY_FLOOR) return false;
    } else if (ref.upper[i] !== 0 && v[i] > Math.exp(ref.upper[i]) + LOGPROB_CEILING) return false;
  }
  return true;
}

/** True when every value could be a log-prob (finite or -Infinity, ≤ 0 within rounding). */
export function allLogprobs(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (!(v[i] <= LOGPROB_CEILING)) return false;
  return true;
}

export function sumExp(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i]);
  return s;
}

export function product(v: ArrayLike<number>): number {
  let p = 1;
  for (let i = 0; i < v.length; i++) p *= v[i];
  return p;
}

/**
 * Tests a per-step hypothesis against the recorded values: `predict(i)` gives the value the
 * buggy scorer would record at step i, or NaN where the evidence cannot say; `tol(i, p)` the
 * honest tolerance of that prediction (default: a log-prob of step i's distribution). Returns the
 * number of steps it reproduced, -1 when any step contradicts it, and 0 when it fits but no step
 * tells it from the no-bug reading (the reference misses no step by SEPARATION tolerances).
 */
export function reproduces(ctx: RecordContext, predict: (i: number) => number, tol = (i: number, p: number) => ctx.tolFor(i, p)): number {
  const v = ctx.values;
  if (!v || v.length !== ctx.n) return -1;
  let hits = 0;
  let clear = false;
  for (let i = 0; i < v.length; i++) {
    const p = predict(i);
    if (Number.isNaN(p)) continue;
    if (!(Math.abs(v[i] - p) <= tol(i, p))) return -1;
    hits++;
    if (!clear) clear = ctx.standsClear(i);
  }
  return clear ? hits : 0;
}

/** The logits row that predicts token i and its log-sum-exp (logits level only). */
export function logitRow(ctx: RecordContext, i: number): { row: number[]; lse: number } | null {
  const logits = ctx.record.logits;
  const lse = ctx.ref.lse;
  if (!logits || !lse || i >= logits.length) return null;
  return { row: logits[i], lse: lse[i] };
}

/** log_softmax(softmax(z))[j]: the value a scorer that normalised twice records. */
export function softmaxTwiceAt(row: ArrayLike<number>, lse: number, j: number): number {
  const p = new Float64Array(row.length);
  for (let k = 0; k < row.length; k++) p[k] = Math.exp(row[k] - lse);
  return p[j] - logSumExp(p);
}

/** Formats a number for messages: 6 significant digits, exact small integers. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'n/a';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return x.toExponential(4);
  return String(Number(x.toPrecision(6)));
}

/** Quotes a token for messages, showing whitespace. */
export function tok(t: string | undefined): string {
  return t === undefined ? '?' : JSON.stringify(t);
}
