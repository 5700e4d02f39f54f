/**
 * The scorers of the canonical samples: the correct one and the buggy ones, each returning what
 * its pipeline recorded from the toy model's float32 logits (float32 arithmetic where a PyTorch
 * pipeline would use it, float16 for the fp16 case), and whether a record's own evidence can
 * reveal a bug at an evidence level.
 */
import { argmaxOf, f16, f16Sum, f32, f32Product, f32SequentialSum, logSoftmaxF32, softmaxF32 } from '../../lib/pipeline-math.js';
import { fnv1a, mulberry32 } from '../../lib/prng.js';
import { inTopK, normal, type Candidate } from './model.js';

export interface Recorded {
  logprobs: number[];
  score: number;
}

/** Evidence levels of the canonical sample files, richest first. */
export type Level = 'logits' | 'topk' | 'pertoken';

/** log_softmax in float32, the loop adding left to right as a short hand-written reduction does. */
const logSoftmax32 = (z: readonly number[]) => logSoftmaxF32(z, f32SequentialSum);
const sum32 = f32SequentialSum;

const clean = (c: Candidate) => c.ids.map((y, i) => logSoftmax32(c.rows[i])[y]);

export const SCORERS = {
  clean: (c: Candidate): Recorded => {
    const v = clean(c);
    return { logprobs: v, score: sum32(v) };
  },
  // Gathered raw logits: the log_softmax call was missing.
  softmax_skipped: (c: Candidate): Recorded => {
    const v = c.ids.map((y, i) => c.rows[i][y]);
    return { logprobs: v, score: sum32(v) };
  },
  // Multiplied probabilities instead of adding log-probs; the "score" is a probability.
  prob_product: (c: Candidate): Recorded => {
    const p = clean(c).map((v) => f32(Math.exp(v)));
    return { logprobs: p, score: f32Product(p) };
  },
  // log(∏ p) with the product in float32: exact-looking on short answers, -inf on long ones.
  underflow: (c: Candidate): Recorded => {
    const v = clean(c);
    return { logprobs: v, score: Math.log(f32Product(v.map((x) => f32(Math.exp(x))))) };
  },
  // Added probabilities.
  prob_sum: (c: Candidate): Recorded => {
    const p = clean(c).map((v) => f32(Math.exp(v)));
    return { logprobs: p, score: sum32(p) };
  },
  // Forgot the one-step shift: the row at the token's own position (row i + 1) scores token i.
  no_shift: (c: Candidate): Recorded => {
    const v = c.ids.map((y, i) => logSoftmax32(c.rows[i + 1])[y]);
    return { logprobs: v, score: sum32(v) };
  },
  // Sliced one position too early: the last context token is scored too (n + 1 values).
  includes_context_token: (c: Candidate): Recorded => {
    const ctxRow = c.model.row(`${c.prompt}#context`, []);
    const ctxToken = argmaxOf(ctxRow.map((v, j) => (j === argmaxOf(ctxRow) ? -Infinity : v))); // a plausible, not top, token
    const v = [logSoftmax32(ctxRow)[ctxToken], ...clean(c)];
    return { logprobs: v, score: sum32(v) };
  },
  // Sliced one position too late at the end: the last continuation token is lost.
  drops_last_token: (c: Candidate): Recorded => {
    const v = clean(c).slice(0, -1);
    return { logprobs: v, score: sum32(v) };
  },
  // Gathered at argmax(logits) instead of at the target ids.
  argmax_gathered: (c: Candidate): Recorded => {
    const v = c.rows.slice(0, c.ids.length).map((z) => logSoftmax32(z)[argmaxOf(z)]);
    return { logprobs: v, score: sum32(v) };
  },
  // Gathered at id + 1 (a BOS / padding offset applied twice).
  token_id_off_by_one: (c: Candidate): Recorded => {
    const v = c.ids.map((y, i) => logSoftmax32(c.rows[i])[y + 1]);
    return { logprobs: v, score: sum32(v) };
  },
  // The sampling temperature leaked into scoring: log_softmax(logits / 0.7).
  temperature_0_7: (c: Candidate): Recorded => {
    const v = c.ids.map((y, i) => logSoftmax32(c.rows[i].map((x) => f32(x / f32(0.7))))[y]);
    return { logprobs: v, score: sum32(v) };
  },
  // log(softmax(softmax(logits))): the model already returned probabilities.
  softmax_twice: (c: Candidate): Recorded => {
    const v = c.ids.map((y, i) => logSoftmax32(softmaxF32(c.rows[i]))[y]);
    return { logprobs: v, score: sum32(v) };
  },
  // Recorded the mean per-token log-prob where a total was declared.
  mean_as_sum: (c: Candidate): Recorded => {
    const v = clean(c);
    return { logprobs: v, score: f32(sum32(v) / v.length) };
  },
  // model.half(): logits, log-softmax output and the running sum all in float16.
  fp16: (c: Candidate): Recorded => {
    const v = c.ids.map((y, i) => f16(logSoftmax32(c.rows[i].map(f16))[y]));
    return { logprobs: v, score: f16Sum(v) };
  },
  // A NaN in one step (e.g. a fully masked row: -inf - -inf) poisons the sum.
  nan_value: (c: Candidate): Recorded => {
    const v = clean(c);
    v[Math.min(1, v.length - 1)] = NaN;
    return { logprobs: v, score: sum32(v) };
  },
  // The score column came from an older checkpoint's run (a stale cache joined by id).
  stale_score: (c: Candidate): Recorded => {
    const v = clean(c);
    const old = c.ids.map((y, i) => {
      const rand = mulberry32(fnv1a(`stale:${c.prompt}:${i}`));
      return logSoftmax32(c.rows[i].map((x) => f32(x + 0.9 * normal(rand))))[y];
    });
    return { logprobs: v, score: sum32(old) };
  },
};

