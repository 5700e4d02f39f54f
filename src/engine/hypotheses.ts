/**
 * Tests rule hypotheses share: what a buggy scorer would have recorded, computed from the
 * record's evidence, and whether the recorded numbers are exactly that.
 */
import { allProbabilities } from '../reference/vectors.js';
import { FLOAT32_PRODUCT_REL, LOGPROB_CEILING, PROBABILITY_FLOOR } from '../reference/precision.js';
import type { RecordContext } from './record-context.js';

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
