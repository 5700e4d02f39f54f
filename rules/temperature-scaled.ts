import { createRule } from '../src/engine/rule.js';
import { logSumExp } from '../src/reference/math.js';
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

/**
 * Logits level: is there one T with values[i] = log_softmax(z_i / T)[y_i] at every step?
 * Returns T, or null.
 */
function fitLogits(ctx: RecordContext): number | null {
  const { values, record } = ctx;
  const ids = record.token_ids!;
  const logits = record.logits!;
  const residual = (T: number, i: number) => {
    const row = logits[i];
    return values![i] - (row[ids[i]] / T - logSumExp(row, 1 / T));
  };
  // The log-prob of a token under z/T is monotone in T on each side of its optimum; a coarse
  // grid then bisection on step 0 finds candidates, and every step must agree.
  const candidates: number[] = [];
  let prevT = T_MIN;
  let prev = residual(prevT, 0);
  for (let k = 1; k <= 120; k++) {
    const T = T_MIN * Math.pow(T_MAX_LOGITS / T_MIN, k / 120);
    const r = residual(T, 0);
    if (prev === 0 || Math.sign(r) !== Math.sign(prev)) {
      let lo = prevT;
      let hi = T;
      let rlo = prev;
      for (let it = 0; it < 60; it++) {
        const mid = (lo + hi) / 2;
        const rm = residual(mid, 0);
        if (Math.sign(rm) === Math.sign(rlo)) {
          lo = mid;
          rlo = rm;
        } else hi = mid;
      }
      candidates.push((lo + hi) / 2);
    }
    prevT = T;
    prev = r;
  }
  for (const T of candidates) {
    if (Math.abs(T - 1) < 1e-3) continue;
    let ok = true;
    for (let i = 0; i < ctx.n && ok; i++) ok = Math.abs(residual(T, i)) <= 20 * ctx.tokenTol(values![i]);
    if (ok) return T;
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
}

/**
 * Top-k level: for temperature T, the processed log-prob of the target is l_y/T − C with
 * C = log Σ_v exp(l_v/T) over the tokens the sampler kept. C is at least the log-sum over the
 * listed tokens likelier than the target (always kept) and at most the log-sum over the whole
 * vocabulary, whose unlisted part is at most leftover · exp(l_k (1/T − 1)) for T < 1.
 */
function feasible(steps: StepBounds[], T: number, tol: (v: number) => number): boolean {
  const inv = 1 / T;
  for (const s of steps) {
    const k = s.listed.length;
    const lk = s.listed[k - 1];
    if (Number.isNaN(s.target)) {
      const cLow = logSumExp(s.listed, inv);
      if (s.value > lk * inv - cLow + tol(s.value)) return false;
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
    const hi = s.target * inv - Math.log(kept);
    const lo = s.target * inv - Math.log(all + tail);
    if (s.value > hi + tol(s.value) || s.value < lo - tol(s.value)) return false;
  }
  return true;
}

function stepBounds(ctx: RecordContext): StepBounds[] | null {
  const top = ctx.record.top_logprobs!;
  const out: StepBounds[] = [];
  for (let i = 0; i < ctx.n; i++) {
    const list: TopLogprob[] | null = top[i] ?? null;
    if (!list || list.length === 0) continue;
    const listed = list.map((e) => e.logprob).sort((a, b) => b - a);
    out.push({ listed, leftover: Math.max(0, 1 - ctx.ref.topMass![i]), target: ctx.ref.exact[i], value: ctx.values![i] });
  }
  // Steps with a known target constrain T far more: test them first so most T fail fast.
  out.sort((a, b) => Number(Number.isNaN(a.target)) - Number(Number.isNaN(b.target)));
  return out.length > 0 ? out : null;
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
      const tol = (v: number) => 4 * ctx.tokenTol(v);
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k <= T_STEPS; k++) {
        const T = Math.min(T_MAX, T_MIN + ((T_MAX - T_MIN) * k) / T_STEPS);
        if (feasible(steps, T, tol)) {
          lo = Math.min(lo, T);
          hi = Math.max(hi, T);
        }
      }
      if (lo > hi) return null;
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