export type Bug = keyof typeof SCORERS;

/** Whether the record's own evidence can reveal the bug at this level (else the generator draws again). */
export function evidenceFor(bug: Bug, c: Candidate, level: Level, k: number): boolean {
  const n = c.ids.length;
  const anyStep = (pred: (y: number, i: number) => boolean) => c.ids.some((y, i) => pred(y, i));
  // Only a top-k level can hide the model's value of a token (outside the top k).
  const visible = (y: number, i: number) => level !== 'topk' || inTopK(c.rows[i], y, k);
  switch (bug) {
    case 'no_shift':
      return n >= 2 && anyStep((y, i) => i < n - 1 && (level !== 'topk' || inTopK(c.rows[i + 1], y, k)) && visible(y, i));
    case 'token_id_off_by_one':
      // Some step must show both the target's and its neighbour's model value.
      return c.ids.every((y) => y < c.model.V - 1) && anyStep((y, i) => visible(y, i) && (level !== 'topk' || inTopK(c.rows[i], y + 1, k)));
    case 'argmax_gathered':
      return anyStep((y, i) => y !== argmaxOf(c.rows[i]) && visible(y, i));
    case 'drops_last_token':
    case 'nan_value':
      return n >= 2;
    case 'underflow':
      return f32Product(clean(c).map((x) => f32(Math.exp(x)))) === 0;
    case 'prob_product':
      return f32Product(clean(c).map((x) => f32(Math.exp(x)))) > 0;
    case 'temperature_0_7':
    case 'softmax_twice':
      // A distortion of the whole distribution: give every step its model value to compare with.
      return c.ids.every(visible);
    case 'softmax_skipped':
      // With no distribution to compare against, only a positive "log-prob" gives raw logits away.
      return level === 'pertoken' ? c.ids.some((y, i) => c.rows[i][y] > 0) : anyStep(visible);
    default:
      return true;
  }
}
