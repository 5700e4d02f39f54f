/**
 * A small deterministic "language model" for rule tests: seeded random logits over a vocabulary
 * of 32 tokens, a continuation sampled from them, and the numbers a scorer records for it,
 * correctly or with one of the bugs the rules name. Everything a float32 pipeline would round is
 * rounded with Math.fround; the float16 bug rounds with a bit-exact float16 rounding.
 *
 * Row i of `logits` predicts continuation token i (the causal-LM convention after the shift);
 * row n predicts the token after the continuation (needed by the forgotten-shift bug); the
 * context row predicts the last context token (needed by the context-token bug).
 */
import {
  argmaxOf,
  f16,
  f16Sum,
  f32,
  f32PairwiseSum,
  f32Product,
  f32SequentialSum,
  f64Sum,
  logSoftmax,
  logSumExp,
  sampleIndex,
} from '../../scripts/lib/pipeline-math.js';
import { gaussian, mulberry32 } from '../../scripts/lib/prng.js';
import { roundToBfloat16 } from '../../src/reference/math.js';
import type { AuditRecord, ScoreKind, TopLogprob } from '../../src/types.js';

export const VOCAB: readonly string[] = [
  ' the', ' a', ' cat', ' dog', ' sat', ' on', ' mat', '.', ',', ' and', ' is', ' was', ' red', ' blue', ' big', ' small',
  ' ran', ' to', ' of', ' in', ' it', ' he', ' she', ' they', ' home', ' fast', ' slow', '!', '?', ' yes', ' no', '\n',
];
/** The default vocabulary size. */
export const V = VOCAB.length;

/** Token text of an id: the 32 words, then `<id>` for larger vocabularies. */
export function tokenText(id: number): string {
  return id < VOCAB.length ? VOCAB[id] : `<${id}>`;
}
export const TOP_K = 5;

/** The project's seeded PRNG (scripts/lib/prng.ts). */
export const prng = mulberry32;

// ---------------------------------------------------------------------------------------------
// Numerics of the toy pipeline: the generators' own (scripts/lib/pipeline-math.ts)
// ---------------------------------------------------------------------------------------------

export { argmaxOf, f16, f16Sum, f32, f32Product, f32SequentialSum, logSoftmax, logSumExp };
/** float32 sum the way torch.sum reduces a float32 tensor: pairwise, every partial sum rounded. */
export const f32Sum = (v: readonly number[]): number => f32PairwiseSum(v);
/** Rounds to bfloat16 as `tensor.bfloat16()` does (the reference's own rounding). */
export const bf16 = roundToBfloat16;

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

export interface Toy {
  seed: number;
  n: number;
  /** Vocabulary size (row length). */
  vocab: number;
  /** n + 1 rows of float32 logits: row i predicts token i, row n the token after the continuation. */
  logits: number[][];
  ids: number[];
  tokens: string[];
  /** The row that predicted the last context token, and that token. */
  contextRow: number[];
  contextId: number;
  /** float64 reference: log_softmax(row i)[ids[i]]. */
  lp: number[];
}

export interface ToyOptions {
  /** Standard deviation of the logits (default 3: a mix of confident and uncertain steps). */
  scale?: number;
  /** Added to every logit (default 0). Real models' logits sit far from 0, often below it. */
  shift?: number;
  /** 'sample' draws each target from the model; 'argmax' always takes the favourite. */
  targets?: 'sample' | 'argmax';
  /** Vocabulary size (default 32). */
  vocab?: number;
}

function randomRow(rand: () => number, scale: number, shift: number, vocab: number): number[] {
  const row = new Array<number>(vocab);
  for (let j = 0; j < vocab; j++) row[j] = f32(shift + scale * gaussian(rand));
  return row;
}

const sampleFrom = (row: readonly number[], rand: () => number): number => sampleIndex(logSoftmax(row), rand);

/** A continuation of n tokens with its logits, fully determined by the seed. */
export function toy(seed: number, n: number, options: ToyOptions = {}): Toy {
  const rand = prng(seed);
  const scale = options.scale ?? 3;
  const shift = options.shift ?? 0;
  const vocab = options.vocab ?? V;
  const pick = (row: number[]) => (options.targets === 'argmax' ? argmaxOf(row) : sampleFrom(row, rand));
  const contextRow = randomRow(rand, scale, shift, vocab);
  const contextId = pick(contextRow);
  const logits: number[][] = [];
  const ids: number[] = [];
  for (let i = 0; i <= n; i++) {
    const row = randomRow(rand, scale, shift, vocab);
    logits.push(row);
    if (i < n) ids.push(pick(row));
  }
  const lp = ids.map((y, i) => logSoftmax(logits[i])[y]);
  return { seed, n, vocab, logits, ids, tokens: ids.map(tokenText), contextRow, contextId, lp };
}

/** The first toy from `seed` on (deterministic search) that satisfies `ok`. */
export function toyWhere(seed: number, n: number, ok: (t: Toy) => boolean, options: ToyOptions = {}): Toy {
  for (let s = seed; s < seed + 10_000; s++) {
    const t = toy(s, n, options);
    if (ok(t)) return t;
  }
  throw new Error(`no toy with n=${n} from seed ${seed} satisfies the condition`);
}

