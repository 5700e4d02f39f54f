/**
 * The toy model behind the canonical sample runs: random float32 logits per step, computed in
 * float64 and rounded with Math.fround as a float32 model would emit them. Its logits depend
 * only on the prompt and the tokens before the step (the row's seed is a hash of them), so the
 * candidates of one group share their first step, as real multiple-choice scoring does.
 */
import { f32, logSoftmax, sampleIndex } from '../../lib/pipeline-math.js';
import { fnv1a, mulberry32 } from '../../lib/prng.js';

export interface ToyModel {
  name: string;
  vocab: readonly string[];
  V: number;
  /** float32 logits of the step after `prefix` (cached). */
  row(prompt: string, prefix: readonly number[]): number[];
}

/** One candidate: its ids, its model rows (n + 1: the last one follows the last token) and float64 reference. */
export interface Candidate {
  model: ToyModel;
  prompt: string;
  ids: number[];
  rows: number[][];
  ref: number[];
  total: number;
}

/**
 * Box–Muller from 1 - u: this model's own variant (scripts/lib/prng.ts's gaussian floors u
 * instead), kept because the committed samples were drawn with it.
 */
export function normal(rand: () => number): number {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const WORDS = [
  ' the', ' a', ' cat', ' dog', ' sat', ' on', ' mat', ' rug', ' warm', ' soft',
  ' red', ' blue', ' house', ' tree', ' ran', ' fast', ' slowly', ' and', ' but', '.',
  ',', ' in', ' of', ' to', ' is', ' was', ' big', ' small', ' old', ' new',
  ' day', ' night', ' sun', ' moon', ' water', ' fire', '\n', ' it', ' he', ' she',
];

/**
 * The 40 words above plus rarer sub-word pieces up to a 512-token vocabulary: real vocabularies
 * are large, and some bugs leave a trace whose size depends on it (softmax applied twice pins
 * values near -log V, with a spread of about 1/2V between steps).
 */
function withPieces(words: readonly string[], size: number): string[] {
  const pieces: string[] = [];
  const syllables: string[] = [];
  for (const c of 'bdfgklmnprstvz') for (const v of 'aeiou') syllables.push(c + v);
  for (const s of syllables) pieces.push(' ' + s, s);
  for (const a of syllables) for (const b of syllables) pieces.push(a + b);
  const out = [...words];
  for (const p of pieces) {
    if (out.length >= size) break;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

const SMALL_WORDS = [' yes', ' no', ' maybe', ' red', ' green', ' blue', ' one', ' two', ' three', '.', ',', ' and', ' or', ' not', ' A', ' B'];

/**
 * logits(prompt, previous tokens): Gaussian noise of scale `sigma` plus a Zipf-like unigram
 * bias, so a few tokens dominate each step (as a trained model's distribution does).
 */
function makeModel(name: string, vocab: readonly string[], sigma: number): ToyModel {
  const bias = vocab.map((_, j) => -1.2 * Math.log(1 + j) + 0.3 * normal(mulberry32(fnv1a(`${name}#bias${j}`))));
  const cache = new Map<string, number[]>();
  return {
    name,
    vocab,
    V: vocab.length,
    row(prompt, prefix) {
      const key = `${name}\u0001${prompt}\u0001${prefix.join(',')}`;
      let row = cache.get(key);
      if (!row) {
        const rand = mulberry32(fnv1a(key));
        row = vocab.map((_, j) => f32(sigma * normal(rand) + bias[j]));
        cache.set(key, row);
      }
      return row;
    },
  };
}

/** A fresh pair of models per run, so that no cache outlives one generation. */
export function toyModels(): { topk: ToyModel; logits: ToyModel } {
  return { topk: makeModel('toy-512', withPieces(WORDS, 512), 2.2), logits: makeModel('toy-16', SMALL_WORDS, 1.8) };
}

/** Samples a continuation of n tokens from the model at a temperature. */
export function sampleTokens(model: ToyModel, prompt: string, n: number, temperature: number, rand: () => number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(sampleIndex(logSoftmax(model.row(prompt, ids).map((v) => v / temperature)), rand));
  return ids;
}

export function candidate(model: ToyModel, prompt: string, ids: number[]): Candidate {
  const rows = ids.map((_, i) => model.row(prompt, ids.slice(0, i)));
  rows.push(model.row(prompt, ids));
  const ref = ids.map((y, i) => logSoftmax(rows[i])[y]);
  return { model, prompt, ids, rows, ref, total: ref.reduce((a, b) => a + b, 0) };
}

/** The model's true top-k in float64, most likely first (ties by id). */
export function topLogprobs(model: ToyModel, row: readonly number[], k: number): { token: string; logprob: number; id: number }[] {
  const lp = logSoftmax(row);
  const order = lp.map((_, j) => j).sort((a, b) => lp[b] - lp[a] || a - b);
  return order.slice(0, k).map((j) => ({ token: model.vocab[j], logprob: lp[j], id: j }));
}

export function inTopK(row: readonly number[], id: number, k: number): boolean {
  const lp = logSoftmax(row);
  return lp.filter((v) => v > lp[id]).length < k;
}
