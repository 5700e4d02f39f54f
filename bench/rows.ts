/**
 * The benchmark's record builders, one per kind of evidence a run can carry: score-only rows
 * (~480 B, or ~130 B compact), top-k rows (~8 KB: the model's top 5 at each step) and logits rows
 * (the full synthetic vocabulary's raw logits at each step). Each builds one multiple-choice
 * group of candidates as canonical JSONL text, deterministically from the PRNG it is handed, with
 * fixed formatting (Python's `json.dumps` separators), clean or with one scorer bug shared by the
 * whole group (one scorer scores every candidate of an item).
 *
 * The numbers are self-consistent without a model: top-k lists are sorted and sum to less than
 * 1; a clean top-k value is its target's listed log-prob rounded to float32; a clean logits value
 * is torch's float32 log_softmax of the row at the target. generate.ts drives these and writes
 * the files.
 */
import { f32, f32SequentialSum as sum32, logSoftmaxF32, sampleIndex } from '../scripts/lib/pipeline-math.js';
import { gaussian } from '../scripts/lib/prng.js';

export type Kind = 'score' | 'topk' | 'logits';

/** Scorer bugs of runs with per-token values (top-k and logits rows). */
export const VALUE_BUGS = ['mean_as_sum', 'drops_last_token', 'argmax_gathered', 'prob_sum', 'softmax_skipped'] as const;
/** Scorer bugs that a score-only run can show. */
export const SCORE_BUGS = ['prob_product', 'logit_sum', 'nan_score', 'shared_score', 'worst_picked'] as const;
export type Bug = 'clean' | (typeof VALUE_BUGS)[number] | (typeof SCORE_BUGS)[number];

/**
 * What the audit reports for a buggy group: the rule, and whether it names each candidate
 * (`record`), the group once (`group`) or the file once however many groups show it (`file`).
 */
export const BUG_FINDINGS: Record<Exclude<Bug, 'clean'>, { rule: string; per: 'record' | 'group' | 'file' }> = {
  mean_as_sum: { rule: 'normalization-mismatch', per: 'record' },
  drops_last_token: { rule: 'length-mismatch', per: 'record' },
  argmax_gathered: { rule: 'high-confidence-wrong-token', per: 'record' },
  prob_sum: { rule: 'probability-sum', per: 'record' },
  softmax_skipped: { rule: 'softmax-skipped', per: 'record' },
  prob_product: { rule: 'probability-product', per: 'record' },
  // A positive sum with no per-token values: inconsistent with a log-prob, no named cause.
  logit_sum: { rule: 'score-mismatch', per: 'record' },
  nan_score: { rule: 'invalid-logprob', per: 'group' },
  shared_score: { rule: 'degenerate-scores', per: 'file' },
  worst_picked: { rule: 'selection-mismatch', per: 'group' },
};

export const TOP_K = 5;
export const DEFAULT_VOCAB = 4096;

/** What a row builder needs besides randomness. */
export interface RowContext {
  rand: () => number;
  vocab: string[];
  /** Score-only rows without prompt and completion text (~130 B): many records in few bytes. */
  compact: boolean;
}

/** A BPE-looking vocabulary: a few hundred syllable pieces, with and without a leading space. */
export function makeVocab(size = DEFAULT_VOCAB): string[] {
  const syllables: string[] = [];
  for (const c of 'bcdfghjklmnprstvwz') for (const v of 'aeiouy') syllables.push(c + v);
  const out: string[] = [];
  for (let i = 0; out.length < size; i++) {
    const a = syllables[i % syllables.length];
    const b = syllables[Math.floor(i / syllables.length) % syllables.length];
    const piece = i < syllables.length ? a : a + b;
    out.push(i % 3 === 0 ? piece : ` ${piece}`);
  }
  return out;
}

