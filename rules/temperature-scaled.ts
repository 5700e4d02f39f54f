import { createRule } from '../src/engine/rule.js';
import { logSumExp } from '../src/reference/math.js';
import { SEPARATION } from '../src/reference/precision.js';
import type { RecordContext } from '../src/engine/record-context.js';
import type { TopLogprob } from '../src/types.js';

/**
 * Temperatures tried at top-k level. Above 1 the unlisted tail can absorb any amount of mass, so
 * the top-k bounds no longer pin anything down and every wrong value would "fit"; T = 1 itself is
 * the pure-truncation (top-k / top-p) case.
 */
const T_MIN = 0.05;
const T_MAX = 1;
const T_STEPS = 380;
/** Logits are exact, so any temperature can be solved for. */
const T_MAX_LOGITS = 5;
/** Coarse grid the logits-level root search brackets on, then bisects. */
const LOGITS_GRID = 120;
const BISECTIONS = 60;
/** Gauss-Newton refinements of 1/T over all steps once a root of the pivot step is bracketed. */
const REFINEMENTS = 4;

/** log_softmax(z·s)[y] and d/ds of it (z_y − E_{softmax(z·s)}[z]), in one pass over the row. */
function scaledAt(row: ArrayLike<number>, y: number, s: number): { value: number; slope: number } {
  let m = -Infinity;
  for (let j = 0; j < row.length; j++) if (row[j] * s > m) m = row[j] * s;
  let sum = 0;
  let zsum = 0;
  for (let j = 0; j < row.length; j++) {
    const e = Math.exp(row[j] * s - m);
    sum += e;
    zsum += e * row[j];
  }
  return { value: row[y] * s - m - Math.log(sum), slope: row[y] - zsum / sum };
}

/**
 * Logits level: is there one T with values[i] = log_softmax(z_i / T)[y_i] at every step, clearly
 * away from 1? The pivot (the step a temperature moves most against its tolerance) gives the
 * candidate roots; each is refined over all steps, then every step must fit and two steps must
 * each tell it from T = 1 (one step always solves for some T). Returns T, or null.
 */
function fitLogits(ctx: RecordContext): number | null {
  const { values, record } = ctx;
  const ids = record.token_ids!;
  const logits = record.logits!;
  const n = ctx.n;
  if (n < 2) return null;
  // The buggy values carry the same noise, amplified by 1/T.
  const tol = (i: number, s: number) => Math.max(1, s) * ctx.stepTol(i);
  let pivot = 0;
  let best = -1;
  for (let i = 0; i < n; i++) {
    const w = Math.abs(scaledAt(logits[i], ids[i], 1).slope) / ctx.stepTol(i);
    if (w > best) {
      best = w;
      pivot = i;
    }
  }
  const residual = (s: number, i: number) => values![i] - scaledAt(logits[i], ids[i], s).value;
  const candidates: number[] = [];
  let prevS = 1 / T_MIN;
  let prev = residual(prevS, pivot);
  for (let k = 1; k <= LOGITS_GRID; k++) {
    const s = 1 / (T_MIN * Math.pow(T_MAX_LOGITS / T_MIN, k / LOGITS_GRID));
    const r = residual(s, pivot);
    if (prev === 0 || Math.sign(r) !== Math.sign(prev)) {
      let lo = prevS;
      let hi = s;
      let rlo = prev;
      for (let it = 0; it < BISECTIONS; it++) {
        const mid = (lo + hi) / 2;
        const rm = residual(mid, pivot);
        if (Math.sign(rm) === Math.sign(rlo)) {
          lo = mid;
          rlo = rm;
        } else hi = mid;
      }
      candidates.push((lo + hi) / 2);
    }
    prevS = s;
    prev = r;
  }
  for (let s of candidates) {
    // Least squares over every step, weighted by their tolerances.
    for (let it = 0; it < REFINEMENTS; it++) {
      let num = 0;
      let den = 0;
      for (let i = 0; i < n; i++) {
        const { value, slope } = scaledAt(logits[i], ids[i], s);
        const w = 1 / tol(i, s) ** 2;
        num += w * slope * (values![i] - value);
        den += w * slope * slope;
      }
      if (!(den > 0)) break;
      s += num / den;
    }
    if (!(s > 1 / T_MAX_LOGITS && s < 1 / T_MIN)) continue;
    let ok = true;
    let witnesses = 0;
    for (let i = 0; i < n && ok; i++) {
      const h = scaledAt(logits[i], ids[i], s).value;
      ok = Math.abs(values![i] - h) <= tol(i, s);
      if (Math.abs(h - ctx.ref.exact[i]) > SEPARATION * ctx.stepTol(i)) witnesses++;
    }
    if (ok && witnesses >= 2) return 1 / s;
  }
  return null;
}

