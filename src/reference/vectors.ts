/** Small numerics over per-token arrays, shared by the reference, the engine and rules. Pure. */
import { logSumExp } from './math.js';
import { LOGPROB_CEILING } from './precision.js';

export function absSum(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  return s;
}

/** True when every value is a probability in [0, 1] and at least one is positive. */
export function allProbabilities(v: ArrayLike<number>): boolean {
  let positive = false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!(x >= 0 && x <= 1)) return false;
    if (x > 0) positive = true;
  }
  return positive && v.length > 0;
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

export function sumLog(v: ArrayLike<number>): number {
  let t = 0;
  for (let i = 0; i < v.length; i++) t += Math.log(v[i]);
  return t;
}

/** log_softmax(softmax(z))[j]: the value a scorer that normalised twice records. */
export function softmaxTwiceAt(row: ArrayLike<number>, lse: number, j: number): number {
  const p = new Float64Array(row.length);
  for (let k = 0; k < row.length; k++) p[k] = Math.exp(row[k] - lse);
  return p[j] - logSumExp(p);
}