/** log-prob of the last context token (what a window starting one token early adds). */
export function contextLogprob(t: Toy): number {
  return logSoftmax(t.contextRow)[t.contextId];
}

/** The step's most likely token's log-prob. */
export function top1(t: Toy, i: number): number {
  const row = t.logits[i];
  return logSoftmax(row)[argmaxOf(row)];
}

/** True when the target is the model's favourite at every step (gathering the argmax changes nothing). */
export function targetsAreFavourites(t: Toy): boolean {
  return t.ids.every((y, i) => argmaxOf(t.logits[i]) === y);
}

/** The model's top-k at step i, float32 log-probs, most likely first. */
export function topK(t: Toy, i: number, k = TOP_K): TopLogprob[] {
  const lsm = logSoftmax(t.logits[i]);
  return lsm
    .map((logprob, id) => ({ id, logprob }))
    .sort((a, b) => b.logprob - a.logprob)
    .slice(0, k)
    .map((e) => ({ token: tokenText(e.id), logprob: f32(e.logprob), id: e.id }));
}

// ---------------------------------------------------------------------------------------------
// What a scorer records
// ---------------------------------------------------------------------------------------------

/** The numbers a scorer wrote down: per-token values (any count) and a score. */
export interface Recorded {
  values: (number | null)[];
  score: number;
  /** Fields the scorer adds to the record (score_kind, sentinel, context_logprobs, …). */
  extra?: Partial<AuditRecord>;
  /** Logits rows the record carries at logits level (default n; n + 1 when the bug read row n). */
  rows?: number;
}

/** Evidence levels, richest first. */
export const LEVELS = ['logits', 'topk', 'values', 'score'] as const;
export type Level = (typeof LEVELS)[number];

/** Clean float32 per-token values: log_softmax then gather, rounded to float32. */
export function cleanValues(t: Toy): number[] {
  return t.lp.map(f32);
}

export type SumMode = 'pairwise' | 'sequential' | 'float64';

export function sumBy(mode: SumMode, v: readonly number[]): number {
  if (mode === 'pairwise') return f32Sum(v);
  if (mode === 'sequential') return f32SequentialSum(v);
  return f64Sum(v);
}

/**
 * The correct scorer: `log_softmax(logits[:, :-1], -1).gather(-1, labels[:, 1:, None]).sum()` in
 * float32, reported in `kind`.
 */
export function clean(t: Toy, options: { sum?: SumMode; kind?: ScoreKind } = {}): Recorded {
  const values = cleanValues(t);
  const total = sumBy(options.sum ?? 'pairwise', values);
  const kind = options.kind ?? 'logprob';
  const score =
    kind === 'logprob'
      ? total
      : kind === 'mean_logprob'
        ? f32(total / t.n)
        : kind === 'nll'
          ? -total
          : kind === 'prob'
            ? f32(Math.exp(total))
            : f32(Math.exp(-total / t.n));
  return kind === 'logprob' ? { values, score } : { values, score, extra: { score_kind: kind } };
}

/** Per-token values gathered by `gather(step, id)` from some distribution, summed in float32. */
function gathered(t: Toy, value: (i: number) => number): Recorded {
  const values = t.ids.map((_, i) => f32(value(i)));
  return { values, score: f32Sum(values) };
}