/** Python's json.dumps spells non-finite numbers this way; the audit must read them. */
function num(x: number): string {
  return Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** A JSON array of numbers as json.dumps writes it. */
function numbers(values: readonly number[]): string {
  return `[${values.map(num).join(', ')}]`;
}

/** The tokens of one continuation as the pipeline recorded them. */
interface Continuation {
  target: number[];
  /** The clean per-token log-probs (float32, as the pipeline computed them). */
  clean: number[];
  /** What each bug would have gathered instead: the step's favourite's log-prob, the raw logit. */
  argmax: number[];
  raw: number[];
}

/** Per-token values and score of a continuation scored with `bug`. */
function scored(c: Continuation, bug: Bug): { values: number[]; score: number } {
  const n = c.clean.length;
  switch (bug) {
    case 'mean_as_sum':
      return { values: c.clean, score: f32(sum32(c.clean) / n) };
    case 'drops_last_token': {
      const values = c.clean.slice(0, -1);
      return { values, score: sum32(values) };
    }
    case 'argmax_gathered':
      return { values: c.argmax, score: sum32(c.argmax) };
    case 'prob_sum': {
      const values = c.clean.map((v) => f32(Math.exp(v)));
      return { values, score: sum32(values) };
    }
    case 'softmax_skipped':
      return { values: c.raw, score: sum32(c.raw) };
    default:
      return { values: c.clean, score: sum32(c.clean) };
  }
}

/**
 * One top-k step: the unlisted mass first (between 0.5 and 0.001, as a trained model leaves
 * outside its top k), then a stick-breaking split of the rest (a dominant few, a long tail).
 */
function topkStep(rand: () => number, vocabSize: number): { ids: number[]; logprobs: number[]; rest: number } {
  const rest = 10 ** -(0.3 + rand() * 2.7);
  const weights: number[] = [];
  let left = 1;
  const concentration = 0.25 + rand() * 0.5;
  for (let j = 0; j < TOP_K; j++) {
    const share = left * (concentration + (1 - concentration) * rand() * 0.6);
    weights.push(share);
    left -= share;
  }
  const scale = (1 - rest) / weights.reduce((a, b) => a + b, 0);
  weights.sort((a, b) => b - a);
  const ids = new Set<number>();
  while (ids.size < TOP_K) ids.add(Math.floor(rand() * vocabSize));
  return { ids: [...ids], logprobs: weights.map((w) => Math.log(w * scale)), rest };
}

/** A top-k candidate's continuation (8-40 tokens) and its `top_logprobs` JSON. */
function topkContinuation(ctx: RowContext): { c: Continuation; evidence: string } {
  const { rand, vocab } = ctx;
  const n = 8 + Math.floor(rand() * 33);
  const c: Continuation = { target: [], clean: [], argmax: [], raw: [] };
  const steps: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = topkStep(rand, vocab.length);
    let exact: number;
    if (rand() < 0.8) {
      // The target is listed (usually near the top).
      const j = Math.min(TOP_K - 1, Math.floor(-Math.log(1 - rand()) * 1.5));
      c.target.push(s.ids[j]);
      exact = s.logprobs[j];
    } else {
      let id: number;
      do id = Math.floor(rand() * vocab.length);
      while (s.ids.includes(id));
      c.target.push(id);
      // An unlisted target: no likelier than the k-th entry, and within the unlisted mass.
      const ceiling = Math.min(s.rest, Math.exp(s.logprobs[TOP_K - 1]));
      exact = Math.log(ceiling * (0.05 + 0.9 * rand()));
    }
    c.clean.push(f32(exact));
    c.argmax.push(f32(s.logprobs[0]));
    c.raw.push(f32(exact + 9.5)); // the row's log-sum-exp, never subtracted
    steps.push(`[${s.ids.map((tid, j) => `{"token": ${JSON.stringify(vocab[tid])}, "logprob": ${num(s.logprobs[j])}, "id": ${tid}}`).join(', ')}]`);
  }
  return { c, evidence: `"top_logprobs": [${steps.join(', ')}]` };
}

/** A logits candidate's continuation (4-12 tokens): one full-vocabulary row per token. */
function logitsContinuation(ctx: RowContext): { c: Continuation; evidence: string } {
  const { rand, vocab } = ctx;
  const n = 4 + Math.floor(rand() * 9);
  const c: Continuation = { target: [], clean: [], argmax: [], raw: [] };
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    // Logits printed with 3 decimals (what a bfloat16 model's logits look like once rounded),
    // a few favourites lifted above a Gaussian floor.
    const z: number[] = [];
    for (let j = 0; j < vocab.length; j++) z.push(Math.round(gaussian(rand) * 1500) / 1000);
    for (let k = 0; k < 3; k++) {
      const j = Math.floor(rand() * vocab.length);
      z[j] = Math.round((z[j] + 6 + rand() * 4) * 1000) / 1000;
    }
    const lp = logSoftmaxF32(z);
    const t = sampleIndex(lp, rand);
    let best = 0;
    for (let j = 1; j < z.length; j++) if (z[j] > z[best]) best = j;
    c.target.push(t);
    c.clean.push(lp[t]);
    c.argmax.push(lp[best]);
    c.raw.push(f32(z[t]));
    rows.push(numbers(z));
  }
  return { c, evidence: `"logits": [${rows.join(', ')}]` };
}

