/**
 * Synthetic generalisation corpus: made "the same way" as the dev corpus (shared/dev-corpus) but
 * from a different, seeded synthetic model. Vocabulary 4096, peaked logits (Zipf-like base +
 * Gumbel noise, sharpened per step so the top-1 probability ranges ~0.05..0.999), float32
 * pipeline numerics (Math.fround; a float32 log-softmax emulated op by op), groups of 4
 * candidates with one gold and one selected, one scorer bug per group, and labels in the dev
 * corpus's format with an honestly computed `required` flag.
 *
 *   node dist/scripts/synth-corpus.js --seed 1 --out /tmp/synth [--scale 1]
 *
 * Writes OUT/runs/{choice-logits.jsonl, choice-topk.jsonl, choice-pertoken.csv,
 * choice-score.jsonl, long.jsonl} and OUT/labels.jsonl. Labels carry two extra fields the scorer
 * ignores: `variant` (which form of the bug) and `margin` (the largest discrepancy the record's
 * evidence shows, divided by the tool's honest-float32 tolerance; required needs margin >= 2).
 */
import { argmaxOf, f16, f16Sum, f32, f32PairwiseSum, f32Product, f32SequentialSum, f64Sum, logSoftmaxF32, logSumExp, sampleWeighted } from './lib/pipeline-math.js';
import { gaussian, mulberry32 } from './lib/prng.js';
import { csvCell, pyDumps, type DumpsOptions } from './lib/pyjson.js';
import { mkdirSync, writeFileSync, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { K_STEP, LOGPROB_CEILING, TIERS, UNIT_ROUNDOFF, accumulationTolerance, rowStats, stepScale, type StepStats } from '../src/reference/precision.js';

const V = 4096;
const TOPK = 20;

const prng = mulberry32;
const lse64 = logSumExp;

// ------------------------------------------------------------------------------------------------
// The synthetic model
// ------------------------------------------------------------------------------------------------

const SYL = ['ka', 'lo', 'mi', 're', 'tu', 'sa', 'ne', 'po', 'di', 'fu', 'ga', 'he', 'ji', 'vo', 'zy', 'qu'];
function tokenText(id: number): string {
  const lead = id % 3 === 0 ? ' ' : id % 7 === 1 ? '' : id % 11 === 2 ? '.' : '';
  let s = '';
  let x = id;
  do {
    s += SYL[x & 15];
    x >>= 4;
  } while (x > 0);
  return lead + s;
}

interface Step {
  /** float32 logits, V entries. */
  z: Float32Array;
  /** float64 log-softmax of z (the model's true distribution). */
  lp: Float64Array;
  /** what a float32 torch pipeline writes for log_softmax(z). */
  lp32: Float64Array;
  top: { token: string; logprob: number; id: number }[];
  argmax: number;
}

class Model {
  rand: () => number;
  /** A shared unigram-ish ranking, perturbed per step. */
  base: Float64Array;
  constructor(seed: number) {
    this.rand = prng(seed * 7919 + 17);
    this.base = new Float64Array(V);
  }
  gumbel(): number {
    const u = Math.min(Math.max(this.rand(), 1e-12), 1 - 1e-12);
    return -Math.log(-Math.log(u));
  }
  normal(): number {
    return gaussian(this.rand);
  }
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  /** One step's logits: Zipf base over a random ranking + Gumbel noise, sharpened to a target top-1 probability. */
  step(): Step {
    const r = this.rand;
    const alpha = 0.7 + 1.3 * r();
    const sigma = 0.3 + 1.2 * r();
    // random ranking: Fisher-Yates on ids
    const perm = new Int32Array(V);
    for (let j = 0; j < V; j++) perm[j] = j;
    for (let j = V - 1; j > 0; j--) {
      const k = Math.floor(r() * (j + 1));
      const t = perm[j];
      perm[j] = perm[k];
      perm[k] = t;
    }
    const x = new Float64Array(V);
    for (let rank = 0; rank < V; rank++) x[perm[rank]] = -alpha * Math.log(1 + rank) + sigma * this.gumbel();
    // spread: the whole row spans ~18..34 nats, as a small real LM's rows do
    let mx = -Infinity;
    let mn = Infinity;
    for (let j = 0; j < V; j++) {
      if (x[j] > mx) mx = x[j];
      if (x[j] < mn) mn = x[j];
    }
    const beta = (18 + 16 * r()) / (mx - mn);
    for (let j = 0; j < V; j++) x[j] *= beta;
    // target top-1 probability: a mix of confident and uncertain steps, reached by moving the
    // favourite's logit (never below the runner-up)
    const u = r();
    const pStar = u < 0.45 ? 0.9 + 0.099 * r() : u < 0.8 ? 0.3 + 0.6 * r() : 0.05 + 0.25 * r();
    const m = argmaxOf(x);
    let second = -Infinity;
    let rest = 0;
    for (let j = 0; j < V; j++) {
      if (j === m) continue;
      if (x[j] > second) second = x[j];
    }
    for (let j = 0; j < V; j++) if (j !== m) rest += Math.exp(x[j] - second);
    const logRest = second + Math.log(rest);
    const want = Math.log(pStar / (1 - pStar)) + logRest;
    x[m] = Math.max(want, second + 0.01 * r());
    // offset: real logits sit away from 0 (top logit ~ N(12, 6))
    const topLogit = 12 + 6 * this.normal();
    const z = new Float32Array(V);
    const off = topLogit - x[m];
    for (let j = 0; j < V; j++) z[j] = x[j] + off;
    return finishStep(z);
  }
}

function finishStep(z: Float32Array): Step {
  const L = lse64(z);
  const lp = new Float64Array(V);
  for (let j = 0; j < V; j++) lp[j] = z[j] - L;
  const lp32 = logSoftmaxF32(z);
  // top-20 without a full sort
  const idx: number[] = [];
  for (let j = 0; j < V; j++) {
    if (idx.length < TOPK) {
      idx.push(j);
      idx.sort((a, b) => lp[b] - lp[a]);
    } else if (lp[j] > lp[idx[TOPK - 1]]) {
      idx[TOPK - 1] = j;
      idx.sort((a, b) => lp[b] - lp[a]);
    }
  }
  const top = idx.map((id) => ({ token: tokenText(id), logprob: f32(lp[id]), id }));
  return { z, lp, lp32, top, argmax: idx[0] };
}

/** Pick a target token: a candidate continuation is not always what the model would say. */
function pickTarget(m: Model, s: Step, mode: number, avoid: Set<number> = new Set()): number {
  for (let tries = 0; tries < 50; tries++) {
    let y: number;
    if (mode < 0.3) y = s.argmax;
    else if (mode < 0.7) y = sampleFrom(m, s.lp, 1);
    else if (mode < 0.9) y = sampleFrom(m, s.lp, 0.35);
    else y = m.int(V);
    if (!avoid.has(y)) return y;
    mode = m.rand();
  }
  let y = m.int(V);
  while (avoid.has(y)) y = m.int(V);
  return y;
}
function sampleFrom(m: Model, lp: Float64Array, scale: number): number {
  return sampleWeighted(lp.map((x) => Math.exp(x * scale)), m.rand);
}

// ------------------------------------------------------------------------------------------------
// Candidates and scorers
// ------------------------------------------------------------------------------------------------

interface Cand {
  n: number;
  ids: number[];
  /** n + 1 steps: step i predicts token i, step n the token after the continuation. */
  steps: Step[];
  ctx: Step;
  ctxId: number;
}

type Bug =
  | 'clean'
  | 'softmax_skipped'
  | 'prob_product'
  | 'underflow'
  | 'prob_sum'
  | 'no_shift'
  | 'includes_context_token'
  | 'drops_last_token'
  | 'argmax_gathered'
  | 'token_id_off_by_one'
  | 'temperature_0_7'
  | 'softmax_twice'
  | 'mean_as_sum'
  | 'fp16';
type Level = 'logits' | 'topk' | 'pertoken' | 'score';

interface Scored {
  values: number[];
  score: number;
  rows: number;
  variant: string;
}

function cleanSum(m: Model, v: number[]): number {
  const u = m.rand();
  return u < 0.6 ? f32PairwiseSum(v) : u < 0.8 ? f32SequentialSum(v) : f64Sum(v);
}

function score(m: Model, c: Cand, bug: Bug, groupVariant: number): Scored {
  const n = c.n;
  const clean = c.ids.map((y, i) => c.steps[i].lp32[y]);
  const gather = (f: (i: number) => number, variant = ''): Scored => {
    const values = c.ids.map((_, i) => f32(f(i)));
    return { values, score: f32PairwiseSum(values), rows: n, variant };
  };
  switch (bug) {
    case 'clean':
      return { values: clean, score: cleanSum(m, clean), rows: n, variant: '' };
    case 'softmax_skipped':
      return gather((i) => c.steps[i].z[c.ids[i]]);
    case 'prob_product': {
      const probs = clean.map((v) => f32(Math.exp(v)));
      if (groupVariant < 0.5) return { values: clean, score: f32Product(probs), rows: n, variant: 'logprob-values' };
      return { values: probs, score: f32Product(probs), rows: n, variant: 'prob-values' };
    }
    case 'underflow': {
      const probs = clean.map((v) => f32(Math.exp(v)));
      return { values: clean, score: f32(Math.log(f32Product(probs))), rows: n, variant: '' };
    }
    case 'prob_sum': {
      const probs = clean.map((v) => f32(Math.exp(v)));
      if (groupVariant < 0.5) return { values: clean, score: f32PairwiseSum(probs), rows: n, variant: 'logprob-values' };
      return { values: probs, score: f32PairwiseSum(probs), rows: n, variant: 'prob-values' };
    }
    case 'no_shift': {
      const r = gather((i) => c.steps[i + 1].lp32[c.ids[i]]);
      return { ...r, rows: n + 1 };
    }
    case 'includes_context_token': {
      const values = [c.ctx.lp32[c.ctxId], ...clean];
      return { values, score: f32PairwiseSum(values), rows: n, variant: '' };
    }
    case 'drops_last_token': {
      if (n >= 2 && m.rand() < 0.5) {
        const values = clean.slice(0, -1);
        return { values, score: f32PairwiseSum(values), rows: n, variant: 'values-dropped' };
      }
      return { values: clean, score: f32PairwiseSum(clean.slice(0, -1)), rows: n, variant: 'score-dropped' };
    }
    case 'argmax_gathered':
      return gather((i) => c.steps[i].lp32[c.steps[i].argmax]);
    case 'token_id_off_by_one':
      return gather((i) => c.steps[i].lp32[c.ids[i] + 1]);
    case 'temperature_0_7':
      return gather((i) => {
        const zs = Float32Array.from(c.steps[i].z, (x) => x / 0.7);
        return logSoftmaxF32(zs)[c.ids[i]];
      });
    case 'softmax_twice':
      return gather((i) => {
        const p = Float32Array.from(c.steps[i].lp32, (x) => Math.exp(x));
        return logSoftmaxF32(p)[c.ids[i]];
      });
    case 'mean_as_sum':
      return { values: clean, score: f32(f32PairwiseSum(clean) / n), rows: n, variant: '' };
    case 'fp16': {
      const values = c.ids.map((y, i) => {
        const z16 = Float64Array.from(c.steps[i].z, f16);
        return f16(z16[y] - lse64(z16));
      });
      return { values, score: f16Sum(values), rows: n, variant: '' };
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Honest detectability
// ------------------------------------------------------------------------------------------------

/** The tool's own float32 tolerances (src/reference/precision.ts): a log-prob `lp` of a step's distribution, a sum of values. */
const rowOf = new WeakMap<Step, StepStats>();
function tokTol(step: Step, lp: number): number {
  let st = rowOf.get(step);
  if (!st) rowOf.set(step, (st = rowStats(step.z)));
  return K_STEP * stepScale(TIERS.fp32, st, lp, lp + st.lse);
}
const sumTol = (absSum: number, n: number) => accumulationTolerance(UNIT_ROUNDOFF.float32, absSum, n, absSum);
const REQUIRED_MARGIN = 2;

/** Largest discrepancy / tolerance of per-token values against the evidence at `level`. */
function valueMargin(c: Cand, s: Scored, level: Level): number {
  if (s.values.length !== c.n) return Infinity;
  let worst = 0;
  for (let i = 0; i < c.n; i++) {
    const v = s.values[i];
    const step = c.steps[i];
    const y = c.ids[i];
    if (!Number.isFinite(v)) return Infinity;
    if (v > 0) worst = Math.max(worst, v / LOGPROB_CEILING);
    if (level === 'logits') {
      worst = Math.max(worst, Math.abs(v - step.lp[y]) / tokTol(step, step.lp[y]));
    } else if (level === 'topk') {
      const e = step.top.find((t) => t.id === y);
      if (e) worst = Math.max(worst, Math.abs(v - e.logprob) / tokTol(step, e.logprob));
      else {
        let mass = 0;
        for (const t of step.top) mass += Math.exp(t.logprob);
        const bound = Math.min(step.top[TOPK - 1].logprob, Math.log(Math.max(1 - mass, 1e-300)));
        if (v > bound) worst = Math.max(worst, (v - bound) / tokTol(step, bound));
      }
    }
  }
  return worst;
}

/** Score against Σ recorded values (what the record itself shows). */
function scoreVsValues(s: Scored): number {
  const vals = s.values;
  let sum = 0;
  let abs = 0;
  for (const v of vals) {
    sum += v;
    abs += Math.abs(v);
  }
  if (!Number.isFinite(s.score)) return Infinity;
  return Math.abs(s.score - sum) / sumTol(abs, vals.length);
}

/** A positive score beyond what rounding of a near-zero log-prob could give. */
function positiveScoreMargin(s: Scored, n: number): number {
  if (!(s.score > 0)) return 0;
  return s.score / (LOGPROB_CEILING * (n + 1));
}

const ACCEPT: Record<Bug, Partial<Record<Level, string[]>>> = {
  clean: { logits: [], topk: [], pertoken: [], score: [] },
  argmax_gathered: {
    logits: ['high-confidence-wrong-token'],
    topk: ['high-confidence-wrong-token'],
    pertoken: ['high-confidence-wrong-token', 'score-mismatch'],
    score: ['high-confidence-wrong-token', 'score-mismatch'],
  },
  drops_last_token: {
    logits: ['length-mismatch'],
    topk: ['length-mismatch'],
    pertoken: ['length-mismatch'],
    score: ['length-mismatch', 'score-mismatch'],
  },
  fp16: { logits: ['low-precision'], topk: ['low-precision'], pertoken: ['low-precision'], score: ['low-precision'] },
  includes_context_token: {
    logits: ['length-mismatch'],
    topk: ['length-mismatch'],
    pertoken: ['length-mismatch'],
    score: ['length-mismatch', 'score-mismatch'],
  },
  mean_as_sum: {
    logits: ['normalization-mismatch'],
    topk: ['normalization-mismatch'],
    pertoken: ['normalization-mismatch'],
    score: ['normalization-mismatch'],
  },
  no_shift: {
    logits: ['length-mismatch', 'score-mismatch'],
    topk: ['length-mismatch', 'score-mismatch'],
    pertoken: ['length-mismatch', 'score-mismatch'],
    score: ['length-mismatch', 'score-mismatch'],
  },
  prob_product: { logits: ['probability-product'], topk: ['probability-product'], pertoken: ['probability-product'], score: ['probability-product'] },
  underflow: { topk: ['probability-product'], pertoken: ['probability-product'], logits: ['probability-product'], score: ['probability-product'] },
  prob_sum: { logits: ['probability-sum'], topk: ['probability-sum'], pertoken: ['probability-sum'], score: ['probability-sum'] },
  softmax_skipped: { logits: ['softmax-skipped'], topk: ['softmax-skipped'], pertoken: ['softmax-skipped'], score: ['softmax-skipped'] },
  softmax_twice: {
    logits: ['softmax-twice'],
    topk: ['softmax-twice', 'score-mismatch'],
    pertoken: ['softmax-twice', 'score-mismatch'],
    score: ['softmax-twice', 'score-mismatch'],
  },
  temperature_0_7: {
    logits: ['temperature-scaled', 'score-mismatch'],
    topk: ['temperature-scaled', 'score-mismatch'],
    pertoken: ['temperature-scaled', 'score-mismatch'],
    score: ['temperature-scaled', 'score-mismatch'],
  },
  token_id_off_by_one: {
    logits: ['wrong-token-index', 'score-mismatch'],
    topk: ['wrong-token-index', 'score-mismatch'],
    pertoken: ['wrong-token-index', 'score-mismatch'],
    score: ['wrong-token-index', 'score-mismatch'],
  },
};

/**
 * `margin`: how far the record's own evidence is from what an honest float32 scorer writes, in
 * units of the tool's tolerance; `required` mirrors the dev labels' per-bug/level pattern
 * (bugs whose wrong numbers are plausible at a level are never required there) and adds the
 * honest condition margin >= REQUIRED_MARGIN.
 */
function detect(c: Cand, s: Scored, bug: Bug, level: Level): { required: boolean; margin: number; accept: string[] } {
  let accept = [...(ACCEPT[bug][level] ?? [])];
  const n = c.n;
  let margin = 0;
  let eligible = true;
  const distLevel = level === 'logits' || level === 'topk';
  switch (bug) {
    case 'clean':
      eligible = false;
      margin = Math.max(level === 'score' ? 0 : valueMargin(c, s, level), level === 'score' ? 0 : scoreVsValues(s));
      break;
    case 'softmax_skipped':
      if (level === 'logits') margin = valueMargin(c, s, level);
      else if (level === 'score') margin = positiveScoreMargin(s, n);
      else {
        // without logits, a raw logit is only recognisable by being impossible as a log-prob
        margin = Math.max(positiveScoreMargin(s, n), ...s.values.map((v) => (v > 0 ? v / LOGPROB_CEILING : 0)));
      }
      break;
    case 'prob_product':
    case 'prob_sum':
    case 'underflow':
      if (level === 'score') margin = positiveScoreMargin(s, n);
      else {
        const ref = c.ids.reduce((a, y, i) => a + c.steps[i].lp[y], 0);
        const abs = c.ids.reduce((a, y, i) => a + Math.abs(c.steps[i].lp[y]), 0);
        const dScore = Number.isFinite(s.score) ? Math.abs(s.score - ref) / sumTol(abs, n) : Infinity;
        // values as probabilities are themselves impossible log-probs
        const posVals = Math.max(0, ...s.values.map((v) => (v > 0 ? v / LOGPROB_CEILING : 0)));
        margin = Math.max(dScore, posVals);
      }
      if (n === 1 && bug !== 'underflow') accept = ['probability-sum', 'probability-product'];
      break;
    case 'no_shift':
    case 'token_id_off_by_one':
    case 'temperature_0_7':
    case 'softmax_twice':
    case 'argmax_gathered':
      if (distLevel) margin = valueMargin(c, s, level);
      else eligible = false;
      break;
    case 'includes_context_token':
      if (level === 'score') eligible = false;
      else margin = s.values.length !== n ? Infinity : 0;
      break;
    case 'drops_last_token':
      if (level === 'score') eligible = false;
      else margin = s.values.length !== n ? Infinity : scoreVsValues(s);
      break;
    case 'mean_as_sum':
      if (level === 'score') eligible = false;
      else margin = scoreVsValues(s);
      break;
    case 'fp16': {
      // never required (dev pattern: half precision is not a logic bug); margin reported for analysis
      eligible = false;
      const ref = c.ids.reduce((a, y, i) => a + c.steps[i].lp[y], 0);
      const abs = c.ids.reduce((a, y, i) => a + Math.abs(c.steps[i].lp[y]), 0);
      margin = Math.max(distLevel ? valueMargin(c, s, level) : 0, Math.abs(s.score - ref) / sumTol(abs, n));
      break;
    }
  }
  return { required: eligible && margin >= REQUIRED_MARGIN, margin, accept };
}

// ------------------------------------------------------------------------------------------------
// Writers
// ------------------------------------------------------------------------------------------------

/** Written as the dev corpus is: Python's json.dumps (and str() in CSV cells), token ids as ints. */
const PY: DumpsOptions = { intKeys: new Set(['id', 'token_ids']) };
const pyJson = (x: unknown) => pyDumps(x, PY);

// ------------------------------------------------------------------------------------------------
// Corpus
// ------------------------------------------------------------------------------------------------

const CHOICE_BUGS: Bug[] = [
  'softmax_skipped',
  'prob_product',
  'prob_sum',
  'no_shift',
  'includes_context_token',
  'drops_last_token',
  'argmax_gathered',
  'token_id_off_by_one',
  'temperature_0_7',
  'softmax_twice',
  'mean_as_sum',
  'fp16',
];
const LONG_BUGS: Bug[] = ['drops_last_token', 'fp16', 'prob_product', 'softmax_skipped', 'underflow', 'underflow'];

interface Args {
  seed: number;
  out: string;
  scale: number;
}
function parseArgs(argv: string[]): Args {
  const a: Args = { seed: 1, out: '/tmp/synth', scale: 1 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seed') a.seed = Number(argv[++i]);
    else if (argv[i] === '--out') a.out = argv[++i];
    else if (argv[i] === '--scale') a.scale = Number(argv[++i]);
  }
  return a;
}

function makeCand(m: Model, ctx: Step, ctxId: number, first: Step, n: number, avoidFirst: Set<number>, noLastId: boolean): Cand {
  const steps: Step[] = [first];
  for (let i = 1; i <= n; i++) steps.push(m.step());
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const avoid = new Set<number>(i === 0 ? avoidFirst : []);
    if (noLastId) avoid.add(V - 1);
    ids.push(pickTarget(m, steps[i], m.rand(), avoid));
  }
  return { n, ids, steps, ctx, ctxId };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const m = new Model(args.seed);
  const runs = join(args.out, 'runs');
  mkdirSync(runs, { recursive: true });
  const labels: string[] = [];
  const files: Record<string, WriteStream> = {};
  const open = (name: string) => (files[name] ??= createWriteStream(join(runs, name)));
  const csvCols = ['id', 'group', 'prompt', 'completion', 'tokens', 'token_ids', 'logprobs', 'score', 'score_kind', 'selected', 'gold'];
  open('choice-pertoken.csv').write(csvCols.join(',') + '\n');

  const plan: { file: string; level: Level; groups: number }[] = [
    { file: 'choice-logits.jsonl', level: 'logits', groups: Math.round(16 * args.scale) },
    { file: 'choice-topk.jsonl', level: 'topk', groups: Math.round(320 * args.scale) },
    { file: 'choice-pertoken.csv', level: 'pertoken', groups: Math.round(170 * args.scale) },
    { file: 'choice-score.jsonl', level: 'score', groups: Math.round(170 * args.scale) },
  ];
  let counter = 0;
  let records = 0;
  for (const { file, level, groups } of plan) {
    for (let g = 0; g < groups; g++) {
      const gid = `s${args.seed}g${counter++}`;
      // one bug per group; about 45% clean
      const bug: Bug = m.rand() < 0.45 ? 'clean' : CHOICE_BUGS[m.int(CHOICE_BUGS.length)];
      const groupVariant = m.rand();
      const ctx = m.step();
      const ctxId = pickTarget(m, ctx, m.rand());
      const first = m.step();
      const usedFirst = new Set<number>();
      const cands: Cand[] = [];
      for (let k = 0; k < 4; k++) {
        const n = 1 + m.int(12);
        const c = makeCand(m, ctx, ctxId, first, n, usedFirst, bug === 'token_id_off_by_one');
        usedFirst.add(c.ids[0]);
        cands.push(c);
      }
      const scored = cands.map((c) => score(m, c, bug, groupVariant));
      const gold = m.int(4);
      // the pipeline picks by its recorded scores; some clean groups by another policy
      const key = (x: number) => (Number.isNaN(x) ? -Infinity : x);
      const bestRecorded = [0, 1, 2, 3].reduce((b, k) => (key(scored[k].score) > key(scored[b].score) ? k : b), 0);
      let selected = bestRecorded;
      let policy = 'none';
      if (bug === 'clean' && m.rand() < 0.2) {
        const u = m.rand();
        const want = u < 0.35 ? 'inverted' : u < 0.7 ? 'greedy' : 'mean';
        let pick: number;
        if (want === 'inverted') pick = [0, 1, 2, 3].reduce((b, k) => (scored[k].score < scored[b].score ? k : b), 0);
        else if (want === 'greedy') pick = [0, 1, 2, 3].reduce((b, k) => (scored[k].values[0] > scored[b].values[0] ? k : b), 0);
        else pick = [0, 1, 2, 3].reduce((b, k) => (scored[k].score / cands[k].n > scored[b].score / cands[b].n ? k : b), 0);
        // the reference's best total (float64), as the labels judge the pick
        const refTot = cands.map((c) => c.ids.reduce((a, y, i) => a + c.steps[i].lp[y], 0));
        const refBest = [0, 1, 2, 3].reduce((b, k) => (refTot[k] > refTot[b] ? k : b), 0);
        const gap = Math.abs(refTot[pick] - refTot[refBest]);
        if (pick !== refBest && gap > 1e-3) {
          selected = pick;
          policy = want;
        }
      }
      labels.push(
        pyJson({
          group: gid,
          policy,
          accept:
            policy === 'greedy'
              ? ['greedy-choice', 'selection-mismatch']
              : policy === 'inverted'
                ? ['ranking-inverted', 'selection-mismatch']
                : policy === 'mean'
                  ? ['normalization-mismatch', 'selection-mismatch']
                  : [],
          required: policy !== 'none',
          level,
          record_bug: bug,
          file,
          kind: 'group',
        }),
      );
      for (let k = 0; k < 4; k++) {
        const c = cands[k];
        const s = scored[k];
        const id = `${gid}-c${k}`;
        const tokens = c.ids.map(tokenText);
        const rec: Record<string, unknown> = {
          id,
          group: gid,
          prompt: `Q${gid}:${tokenText(c.ctxId)}`,
          completion: tokens.join(''),
          tokens,
          token_ids: c.ids,
        };
        if (level !== 'score') rec.logprobs = s.values;
        if (level === 'logits' || level === 'topk') rec.top_logprobs = c.steps.slice(0, c.n).map((st) => st.top);
        // a half-precision model's logits are half values (what `logits.float()` writes)
        if (level === 'logits') rec.logits = c.steps.slice(0, s.rows).map((st) => (bug === 'fp16' ? Array.from(st.z, f16) : Array.from(st.z)));
        rec.score = s.score;
        rec.score_kind = 'logprob';
        rec.gold = k === gold;
        rec.selected = k === selected;
        if (file.endsWith('.csv')) open(file).write(csvCols.map((col) => csvCell(rec[col], col, PY)).join(',') + '\n');
        else open(file).write(pyJson(rec) + '\n');
        records++;
        const d = detect(c, s, bug, level);
        labels.push(
          pyJson({ id, group: gid, bug, level, accept: d.accept, required: d.required, file, variant: s.variant, margin: Number(d.margin.toPrecision(4)) }),
        );
      }
    }
  }
  // long continuations, no groups
  const nLong = Math.round(150 * args.scale);
  for (let r = 0; r < nLong; r++) {
    const id = `s${args.seed}long-${r}`;
    const bug: Bug = m.rand() < 0.4 ? 'clean' : LONG_BUGS[m.int(LONG_BUGS.length)];
    const level: Level = m.rand() < 0.55 ? 'topk' : 'pertoken';
    const n = 30 + m.int(121);
    const ctx = m.step();
    const ctxId = pickTarget(m, ctx, m.rand());
    // text continuations: mostly what the model itself would write
    const steps: Step[] = [];
    const ids: number[] = [];
    for (let i = 0; i <= n; i++) steps.push(m.step());
    for (let i = 0; i < n; i++) {
      const u = m.rand();
      ids.push(pickTarget(m, steps[i], u < 0.85 ? u * (0.7 / 0.85) : m.rand()));
    }
    const c: Cand = { n, ids, steps, ctx, ctxId };
    const s = score(m, c, bug, m.rand());
    const tokens = ids.map(tokenText);
    const rec: Record<string, unknown> = { id, prompt: `L${r}:`, completion: tokens.join(''), tokens, token_ids: ids, logprobs: s.values };
    if (level === 'topk') rec.top_logprobs = steps.slice(0, n).map((st) => st.top);
    rec.score = s.score;
    rec.score_kind = 'logprob';
    open('long.jsonl').write(pyJson(rec) + '\n');
    records++;
    const d = detect(c, s, bug, level);
    labels.push(pyJson({ id, group: null, bug, level, accept: d.accept, required: d.required, file: 'long.jsonl', variant: s.variant, margin: Number(d.margin.toPrecision(4)) }));
  }
  for (const w of Object.values(files)) w.end();
  writeFileSync(join(args.out, 'labels.jsonl'), labels.join('\n') + '\n');
  process.stdout.write(`synth-corpus: seed ${args.seed}, ${records} records, ${counter} groups -> ${args.out}\n`);
}

main();