export const bugs = {
  /** `logits.gather(-1, ids)` without log_softmax: raw logits summed. */
  softmaxSkipped: (t: Toy): Recorded => gathered(t, (i) => t.logits[i][t.ids[i]]),

  /** `torch.prod(probs)` recorded as the score. */
  probabilityProduct: (t: Toy): Recorded => ({ values: cleanValues(t), score: f32Product(cleanValues(t).map((v) => f32(Math.exp(v)))) }),

  /** `torch.log(torch.prod(probs))`: fine on short sequences, -inf once the float32 product underflows. */
  underflow: (t: Toy): Recorded => ({ values: cleanValues(t), score: Math.log(f32Product(cleanValues(t).map((v) => f32(Math.exp(v))))) }),

  /** `probs.sum()`: per-token log-probs recorded, but the score adds their exponentials. */
  probabilitySum: (t: Toy): Recorded => ({ values: cleanValues(t), score: f32Sum(cleanValues(t).map((v) => f32(Math.exp(v)))) }),

  /** Per-token probabilities recorded (`softmax(...).gather(...)`) and summed. */
  probabilityValuesSum: (t: Toy): Recorded => {
    const values = cleanValues(t).map((v) => f32(Math.exp(v)));
    return { values, score: f32Sum(values) };
  },

  /** Per-token probabilities recorded and multiplied. */
  probabilityValuesProduct: (t: Toy): Recorded => {
    const values = cleanValues(t).map((v) => f32(Math.exp(v)));
    return { values, score: f32Product(values) };
  },

  /** `logits` not shifted: token i read from row i + 1 (the row that predicts token i + 1). */
  noShift: (t: Toy): Recorded => ({ ...gathered(t, (i) => logSoftmax(t.logits[i + 1])[t.ids[i]]), rows: t.n + 1 }),

  /** The window starts one token early: the last context token is scored too (n + 1 values). */
  contextTokenIncluded: (t: Toy): Recorded => {
    const values = [f32(contextLogprob(t)), ...cleanValues(t)];
    return { values, score: f32Sum(values) };
  },

  /** The score adds the last context token, the values are the continuation's (needs context_logprobs). */
  contextTokenInScore: (t: Toy): Recorded => {
    const c = f32(contextLogprob(t));
    const values = cleanValues(t);
    return { values, score: f32Sum([c, ...values]), extra: { context_logprobs: [f32(-2.5), c] } };
  },

  /** `labels[:, 1:]` sliced twice: the last token's value is gone from the values and the score. */
  lastTokenDropped: (t: Toy): Recorded => {
    const values = cleanValues(t).slice(0, -1);
    return { values, score: f32Sum(values) };
  },

  /** All n values recorded, but the score sums `values[:-1]`. */
  lastTokenDroppedFromScore: (t: Toy): Recorded => {
    const values = cleanValues(t);
    return { values, score: f32Sum(values.slice(0, -1)) };
  },

  /** `log_probs.max(-1).values` (or gathering `.argmax(-1)`) instead of the targets. */
  argmaxGathered: (t: Toy): Recorded => gathered(t, (i) => top1(t, i)),

  /** `gather(-1, ids + 1)`: the next vocabulary id's log-prob. Needs every id < V - 1. */
  tokenIdPlusOne: (t: Toy): Recorded => {
    if (t.ids.some((y) => y + 1 >= t.vocab)) throw new Error('token id + 1 is out of the vocabulary');
    return gathered(t, (i) => logSoftmax(t.logits[i])[t.ids[i] + 1]);
  },

  /** `generate(output_scores=True, temperature=T)` scores: log_softmax(logits / T). */
  temperature: (t: Toy, T = 0.7): Recorded => gathered(t, (i) => logSoftmax(t.logits[i], 1 / T)[t.ids[i]]),

  /** `log_softmax(softmax(logits))`: normalised twice. */
  softmaxTwice: (t: Toy): Recorded =>
    gathered(t, (i) => {
      const p = logSoftmax(t.logits[i]).map(Math.exp);
      return logSoftmax(p)[t.ids[i]];
    }),

  /** `.mean()` where `.sum()` was meant, score_kind still logprob. */
  meanAsSum: (t: Toy): Recorded => ({ values: cleanValues(t), score: f32(f32Sum(cleanValues(t)) / t.n) }),

  /** The sum where `score_kind: mean_logprob` was declared. */
  sumAsMean: (t: Toy): Recorded => ({ values: cleanValues(t), score: f32Sum(cleanValues(t)), extra: { score_kind: 'mean_logprob' } }),

  /** The model run in half precision: values rounded to float16 and summed in float16. */
  fp16: (t: Toy): Recorded => {
    const values = t.lp.map(f16);
    return { values, score: f16Sum(values) };
  },

  /** The same in bfloat16 (`model.to(torch.bfloat16)`): 8 significant bits, summed in bfloat16. */
  bf16: (t: Toy): Recorded => {
    const values = t.lp.map(bf16);
    let score = 0;
    for (const v of values) score = bf16(score + v);
    return { values, score };
  },

  /** A NaN at `step` (an fp16 overflow, a 0 · inf) propagating into the score. */
  nanValue: (t: Toy, step = 0): Recorded => {
    const values: number[] = cleanValues(t);
    values[step] = NaN;
    return { values, score: NaN };
  },

  /** OpenAI's -9999.0 "not in the top 20" at `step`, summed as a number. */
  sentinelSummed: (t: Toy, step = 0): Recorded => {
    const values: number[] = cleanValues(t);
    values[step] = -9999;
    return { values, score: f32Sum(values), extra: { sentinel: -9999 } };
  },
} as const;

/**
 * The record a pipeline writes at one evidence level: the toy's tokens and ids always, then
 * logits (full rows) or the model's top-5 per step, the recorded per-token values (not at score
 * level) and the score.
 */
export function record(t: Toy, level: Level, rec: Recorded = clean(t), id: string | number = `toy-${t.seed}-${t.n}`): AuditRecord {
  const r: AuditRecord = { id, tokens: [...t.tokens], token_ids: [...t.ids] };
  if (level === 'logits') r.logits = t.logits.slice(0, rec.rows ?? t.n).map((row) => [...row]);
  if (level === 'topk') r.top_logprobs = t.ids.map((_, i) => topK(t, i));
  if (level !== 'score') r.logprobs = [...rec.values];
  r.score = rec.score;
  return { ...r, ...rec.extra };
}

/** Shorthand: the toy record of `bug` at `level`. */
export function buggy(t: Toy, level: Level, bug: (t: Toy) => Recorded, id?: string | number): AuditRecord {
  return record(t, level, bug(t), id);
}
