/**
 * Honest records the precision model must stay quiet on, and buggy controls under the same noise,
 * built from the mathematics of each path (the way ../shared/honest-numerics makes them from a
 * real model, here from the toy): the evidence is always the toy's float32 reference pass, the
 * recorded numbers come from another legitimate pass.
 *
 * - logits of another pass: relative or absolute Gaussian noise per logit (batching, padding,
 *   KV-cache, other kernels), or rounded to bfloat16 / float16, then log_softmax;
 * - values rounded to half precision after a float32 log_softmax;
 * - the score summed in float32 or float64, as mean × n, in a float16 accumulator, rounded to
 *   half, printed with six significant digits (values too).
 */
import { gaussian, mulberry32 } from '../../scripts/lib/prng.js';
import type { AuditRecord } from '../../src/types.js';
import { bf16, f16, f32, f32SequentialSum, logSoftmax, record, type Level, type Toy } from './toy-model.js';

export type LogitPath = 'f64' | `rel${number}` | `abs${number}` | 'bf16' | 'fp16';
export type ValuePath = LogitPath | 'bf16-out' | 'fp16-out';
export type ScorePath = 'seq32' | 'f64' | 'mean-n' | 'sig6' | 'values-sig6' | 'fp16-acc' | 'bf16-round' | 'fp16-round';

/** The logits another honest pass computes for the toy's rows (float32, as a model emits them). */
export function passLogits(t: Toy, path: LogitPath, seed: number): number[][] {
  const rand = mulberry32(seed);
  return t.logits.map((row) =>
    row.map((z) => {
      if (path === 'f64') return z;
      if (path === 'bf16') return bf16(z);
      if (path === 'fp16') return f16(z);
      const sigma = Number(path.slice(3));
      return f32(path.startsWith('rel') ? z * (1 + sigma * gaussian(rand)) : z + sigma * gaussian(rand));
    }),
  );
}

/** The per-token values along `path`: log_softmax of that pass's logits, stored as float32 (or rounded to half). */
export function passValues(t: Toy, path: ValuePath, seed: number): number[] {
  const logitPath: LogitPath = path === 'bf16-out' || path === 'fp16-out' ? 'f64' : path;
  const rows = passLogits(t, logitPath, seed);
  return t.ids.map((y, i) => {
    const v = f32(logSoftmax(rows[i])[y]);
    return path === 'bf16-out' ? bf16(v) : path === 'fp16-out' ? f16(v) : v;
  });
}

const sig6 = (x: number) => Number(x.toPrecision(6));

/** The score the pipeline writes for its values (and the values as written, printed or not). */
export function passScore(values: readonly number[], path: ScorePath): { values: number[]; score: number } {
  const n = values.length;
  switch (path) {
    case 'seq32':
      return { values: [...values], score: f32SequentialSum(values) };
    case 'f64':
      return { values: [...values], score: values.reduce((a, b) => a + b, 0) };
    case 'mean-n':
      return { values: [...values], score: f32(f32(f32SequentialSum(values) / n) * n) };
    case 'sig6':
      return { values: [...values], score: sig6(f32SequentialSum(values)) };
    case 'values-sig6': {
      const printed = values.map(sig6);
      return { values: printed, score: sig6(f32SequentialSum(printed)) };
    }
    case 'fp16-acc': {
      let s = 0;
      for (const v of values) s = f16(s + f16(v));
      return { values: [...values], score: s };
    }
    case 'bf16-round':
      return { values: [...values], score: bf16(f32SequentialSum(values)) };
    case 'fp16-round':
      return { values: [...values], score: f16(f32SequentialSum(values)) };
  }
}

/** An honest record: the toy's float32 evidence at `level`, numbers from another pass. */
export function honestRecord(t: Toy, level: Level, values: ValuePath, score: ScorePath, seed: number): AuditRecord {
  const r = passScore(passValues(t, values, seed), score);
  return record(t, level, { values: r.values, score: r.score });
}

export type Bug = 'temp0.7' | 'temp0.9' | 'argmax' | 'offby1';

/** A buggy scorer run on another pass's logits (the same noise as the honest records). */
export function buggyRecord(t: Toy, level: Level, bug: Bug, noise: LogitPath, seed: number): AuditRecord {
  const rows = passLogits(t, noise, seed);
  const values = t.ids.map((y, i) => {
    const row = rows[i];
    if (bug === 'temp0.7' || bug === 'temp0.9') return f32(logSoftmax(row, 1 / Number(bug.slice(4)))[y]);
    const lp = logSoftmax(row);
    if (bug === 'argmax') return f32(Math.max(...lp));
    return f32(lp[y + 1 < row.length ? y + 1 : y - 1]);
  });
  return record(t, level, { values, score: f32SequentialSum(values) });
}