interface StepBounds {
  /** The model's log-probs listed at this step, descending. */
  listed: number[];
  /** Mass of the list and the unlisted remainder. */
  leftover: number;
  /** Target's model log-prob, or NaN when unlisted. */
  target: number;
  value: number;
  /** The honest tolerance of the value at T = 1 (the buggy value's noise grows as 1/T). */
  tol: number;
}

/**
 * Top-k level: for temperature T, the processed log-prob of the target is l_y/T − C with
 * C = log Σ_v exp(l_v/T) over the tokens the sampler kept. C is at least the log-sum over the
 * listed tokens likelier than the target (always kept) and at most the log-sum over the whole
 * vocabulary, whose unlisted part is at most leftover · exp(l_k (1/T − 1)) for T < 1.
 */
function feasible(steps: StepBounds[], T: number, truncated: boolean): boolean {
  const inv = 1 / T;
  for (const s of steps) {
    const tol = s.tol * Math.max(1, inv);
    const k = s.listed.length;
    const lk = s.listed[k - 1];
    if (Number.isNaN(s.target)) {
      const cLow = logSumExp(s.listed, inv);
      if (s.value > lk * inv - cLow + tol) return false;
      continue;
    }
    let kept = 0;
    let all = 0;
    for (const l of s.listed) {
      const e = Math.exp(l * inv);
      all += e;
      if (l >= s.target) kept += e;
    }
    const tail = T <= 1 ? s.leftover * Math.exp(lk * (inv - 1)) : Infinity;
    // Without truncation every listed token is kept, and C is at least their log-sum.
    const hi = s.target * inv - Math.log(truncated ? kept : all);
    const lo = s.target * inv - Math.log(all + tail);
    if (s.value > hi + tol || s.value < lo - tol) return false;
  }
  return true;
}

/**
 * The temperatures on the grid that fit every step, as [lowest, highest] ([∞, −∞] when none).
 * Only the two ends matter, so the grid is searched from each end inward and stops at the first
 * fit: a record that fits one temperature is not tried at the ~380 others between its ends.
 */
function temperatureRange(steps: StepBounds[], truncated: boolean): [number, number] {
  const at = (k: number) => Math.min(T_MAX, T_MIN + ((T_MAX - T_MIN) * k) / T_STEPS);
  let low = 0;
  while (low <= T_STEPS && !feasible(steps, at(low), truncated)) low++;
  if (low > T_STEPS) return [Infinity, -Infinity];
  let high = T_STEPS;
  while (high > low && !feasible(steps, at(high), truncated)) high--;
  return [at(low), at(high)];
}

function stepBounds(ctx: RecordContext): StepBounds[] | null {
  const top = ctx.record.top_logprobs!;
  const out: StepBounds[] = [];
  for (let i = 0; i < ctx.n; i++) {
    const list: TopLogprob[] | null = top[i] ?? null;
    if (!list || list.length === 0) continue;
    const listed = list.map((e) => e.logprob).sort((a, b) => b - a);
    out.push({ listed, leftover: Math.max(0, 1 - ctx.ref.topMass![i]), target: ctx.ref.exact[i], value: ctx.values![i], tol: ctx.stepTol(i) });
  }
  // Steps with a known target constrain T far more: test them first so most T fail fast.
  out.sort((a, b) => Number(Number.isNaN(a.target)) - Number(Number.isNaN(b.target)));
  return out.length > 0 ? out : null;
}

/**
 * Truncation at T = 1 must land on an actual renormalisation level: at every listed target the
 * value is its log-prob minus log K, K the mass the sampler kept, which for top-k is the mass of
 * the k likeliest tokens (one k for every step) and for top-p the smallest such prefix reaching p
 * (one p for every step); a k or p beyond the list keeps an unknown mass between the list's and 1.
 */
