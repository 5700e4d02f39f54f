#!/usr/bin/env node
/**
 * Writes sample-runs/: small eval runs in the canonical record format, scored from a toy
 * "model", with planted scorer bugs, plus sample-runs/README.md listing every planted case.
 *
 *     node scripts/make-samples.mjs [outDir]      (default: sample-runs/ next to this script)
 *
 * Deterministic: a seeded PRNG drives everything, so the same script writes the same bytes.
 * The toy model produces random logits per step over a small vocabulary, computed in float64
 * and rounded with Math.fround as a float32 model would emit them. Its logits depend only on
 * the prompt and the tokens before the step, so candidates of one group share their first
 * step, as real multiple-choice scoring does. Every recorded value is what a real scorer (the
 * correct one, or one with a known bug) computes from those float32 logits, with float32 (or
 * float16) arithmetic where a PyTorch pipeline would use it. top_logprobs are the model's true
 * log-softmax in float64, as in the dev corpus.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'sample-runs');
const f32 = Math.fround;

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

/** mulberry32: tiny, fast, and good enough for test data; returns floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: turns a context (prompt + previous tokens) into the seed of its logits. */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function normal(rand) {
  const u = 1 - rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

// ---------------------------------------------------------------------------------------------
// Numerics: float64 reference, float32 / float16 pipelines
// ---------------------------------------------------------------------------------------------

function logSoftmax64(z) {
  const m = Math.max(...z);
  let s = 0;
  for (const v of z) s += Math.exp(v - m);
  const lse = m + Math.log(s);
  return z.map((v) => v - lse);
}

/** torch.log_softmax on a float32 tensor: every intermediate rounded to float32. */
function logSoftmax32(z) {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  let s = 0;
  for (const v of z) s = f32(s + f32(Math.exp(f32(v - m))));
  const logS = f32(Math.log(s));
  return z.map((v) => f32(f32(v - m) - logS));
}

function softmax32(z) {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, v);
  const e = z.map((v) => f32(Math.exp(f32(v - m))));
  let s = 0;
  for (const v of e) s = f32(s + v);
  return e.map((v) => f32(v / s));
}

/** A running float32 sum, as `tensor.sum()` of a short float32 vector gives. */
function sum32(values) {
  let s = 0;
  for (const v of values) s = f32(s + v);
  return s;
}

function product32(values) {
  let p = 1;
  for (const v of values) p = f32(p * v);
  return p;
}