/** Words for prompts: syllable pairs. */
function words(rand: () => number, vocab: string[], chars: number): string {
  let out = '';
  while (out.length < chars) out += vocab[Math.floor(rand() * Math.min(vocab.length, 1000))];
  return out.trim();
}

/** The group's trailer fields: the pipeline picks its highest recorded score (the worst under `worst_picked`); gold is any candidate. */
function trailers(rand: () => number, scores: number[], bug: Bug): string[] {
  const best = scores.indexOf(bug === 'worst_picked' ? Math.min(...scores) : Math.max(...scores));
  const gold = Math.floor(rand() * scores.length);
  return scores.map((_, c) => `, "selected": ${c === best}, "gold": ${c === gold}}\n`);
}

/** One group of top-k or logits candidates. */
function valueGroup(ctx: RowContext, kind: 'topk' | 'logits', group: string, size: number, bug: Bug): string[] {
  const heads: string[] = [];
  const scores: number[] = [];
  for (let k = 0; k < size; k++) {
    const { c, evidence } = kind === 'topk' ? topkContinuation(ctx) : logitsContinuation(ctx);
    const { values, score } = scored(c, bug);
    const tokens = c.target.map((t) => ctx.vocab[t]);
    heads.push(
      `{"id": "${group}-c${k}", "group": "${group}", "prompt": "Item ${group}: which continuation fits best?", ` +
        `"completion": ${JSON.stringify(tokens.join(''))}, "tokens": ${JSON.stringify(tokens).replace(/","/g, '", "')}, ` +
        `"token_ids": [${c.target.join(', ')}], "logprobs": ${numbers(values)}, ${evidence}, ` +
        `"score": ${num(score)}, "score_kind": "logprob"`,
    );
    scores.push(score);
  }
  const tails = trailers(ctx.rand, scores, bug);
  return heads.map((h, k) => h + tails[k]);
}

/** The recorded score of a score-only candidate of `n` tokens under `bug`. */
function scoreOnly(rand: () => number, n: number, bug: Bug): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += -0.05 - rand() * 2.5;
  switch (bug) {
    case 'prob_product':
      return f32(Math.exp(total / 4)); // short products, far from underflow
    case 'logit_sum':
      return f32(total + 9.5 * n);
    default:
      return f32(total);
  }
}

/** One group of score-only candidates (~480 B each, ~130 B compact). */
function scoreGroup(ctx: RowContext, group: string, size: number, bug: Bug): string[] {
  const { rand, vocab } = ctx;
  const prompt = ctx.compact ? '' : words(rand, vocab, 200 + Math.floor(rand() * 120));
  const heads: string[] = [];
  const scores: number[] = [];
  for (let k = 0; k < size; k++) {
    const n = 3 + Math.floor(rand() * 18);
    let score = scoreOnly(rand, n, bug);
    if (bug === 'shared_score' && k > 0) score = scores[0];
    if (bug === 'nan_score' && k === size - 1) score = NaN;
    const text = ctx.compact ? '' : `"task": "bench_mc", "prompt": ${JSON.stringify(prompt)}, "completion": ${JSON.stringify(words(rand, vocab, 4 * n))}, `;
    heads.push(`{"id": "${group}-c${k}", "group": "${group}", ${text}"score": ${num(score)}, "score_kind": "logprob"`);
    scores.push(score);
  }
  const tails = trailers(rand, scores.map((s) => (Number.isNaN(s) ? -Infinity : s)), bug);
  return heads.map((h, k) => h + tails[k]);
}

/** The JSONL lines of one group of `size` candidates of `kind`, scored with `bug`. */
export function groupLines(ctx: RowContext, kind: Kind, group: string, size: number, bug: Bug): string[] {
  return kind === 'score' ? scoreGroup(ctx, group, size, bug) : valueGroup(ctx, kind, group, size, bug);
}
