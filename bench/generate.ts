/**
 * Writes the benchmark input: a large canonical top-k run (~110 MB of JSONL), deterministically
 * (seeded PRNG, fixed formatting), so every machine measures the same bytes.
 *
 * Each record is one candidate of a 4-way multiple-choice group: 8-40 tokens, the model's top 20
 * at each step as {token, logprob, id}, the per-token values a float32 pipeline recorded, and the
 * score. Most records are clean; about one in twelve groups carries a scorer bug, so the audit
 * does the work of diagnosing as well as of confirming. The numbers are synthesised directly at
 * the top-k level (a full-vocabulary model would make generation, not auditing, the slow part),
 * but they are self-consistent: the listed probabilities are sorted, sum to less than 1, and a
 * clean value is its target's listed log-prob rounded to float32.
 */
import { f32SequentialSum as sum32 } from '../scripts/lib/pipeline-math.js';
import { mulberry32 } from '../scripts/lib/prng.js';
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const TARGET_BYTES = 110_000_000;
export const GROUP_SIZE = 4;
const TOP_K = 20;
const VOCAB = 4096;


/** A BPE-looking vocabulary: a few hundred syllable pieces, with and without a leading space. */
function makeVocab(): string[] {
  const syllables: string[] = [];
  for (const c of 'bcdfghjklmnprstvwz') for (const v of 'aeiouy') syllables.push(c + v);
  const out: string[] = [];
  for (let i = 0; out.length < VOCAB; i++) {
    const a = syllables[i % syllables.length];
    const b = syllables[Math.floor(i / syllables.length) % syllables.length];
    const piece = i < syllables.length ? a : a + b;
    out.push(i % 3 === 0 ? piece : ` ${piece}`);
  }
  return out;
}

interface Step {
  ids: number[];
  logprobs: number[];
  /** Probability mass of the unlisted vocabulary. */
  rest: number;
}

/**
 * One step's top-20: the unlisted mass first (between 0.5 and 0.001, as a trained model leaves
 * outside its top 20), then a stick-breaking split of the rest (a dominant few, a long tail).
 * The unlisted mass is kept well above float64 noise, so "1 - Σ listed" is meaningful.
 */
function makeStep(rand: () => number): Step {
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
  while (ids.size < TOP_K) ids.add(Math.floor(rand() * VOCAB));
  return { ids: [...ids], logprobs: weights.map((w) => Math.log(w * scale)), rest };
}

type Bug = 'clean' | 'mean_as_sum' | 'drops_last_token' | 'argmax_gathered' | 'prob_sum' | 'softmax_skipped';
const BUGS: Bug[] = ['mean_as_sum', 'drops_last_token', 'argmax_gathered', 'prob_sum', 'softmax_skipped'];

/** Python's json.dumps spells non-finite numbers this way; the audit must read them. */
function num(x: number): string {
  return Number.isFinite(x) ? String(x) : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

function recordLine(rand: () => number, vocab: string[], id: string, group: string, bug: Bug): { line: string; score: number } {
  const n = 8 + Math.floor(rand() * 33);
  const steps: Step[] = [];
  const target: number[] = [];
  const exact: number[] = [];
  for (let i = 0; i < n; i++) {
    const step = makeStep(rand);
    steps.push(step);
    if (rand() < 0.8) {
      // The target is listed (usually near the top).
      const j = Math.min(TOP_K - 1, Math.floor(-Math.log(1 - rand()) * 3));
      target.push(step.ids[j]);
      exact.push(step.logprobs[j]);
    } else {
      let id: number;
      do id = Math.floor(rand() * VOCAB);
      while (step.ids.includes(id));
      target.push(id);
      // An unlisted target: no likelier than the 20th entry, and within the unlisted mass.
      const ceiling = Math.min(step.rest, Math.exp(step.logprobs[TOP_K - 1]));
      exact.push(Math.log(ceiling * (0.05 + 0.9 * rand())));
    }
  }
  const clean = exact.map((v) => Math.fround(v));
  let values = clean;
  let score = sum32(clean);
  switch (bug) {
    case 'mean_as_sum':
      score = Math.fround(score / n);
      break;
    case 'drops_last_token':
      values = clean.slice(0, -1);
      score = sum32(values);
      break;
    case 'argmax_gathered':
      values = steps.map((s) => Math.fround(s.logprobs[0]));
      score = sum32(values);
      break;
    case 'prob_sum':
      values = clean.map((v) => Math.fround(Math.exp(v)));
      score = sum32(values);
      break;
    case 'softmax_skipped':
      values = clean.map((v) => Math.fround(v + 9.5)); // the row's log-sum-exp, never subtracted
      score = sum32(values);
      break;
  }
  const tokens = target.map((t) => vocab[t]);
  const top = steps
    .map((s) => `[${s.ids.map((tid, j) => `{"token": ${JSON.stringify(vocab[tid])}, "logprob": ${num(s.logprobs[j])}, "id": ${tid}}`).join(', ')}]`)
    .join(', ');
  const line =
    `{"id": "${id}", "group": "${group}", "prompt": "Item ${group}: which continuation fits best?", ` +
    `"completion": ${JSON.stringify(tokens.join(''))}, "tokens": ${JSON.stringify(tokens).replace(/","/g, '", "')}, ` +
    `"token_ids": [${target.join(', ')}], "logprobs": [${values.map(num).join(', ')}], "top_logprobs": [${top}], ` +
    `"score": ${num(score)}, "score_kind": "logprob"`;
  return { line, score };
}

/** Writes the run to `file` (via a temporary name, so an interrupted run leaves no partial file). */
export function generate(file: string, targetBytes = TARGET_BYTES, seed = 20240601): { records: number; bytes: number } {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.partial`;
  const fd = openSync(tmp, 'w');
  const rand = mulberry32(seed);
  const vocab = makeVocab();
  let bytes = 0;
  let records = 0;
  let buffer: string[] = [];
  let buffered = 0;
  try {
    for (let g = 0; bytes + buffered < targetBytes; g++) {
      const group = `b${g}`;
      const bug: Bug = g % 12 === 11 ? BUGS[Math.floor(g / 12) % BUGS.length] : 'clean';
      const lines: string[] = [];
      const scores: number[] = [];
      for (let c = 0; c < GROUP_SIZE; c++) {
        const r = recordLine(rand, vocab, `${group}-c${c}`, group, bug);
        lines.push(r.line);
        scores.push(r.score);
      }
      // The pipeline picks its highest recorded score; gold is any candidate.
      const selected = scores.indexOf(Math.max(...scores));
      const gold = Math.floor(rand() * GROUP_SIZE);
      for (let c = 0; c < GROUP_SIZE; c++) {
        const text = `${lines[c]}, "selected": ${c === selected}, "gold": ${c === gold}}\n`;
        buffer.push(text);
        buffered += text.length; // ASCII only, so characters are bytes
        records++;
      }
      if (buffered > 1 << 22) {
        writeSync(fd, buffer.join(''));
        bytes += buffered;
        buffer = [];
        buffered = 0;
      }
    }
    writeSync(fd, buffer.join(''));
    bytes += buffered;
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  return { records, bytes };
}