function roundHalfEven(x) {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** Nearest IEEE binary16 value (ties to even), as a double. */
function toHalf(x) {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  const exp = Math.max(Math.floor(Math.log2(a)), -14);
  const quantum = 2 ** (exp - 10);
  return Math.sign(x) * roundHalfEven(a / quantum) * quantum;
}

function argmax(z) {
  let best = 0;
  for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
  return best;
}

// ---------------------------------------------------------------------------------------------
// The toy model
// ---------------------------------------------------------------------------------------------

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
function withPieces(words, size) {
  const pieces = [];
  const syllables = [];
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
function makeModel(name, vocab, sigma) {
  const bias = vocab.map((_, j) => -1.2 * Math.log(1 + j) + 0.3 * normal(mulberry32(fnv1a(`${name}#bias${j}`))));
  const cache = new Map();
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

const TOPK_MODEL = makeModel('toy-512', withPieces(WORDS, 512), 2.2);
const LOGITS_MODEL = makeModel('toy-16', SMALL_WORDS, 1.8);

/** Samples a continuation of n tokens from the model at a temperature. */
function sampleTokens(model, prompt, n, temperature, rand) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const lp = logSoftmax64(model.row(prompt, ids).map((v) => v / temperature));
    let u = rand();
    let pick = lp.length - 1;
    for (let j = 0; j < lp.length; j++) {
      u -= Math.exp(lp[j]);
      if (u <= 0) {
        pick = j;
        break;
      }
    }
    ids.push(pick);
  }
  return ids;
}

/** Everything known about one candidate: its model rows (n + 1: the last one follows the last token). */
function candidate(model, prompt, ids) {
  const rows = ids.map((_, i) => model.row(prompt, ids.slice(0, i)));
  rows.push(model.row(prompt, ids));
  const ref = ids.map((y, i) => logSoftmax64(rows[i])[y]);
  return { model, prompt, ids, rows, ref, total: ref.reduce((a, b) => a + b, 0) };
}

function topLogprobs(model, row, k) {
  const lp = logSoftmax64(row);
  const order = lp.map((_, j) => j).sort((a, b) => lp[b] - lp[a] || a - b);
  return order.slice(0, k).map((j) => ({ token: model.vocab[j], logprob: lp[j], id: j }));
}

function inTopK(row, id, k) {
  const lp = logSoftmax64(row);
  return lp.filter((v) => v > lp[id]).length < k;
}

// ---------------------------------------------------------------------------------------------
// Scorers: the correct one and the buggy ones. Each returns what the pipeline recorded.
// ---------------------------------------------------------------------------------------------

const clean = (c) => c.ids.map((y, i) => logSoftmax32(c.rows[i])[y]);

const SCORERS = {
  clean: (c) => {
    const v = clean(c);
    return { logprobs: v, score: sum32(v) };
  },
  // Gathered raw logits: the log_softmax call was missing.
  softmax_skipped: (c) => {
    const v = c.ids.map((y, i) => c.rows[i][y]);
    return { logprobs: v, score: sum32(v) };
  },
  // Multiplied probabilities instead of adding log-probs; the "score" is a probability.
  prob_product: (c) => {
    const p = clean(c).map((v) => f32(Math.exp(v)));
    return { logprobs: p, score: product32(p) };
  },
  // log(∏ p) with the product in float32: exact-looking on short answers, -inf on long ones.
  underflow: (c) => {
    const v = clean(c);
    return { logprobs: v, score: Math.log(product32(v.map((x) => f32(Math.exp(x))))) };
  },
  // Added probabilities.
  prob_sum: (c) => {
    const p = clean(c).map((v) => f32(Math.exp(v)));
    return { logprobs: p, score: sum32(p) };
  },
  // Forgot the one-step shift: the row at the token's own position (row i + 1) scores token i.
  no_shift: (c) => {
    const v = c.ids.map((y, i) => logSoftmax32(c.rows[i + 1])[y]);
    return { logprobs: v, score: sum32(v) };
  },
  // Sliced one position too early: the last context token is scored too (n + 1 values).
  includes_context_token: (c) => {
    const ctxRow = c.model.row(`${c.prompt}#context`, []);
    const ctxToken = argmax(ctxRow.map((v, j) => (j === argmax(ctxRow) ? -Infinity : v))); // a plausible, not top, token
    const v = [logSoftmax32(ctxRow)[ctxToken], ...clean(c)];
    return { logprobs: v, score: sum32(v) };
  },
  // Sliced one position too late at the end: the last continuation token is lost.
  drops_last_token: (c) => {
    const v = clean(c).slice(0, -1);
    return { logprobs: v, score: sum32(v) };
  },
  // Gathered at argmax(logits) instead of at the target ids.
  argmax_gathered: (c) => {
    const v = c.rows.slice(0, c.ids.length).map((z) => logSoftmax32(z)[argmax(z)]);
    return { logprobs: v, score: sum32(v) };
  },
  // Gathered at id + 1 (a BOS / padding offset applied twice).
  token_id_off_by_one: (c) => {
    const v = c.ids.map((y, i) => logSoftmax32(c.rows[i])[y + 1]);
    return { logprobs: v, score: sum32(v) };
  },
  // The sampling temperature leaked into scoring: log_softmax(logits / 0.7).
  temperature_0_7: (c) => {
    const v = c.ids.map((y, i) => logSoftmax32(c.rows[i].map((x) => f32(x / f32(0.7))))[y]);
    return { logprobs: v, score: sum32(v) };
  },
  // log(softmax(softmax(logits))): the model already returned probabilities.
  softmax_twice: (c) => {
    const v = c.ids.map((y, i) => logSoftmax32(softmax32(c.rows[i]))[y]);
    return { logprobs: v, score: sum32(v) };
  },
  // Recorded the mean per-token log-prob where a total was declared.
  mean_as_sum: (c) => {
    const v = clean(c);
    return { logprobs: v, score: f32(sum32(v) / v.length) };
  },
  // model.half(): logits, log-softmax output and the running sum all in float16.
  fp16: (c) => {
    const v = c.ids.map((y, i) => toHalf(logSoftmax32(c.rows[i].map(toHalf))[y]));
    let s = 0;
    for (const x of v) s = toHalf(s + x);
    return { logprobs: v, score: s };
  },
  // A NaN in one step (e.g. a fully masked row: -inf - -inf) poisons the sum.
  nan_value: (c) => {
    const v = clean(c);
    v[Math.min(1, v.length - 1)] = NaN;
    return { logprobs: v, score: sum32(v) };
  },
  // The score column came from an older checkpoint's run (a stale cache joined by id).
  stale_score: (c) => {
    const v = clean(c);
    const old = c.ids.map((y, i) => {
      const rand = mulberry32(fnv1a(`stale:${c.prompt}:${i}`));
      return logSoftmax32(c.rows[i].map((x) => f32(x + 0.9 * normal(rand))))[y];
    });
    return { logprobs: v, score: sum32(old) };
  },
};

/** Whether the record's own evidence can reveal the bug at this level (else we draw again). */
function evidenceFor(bug, c, level, k) {
  const n = c.ids.length;
  const anyStep = (pred) => c.ids.some((y, i) => pred(y, i));
  // Only a top-k level can hide the model's value of a token (outside the top k).
  const visible = (y, i) => level !== 'topk' || inTopK(c.rows[i], y, k);
  switch (bug) {
    case 'no_shift':
      return n >= 2 && anyStep((y, i) => i < n - 1 && (level !== 'topk' || inTopK(c.rows[i + 1], y, k)) && visible(y, i));
    case 'token_id_off_by_one':
      // Some step must show both the target's and its neighbour's model value.
      return c.ids.every((y) => y < c.model.V - 1) && anyStep((y, i) => visible(y, i) && (level !== 'topk' || inTopK(c.rows[i], y + 1, k)));
    case 'argmax_gathered':
      return anyStep((y, i) => y !== argmax(c.rows[i]) && visible(y, i));
    case 'drops_last_token':
    case 'nan_value':
      return n >= 2;
    case 'underflow':
      return product32(clean(c).map((x) => f32(Math.exp(x)))) === 0;
    case 'prob_product':
      return product32(clean(c).map((x) => f32(Math.exp(x)))) > 0;
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

// ---------------------------------------------------------------------------------------------
// Groups and records
// ---------------------------------------------------------------------------------------------

const PROMPTS = [
  'The cat sat on the',
  'After the rain, the old house by the river',
  'Question: Which colour is the sky on a clear day?\nAnswer:',
  'She opened the door and saw',
  'In the morning the sun rose over the',
  'Q: What do you call frozen water?\nA:',
  'The dog ran across the',
  'He said it was too late to',
  'Once upon a time, in a small village,',
  'The recipe calls for two cups of',
  'Review: The film was long but\nSentiment:',
  'At night the moon shone on the',
  'Complete the sentence: A friend in need is',
  'The train left the station and',
];

/** Near ties make "the best candidate" depend on float32 noise: keep totals apart. */
function wellSeparated(cands) {
  const t = cands.map((c) => c.total).sort((a, b) => a - b);
  return t.every((v, i) => i === 0 || v - t[i - 1] > 0.05);
}

const indexOfMax = (xs) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
const indexOfMin = (xs) => xs.reduce((best, x, i) => (x < xs[best] ? i : best), 0);

/**
 * A multiple-choice group: one candidate sampled from the model (likely), the rest sampled at a
 * higher temperature (less likely). `bugs[i]` is candidate i's scorer; `policy` how the pipeline
 * picked its answer: 'max' (highest recorded score: correct), 'greedy' (highest first-token
 * log-prob), 'inverted' (lowest total).
 */
function makeGroup(spec) {
  const { model, level, k, gid, size, bugs, policy = 'max', minLen = 1, maxLen = 4, rand } = spec;
  for (let attempt = 0; attempt < 5000; attempt++) {
    const prompt = PROMPTS[Math.floor(rand() * PROMPTS.length)];
    const cands = [];
    for (let i = 0; i < size; i++) {
      const n = minLen + Math.floor(rand() * (maxLen - minLen + 1));
      cands.push(candidate(model, prompt, sampleTokens(model, prompt, n, i === 0 ? 1 : 1.6, rand)));
    }
    // Candidates are distinct answers.
    if (new Set(cands.map((c) => c.ids.join(','))).size !== size) continue;
    if (!wellSeparated(cands)) continue;
    if (!cands.every((c, i) => evidenceFor(bugs[i], c, level, k))) continue;
    const recorded = cands.map((c, i) => SCORERS[bugs[i]](c));
    const totals = cands.map((c) => c.total);
    const best = indexOfMax(totals);
    // The picks other policies would make: a planted policy must differ from all of them, or
    // the evidence could not tell which one the pipeline used.
    const firstPick = indexOfMax(recorded.map((r) => r.logprobs[0]));
    const meanPick = indexOfMax(cands.map((c) => c.total / c.ids.length));
    const worst = indexOfMin(totals);
    let selected;
    if (policy === 'greedy') {
      selected = firstPick;
      const first = recorded.map((r) => r.logprobs[0]).sort((a, b) => b - a);
      if (selected === best || selected === worst || selected === meanPick || first[0] - first[1] < 0.1) continue;
    } else if (policy === 'inverted') {
      selected = worst;
      if (selected === firstPick || selected === meanPick) continue;
    } else {
      const scores = recorded.map((r) => (Number.isNaN(r.score) ? -Infinity : r.score));
      selected = indexOfMax(scores);
    }
    // Gold: the reference-best answer where the policy is the planted bug (the pick is then
    // wrong), otherwise the best answer two times in three, like a decent model on an easy task.
    const gold = policy !== 'max' || rand() < 0.67 ? best : Math.floor(rand() * size);
    return cands.map((c, i) =>
      toRecord(c, recorded[i], { id: `${gid}-c${i}`, group: gid, level, k, selected: i === selected, gold: i === gold, bug: bugs[i] }),
    );
  }
  throw new Error(`could not build group ${gid}: constraints too tight`);
}

function toRecord(c, rec, { id, group, level, k, selected, gold, bug }) {
  const tokens = c.ids.map((j) => c.model.vocab[j]);
  const r = { id };
  if (group !== undefined) r.group = group;
  r.prompt = c.prompt;
  r.completion = tokens.join('');
  r.tokens = tokens;
  r.token_ids = c.ids;
  r.logprobs = rec.logprobs;
  if (level === 'topk' || level === 'logits') r.top_logprobs = c.ids.map((_, i) => topLogprobs(c.model, c.rows[i], k));
  // The model's logits for the continuation; the no-shift scorer read one row past them.
  if (level === 'logits') r.logits = c.rows.slice(0, bug === 'no_shift' ? c.ids.length + 1 : c.ids.length);
  r.score = rec.score;
  r.score_kind = 'logprob';
  if (group !== undefined) {
    r.selected = selected;
    r.gold = gold;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Output: JSON and CSV the way Python writes them
// ---------------------------------------------------------------------------------------------

/** Python's repr(float): shortest round-trip digits, exponent form below 1e-4 or from 1e16, "-2.0" not "-2". */
function pyFloat(x) {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expText] = x.toExponential().split('e'); // shortest digits that round-trip
  const exp = Number(expText);
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const INT_KEYS = new Set(['id', 'token_ids', 'choice_index']);

/** json.dumps(value): ", " and ": " separators, NaN / -Infinity written bare. */
function pyJson(value, key = '') {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return INT_KEYS.has(key) && Number.isInteger(value) ? String(value) : pyFloat(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyJson(v, key)).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v, k)}`)
    .join(', ')}}`;
}

const CSV_COLUMNS = ['id', 'group', 'prompt', 'completion', 'tokens', 'token_ids', 'logprobs', 'score', 'score_kind', 'selected', 'gold'];

/** str(float) for scalar cells (nan / inf as Python prints them), JSON for array cells. */
function csvCell(value, key) {
  if (value === undefined) return '';
  let text;
  if (Array.isArray(value)) text = pyJson(value, key);
  else if (typeof value === 'number') text = Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : pyFloat(value);
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function writeJsonl(name, records) {
  writeFileSync(join(OUT, name), records.map((r) => pyJson(r)).join('\n') + '\n');
}

function writeCsv(name, records) {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) lines.push(CSV_COLUMNS.map((col) => csvCell(r[col], col)).join(','));
  writeFileSync(join(OUT, name), lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// The planted cases
// ---------------------------------------------------------------------------------------------

/** Rule that should name each bug (the ids of rules/ and the dev corpus' `accept` lists). */
const RULE = {
  softmax_skipped: 'softmax-skipped',
  prob_product: 'probability-product',
  underflow: 'probability-product',
  prob_sum: 'probability-sum',
  no_shift: 'length-mismatch',
  includes_context_token: 'length-mismatch',
  drops_last_token: 'length-mismatch',
  argmax_gathered: 'high-confidence-wrong-token',
  token_id_off_by_one: 'wrong-token-index',
  temperature_0_7: 'temperature-scaled',
  softmax_twice: 'softmax-twice',
  mean_as_sum: 'normalization-mismatch',
  fp16: 'low-precision',
  nan_value: 'invalid-logprob',
  stale_score: 'score-mismatch',
  greedy: 'greedy-choice',
  inverted: 'ranking-inverted',
};

const WHAT = {
  softmax_skipped: 'softmax skipped: raw logits recorded as log-probs',
  prob_product: 'probabilities multiplied: score is ∏ p (per-token values are probabilities)',
  underflow: 'log of a float32 product of probabilities: underflows to -Infinity on a long continuation',
  prob_sum: 'probabilities added: score is Σ p',
  no_shift: 'one-step shift forgotten: row i+1 scores token i',
  includes_context_token: 'last context token scored too: n+1 values',
  drops_last_token: 'last continuation token dropped: n-1 values',
  argmax_gathered: "argmax token's log-prob gathered instead of the target's",
  token_id_off_by_one: 'log-prob of token id + 1 gathered',
  temperature_0_7: 'log_softmax(logits / 0.7)',
  softmax_twice: 'log(softmax(softmax(logits)))',
  mean_as_sum: 'mean per-token log-prob recorded as the total',
  fp16: 'float16 model: values rounded to half, summed in half',
  nan_value: 'a NaN per-token value (and so a NaN score)',
  stale_score: 'score from an older checkpoint (matches no hypothesis)',
  greedy: 'group picked by the first token log-prob, not the total',
  inverted: 'group picked by the lowest total',
};

const planted = []; // rows of the README table

function note(file, records, policy) {
  for (const r of records) {
    if (r.bug && r.bug !== 'clean') planted.push({ file, id: r.id, bug: r.bug });
  }
  if (policy && policy !== 'max') {
    const sel = records.find((r) => r.selected);
    planted.push({ file, id: `${records[0].group} (selected ${sel.id})`, bug: policy });
  }
}

/** Builds groups in order; `bug` is the scorer for every candidate unless `bugs` says otherwise. */
function buildFile(file, level, model, k, seed, specs) {
  const rand = mulberry32(seed);
  const prefix = file.startsWith('choice-topk') ? 't' : file.startsWith('choice-pertoken') ? 'p' : 'l';
  const records = [];
  specs.forEach((s, gi) => {
    const gid = `${prefix}${String(gi).padStart(2, '0')}`;
    if (s.long) {
      // One long ungrouped continuation, as long-form scoring writes them.
      for (let attempt = 0; ; attempt++) {
        const prompt = PROMPTS[Math.floor(rand() * PROMPTS.length)];
        const c = candidate(model, prompt, sampleTokens(model, prompt, s.long, 1.6, rand));
        if (!evidenceFor(s.bug, c, level, k)) continue;
        const r = toRecord(c, SCORERS[s.bug](c), { id: `${gid}-long`, level, k, bug: s.bug });
        records.push({ ...r, bug: s.bug });
        break;
      }
    } else {
      const bugs = s.bugs ?? Array(s.size).fill(s.bug ?? 'clean');
      const group = makeGroup({ model, level, k, gid, size: s.size, bugs, policy: s.policy, minLen: s.minLen, maxLen: s.maxLen, rand });
      const tagged = group.map((r, i) => ({ ...r, bug: bugs[i] }));
      records.push(...tagged);
    }
    const added = records.filter((r) => r.id.startsWith(`${gid}-`));
    note(file, added, s.policy);
  });
  // The bug tag is for the README only; it never reaches the file.
  return records.map(({ bug, ...r }) => r);
}

mkdirSync(OUT, { recursive: true });

// logits.jsonl: full logits over a 16-token vocabulary, so every distributional bug is visible.
const logitsRecords = buildFile('logits.jsonl', 'logits', LOGITS_MODEL, 5, 16, [
  { size: 4 },
  { size: 3, bug: 'softmax_skipped' },
  { size: 4 },
  { size: 3, bug: 'softmax_twice' },
  { size: 3, bug: 'temperature_0_7' },
  { size: 3, bug: 'token_id_off_by_one' },
  { size: 3, bug: 'no_shift', minLen: 2 },
  { size: 3, bug: 'argmax_gathered' },
  { size: 4 },
]);
writeJsonl('logits.jsonl', logitsRecords);

// choice-topk.jsonl: per-token values, the model's top-8 at each step, and the score.
const topkRecords = buildFile('choice-topk.jsonl', 'topk', TOPK_MODEL, 8, 40, [
  { size: 4 },
  { size: 4, bug: 'softmax_skipped' },
  { size: 4 },
  { size: 3, bug: 'prob_product' },
  { size: 3, bug: 'no_shift', minLen: 2 },
  { size: 4 },
  { size: 3, bug: 'includes_context_token' },
  { size: 3, bug: 'drops_last_token', minLen: 2 },
  { size: 3, bug: 'argmax_gathered' },
  { size: 4 },
  { size: 3, bug: 'prob_sum' },
  { size: 3, bug: 'mean_as_sum', minLen: 2 },
  { size: 3, bug: 'temperature_0_7', minLen: 2 },
  { size: 3, bug: 'softmax_twice', minLen: 2 },
  { size: 3, bug: 'token_id_off_by_one', minLen: 2 },
  { size: 3, bug: 'fp16', minLen: 2 }, // one value on the float16 grid is chance, not evidence
  { size: 3, bugs: ['nan_value', 'clean', 'nan_value'] },
  { size: 3, bugs: ['stale_score', 'stale_score', 'clean'] },
  { size: 4, policy: 'greedy' },
  { size: 4, policy: 'inverted' },
  { size: 4 },
  { long: 48, bug: 'underflow' },
]);
writeJsonl('choice-topk.jsonl', topkRecords);

// choice-pertoken.csv: per-token values and score only; prompts span lines (quoted cells).
const pertokenRecords = buildFile('choice-pertoken.csv', 'pertoken', TOPK_MODEL, 0, 3232, [
  { size: 4 },
  { size: 3, bug: 'softmax_skipped' },
  { size: 3, bug: 'prob_product' },
  { size: 4 },
  { size: 3, bug: 'prob_sum' },
  { size: 3, bug: 'includes_context_token' },
  { size: 3, bug: 'drops_last_token', minLen: 2 },
  { size: 4 },
  { size: 3, bug: 'mean_as_sum', minLen: 2 },
  { size: 3, bug: 'fp16', minLen: 2 }, // one value on the float16 grid is chance, not evidence
  { size: 3, bugs: ['clean', 'nan_value', 'nan_value'] },
  { size: 4, policy: 'inverted' },
  { size: 4 },
  { long: 60, bug: 'underflow' },
]);
writeCsv('choice-pertoken.csv', pertokenRecords);

// cat.jsonl: the worked example of a greedy pick, written by hand so the numbers are round.
// The candidates share the first step; A wins it (-0.9 > -1.2) but B wins the total (-2.3 > -2.4).
// C is the clear loser, so A is not also the lowest total (which would fit an inverted ranking).
const CAT_IDS = { ' warm': 3, ' plush': 4, ' old': 5, ' soft': 6, ' red': 7, ' mat': 8, ' rug': 9, ' blanket': 10, ' bed': 11, ' spot': 12, ' cushion': 13, ' carpet': 14, ' chair': 15 };
const top = (pairs) => pairs.map(([token, logprob]) => ({ token, logprob, id: CAT_IDS[token] }));
const catStep0 = top([[' warm', -0.9], [' plush', -1.2], [' old', -2.9], [' soft', -3.3], [' red', -3.6]]);
const catRecords = [
  {
    id: 'cat-A', group: 'cat', prompt: 'The cat sat on the', completion: ' warm mat',
    tokens: [' warm', ' mat'], token_ids: [3, 8], logprobs: [-0.9, -1.5],
    top_logprobs: [catStep0, top([[' blanket', -0.7], [' mat', -1.5], [' rug', -2.0], [' bed', -2.6], [' spot', -3.4]])],
    score: -2.4, score_kind: 'logprob', selected: true, gold: false,
  },
  {
    id: 'cat-B', group: 'cat', prompt: 'The cat sat on the', completion: ' plush rug',
    tokens: [' plush', ' rug'], token_ids: [4, 9], logprobs: [-1.2, -1.1],
    top_logprobs: [catStep0, top([[' rug', -1.1], [' cushion', -1.3], [' mat', -2.2], [' carpet', -2.8], [' chair', -3.5]])],
    score: -2.3, score_kind: 'logprob', selected: false, gold: true,
  },
  {
    id: 'cat-C', group: 'cat', prompt: 'The cat sat on the', completion: ' soft bed',
    tokens: [' soft', ' bed'], token_ids: [6, 11], logprobs: [-3.3, -1.6],
    top_logprobs: [catStep0, top([[' blanket', -0.8], [' bed', -1.6], [' cushion', -1.9], [' rug', -2.5], [' chair', -3.9]])],
    score: -4.9, score_kind: 'logprob', selected: false, gold: false,
  },
];
writeJsonl('cat.jsonl', catRecords);
planted.push({ file: 'cat.jsonl', id: 'cat (selected cat-A)', bug: 'greedy' });

// ---------------------------------------------------------------------------------------------
// README
// ---------------------------------------------------------------------------------------------

const counts = {
  'logits.jsonl': logitsRecords.length,
  'choice-topk.jsonl': topkRecords.length,
  'choice-pertoken.csv': pertokenRecords.length,
  'cat.jsonl': catRecords.length,
};
const plantedIds = new Set(planted.map((p) => `${p.file}:${p.id}`));
const cleanCount = Object.entries({ 'logits.jsonl': logitsRecords, 'choice-topk.jsonl': topkRecords, 'choice-pertoken.csv': pertokenRecords }).reduce(
  (n, [file, recs]) => n + recs.filter((r) => !plantedIds.has(`${file}:${r.id}`)).length,
  0,
);

/** One table row per group and bug: consecutive cases of one bug in one group share a row. */
function tableRows(cases) {
  const rows = [];
  for (const c of cases) {
    const group = c.id.split('-')[0];
    const last = rows[rows.length - 1];
    if (last && last.file === c.file && last.bug === c.bug && last.group === group) last.ids.push(c.id);
    else rows.push({ file: c.file, bug: c.bug, group, ids: [c.id] });
  }
  return rows;
}

const readme = `# Sample runs

Small eval runs in the canonical record format (\`schema/record.schema.json\`), for trying
evalaudit and for end-to-end tests. **Generated** by \`node scripts/make-samples.mjs\`
(deterministic; edit the script, not these files, and regenerate).

A toy model emits random float32 logits per step over a vocabulary of 512 tokens (40 common
words and rarer sub-word pieces; 16 tokens in \`logits.jsonl\`, so its full logits stay
small). Its logits depend only on the prompt and the previous tokens, so the candidates of a
group share their first step. Each recorded value is what a scorer computed
from those logits in float32 (float16 for the fp16 case): the correct scorer for clean records,
a buggy one for planted records. \`top_logprobs\` are the model's true top-k in float64.
Non-finite numbers are written as Python writes them (\`NaN\`, \`-Infinity\` in JSON; \`nan\`,
\`-inf\` in CSV cells).

| file | records | evidence |
|---|---|---|
| logits.jsonl | ${counts['logits.jsonl']} | full logits (16-token vocabulary), per-token values, top-5, score |
| choice-topk.jsonl | ${counts['choice-topk.jsonl']} | per-token values, top-8, score |
| choice-pertoken.csv | ${counts['choice-pertoken.csv']} | per-token values and score (arrays JSON-encoded in cells; prompts span lines) |
| cat.jsonl | ${counts['cat.jsonl']} | the greedy-pick example: per-token values, top-5, score |

(\`formats/\` holds samples in native tool formats; this script does not write it.)

Every group has one \`selected\` and one \`gold\` candidate. Unless a planted case says
otherwise, the pipeline picked the candidate with the highest recorded score. ${cleanCount} records
have no record-level bug: apart from the planted group-level picks below, an audit should report
nothing for them.

## Planted cases

| file | id | planted bug | rule that should name it |
|---|---|---|---|
${tableRows(planted)
  .map((p) => `| ${p.file} | ${p.ids.join(', ')} | ${WHAT[p.bug]} | ${RULE[p.bug]} |`)
  .join('\n')}

Notes:

- The cat example: prompt "The cat sat on the"; A " warm mat" (-0.9, -1.5) = -2.4 was selected
  because its first token beats B's (-0.9 > -1.2), but B " plush rug" (-1.2, -1.1) = -2.3 has the
  higher total and is gold. C " soft bed" (-3.3, -1.6) = -4.9 makes the pick unambiguous: A is
  neither the lowest total nor the best mean, so only a greedy first-token pick explains it.
- A planted greedy or inverted pick is never also the pick of another policy (best first token,
  lowest total, best mean per-token log-prob).
- In a \`no_shift\` record of \`logits.jsonl\` the \`logits\` field has n+1 rows: the buggy scorer
  read the row after the last token, which the model's forward pass also produced.
- An underflow record's per-token values are correct; only its score (log of a float32 product
  of probabilities that reached 0) is -Infinity.
- Group-level cases (greedy, inverted) are made of clean records; the planted bug is the pick.
`;
writeFileSync(join(OUT, 'README.md'), readme);

process.stdout.write(
  `wrote ${OUT}: ${Object.entries(counts)
    .map(([f, n]) => `${f} (${n})`)
    .join(', ')}; ${planted.length} planted cases\n`,
);