function truncationLevels(steps: StepBounds[]): boolean {
  const known = steps.filter((s) => !Number.isNaN(s.target));
  if (known.length === 0) return false;
  // Per step: the prefix lengths k (1-based; len + 1 = beyond the list) whose renormalisation fits.
  const fits: boolean[][] = [];
  const prefixes: number[][] = [];
  let len = Infinity;
  for (const s of known) {
    const shift = s.value - s.target;
    const P: number[] = [];
    let m = 0;
    for (const l of s.listed) P.push((m += Math.exp(l)));
    const rank = s.listed.indexOf(s.target);
    const ok: boolean[] = new Array<boolean>(s.listed.length + 2).fill(false);
    for (let k = rank + 1; k <= s.listed.length; k++) ok[k] = Math.abs(shift + Math.log(P[k - 1])) <= s.tol;
    ok[s.listed.length + 1] = shift >= -s.tol && shift <= -Math.log(P[P.length - 1]) + s.tol;
    fits.push(ok);
    prefixes.push(P);
    len = Math.min(len, s.listed.length);
  }
  // top-k: one k for every step (a k beyond the shortest list only as "beyond" everywhere).
  for (let k = 1; k <= len; k++) if (fits.every((ok) => ok[k])) return true;
  if (fits.every((ok, j) => ok[prefixes[j].length + 1])) return true;
  // top-p: one threshold p, each step keeping its smallest prefix with mass ≥ p.
  const thresholds = prefixes.flatMap((P, j) => P.filter((_, k) => fits[j][k + 1]));
  for (const p of thresholds) {
    const everywhere = prefixes.every((P, j) => {
      const k = P.findIndex((mass) => mass >= p);
      return k < 0 ? fits[j][P.length + 1] : fits[j][k + 1];
    });
    if (everywhere) return true;
  }
  return false;
}

export default createRule(
  {
    id: 'temperature-scaled',
    defaultSeverity: 'warning',
    evidence: 'per-token values with logits or top-k lists',
    summary: "log-probs of a temperature-scaled or top-k / top-p processed distribution recorded as the model's own",
    // A flexible fit: every exact reproduction of another bug is the narrower explanation.
    after: ['softmax-twice', 'high-confidence-wrong-token', 'wrong-token-index'],
    messages: {
      fromLogits: "every value is log_softmax(logits / T) at the target with T ≈ {{temperature}}: sampling-processed log-probs recorded as the model's",
      temperature: "the values are log-probs of a sampling-processed distribution, temperature ≈ {{temperature}} (consistent range {{low}}–{{high}}), not the model's",
      processed: "the values are log-probs of a sampling-processed distribution, a processed distribution (temperature in {{low}}–{{high}}, or top-k / top-p truncation), not the model's",
    },
  },
  {
    record(ctx) {
      const { values, ref, record } = ctx;
      // A temperature changes the per-token values; a wrong score over right values is another bug.
      const check = ctx.valuesCheck;
      if (!values || values.length !== ctx.n || ctx.n === 0 || !check.comparable || check.agree) return null;
      // A temperature near 1 fits honest noise as well as it fits a bug: the reading must stand clear
      // of the model's own beyond any precision allowed (its range and truncation slack at top-k level,
      // its free parameter at logits level, fit noise by chance otherwise).
      if (ctx.nullFitsWidest) return null;
      if (ref.level === 'logits' && record.token_ids && record.logits) {
        const T = fitLogits(ctx);
        if (T === null) return null;
        return {
          messageId: 'fromLogits',
          data: { temperature: Number(T.toFixed(3)) },
          recorded: ctx.score ?? ctx.valuesTotal,
          expected: ref.total,
          evidence: { temperature: Number(T.toFixed(4)) },
        };
      }
      // One temperature is fitted: a single known step is one equation it always solves, so it
      // takes two to test the hypothesis (a one-step record goes to score-mismatch).
      if (ref.level !== 'topk' || !record.top_logprobs || ref.known < 2) return null;
      const steps = stepBounds(ctx);
      if (!steps) return null;
      // A temperature alone first (its range must stay clear of 1), then with top-k / top-p truncation.
      let [lo, hi] = temperatureRange(steps, false);
      if (!(hi < T_MAX)) [lo, hi] = temperatureRange(steps, true);
      if (lo > hi) return null;
      // T = 1 fits only through truncation: that needs an actual top-k / top-p level, or it is no explanation.
      if (hi >= T_MAX && !truncationLevels(steps)) return null;
      const estimate = (lo + hi) / 2;
      return {
        messageId: hi < 1 ? 'temperature' : 'processed',
        data: { temperature: Number(estimate.toFixed(2)), low: Number(lo.toFixed(2)), high: Number(hi.toFixed(2)) },
        recorded: ctx.score ?? ctx.valuesTotal,
        expected: Number.isNaN(ref.total) ? null : ref.total,
        evidence: { temperature: Number(estimate.toFixed(3)), temperatureRange: [Number(lo.toFixed(3)), Number(hi.toFixed(3))], stepsKnown: ref.known },
      };
    },
  },
);
