/**
 * The reference for one record: what the model's log-prob of each continuation token is, from
 * the best evidence the record carries. Pure: no I/O, no judgement.
 *
 * - logits: exact, log_softmax of row i at token_ids[i] (row i predicts token i);
 * - server: the model server's own per-token log-probs (API echo / prompt log-probs);
 * - topk: exact where the target is listed in its step's top-k, else an upper bound: the
 *   target is no likelier than the k-th listed token nor than the mass the list leaves over;
 * - values / score: no distribution to check against.
 *
 * A record whose server numbers are `distribution: "processed"` (the sampler's distribution after
 * temperature, truncation or penalties) has no model reference from them: its top-k lists and
 * server log-probs are left out, so the record is checked at the level of its recorded values and
 * no rule can present the sampler's numbers as the model's.
 */
import type { AuditRecord, TopLogprob } from '../types.js';
import { compensatedSum } from './math.js';
import { rowStats, type StepStats } from './precision.js';

export type EvidenceLevel = 'logits' | 'server' | 'topk' | 'values' | 'score';

export interface StepReference {
  level: EvidenceLevel;
  /** Number of continuation tokens. */
  n: number;
  /** Reference log-prob of each target token; NaN where unknown. */
  exact: Float64Array;
  /** Upper bound on each target's log-prob (0 when nothing is known). */
  upper: Float64Array;
  /** The most likely token's log-prob at each step; NaN where unknown. */
  top1: Float64Array;
  /** That token's id (or -1) and text (or ''), for evidence. */
  top1Id: Int32Array;
  top1Token: string[];
  /** Steps whose exact value is known. */
  known: number;
  /** Σ exact when every step is known, else NaN. */
  total: number;
  /** Per-row log-sum-exp of the logits (logits level only). */
  lse: Float64Array | null;
  /** Per-row sensitivity sums for the precision model (logits level only). */
  rows: StepStats[] | null;
  /** Probability mass of each listed step's top-k list (NaN where a list is missing or holds NaN); null without lists. */
  topMass: Float64Array | null;
  /** Σ p² of each listed step's top-k list plus a bound on its unlisted tail (NaN where unlisted); null without lists. */
  topP2: Float64Array | null;
  /** Whose distribution the record's server numbers are (see AuditRecord.distribution). */
  distribution: 'model' | 'processed';
}

/** Finds the target's entry in a step's top-k: by id when both sides have ids, else by text. */
export function findInTop(list: readonly TopLogprob[], id: number | undefined, token: string | undefined): TopLogprob | undefined {
  for (let j = 0; j < list.length; j++) {
    const e = list[j];
    if (id !== undefined && e.id !== undefined) {
      if (e.id === id) return e;
    } else if (token !== undefined && e.token === token) return e;
  }
  return undefined;
}

/**
 * Σ exp(logprob) of each top-k list, and Σ p² with the unlisted tail's share bounded by
 * leftover · min(p_last, leftover) (NaN for a missing or empty list): one exp per entry.
 */
function listMasses(lists: readonly (readonly TopLogprob[] | null)[]): { mass: Float64Array; p2: Float64Array } {
  const mass = new Float64Array(lists.length).fill(NaN);
  const p2 = new Float64Array(lists.length).fill(NaN);
  for (let i = 0; i < lists.length; i++) {
    const list = lists[i];
    if (!list || list.length === 0) continue;
    let m = 0;
    let s2 = 0;
    let last = 1;
    for (let j = 0; j < list.length; j++) {
      const p = Math.exp(list[j].logprob);
      m += p;
      s2 += p * p;
      if (p < last) last = p;
    }
    const leftover = Math.max(0, 1 - m);
    mass[i] = m;
    p2[i] = s2 + leftover * Math.min(last, leftover);
  }
  return { mass, p2 };
}

/** Number of continuation tokens the record describes. */
export function continuationLength(r: AuditRecord): number {
  if (r.tokens) return r.tokens.length;
  if (r.token_ids) return r.token_ids.length;
  if (r.reference_logprobs) return r.reference_logprobs.length;
  if (r.logprobs) return r.logprobs.length;
  if (r.logits) return r.logits.length;
  if (r.top_logprobs) return r.top_logprobs.length;
  return 0;
}

/**
 * Zero-length arrays are shared: a score-only record has no steps, and allocating typed arrays
 * per record costs more than the rest of its reference (they have no element to change).
 */
const NO_FLOATS = new Float64Array(0);
const NO_INTS = new Int32Array(0);
const floats = (n: number, fill: number): Float64Array => (n === 0 ? NO_FLOATS : new Float64Array(n).fill(fill));

export function buildReference(r: AuditRecord): StepReference {
  const n = continuationLength(r);
  const exact = floats(n, NaN);
  const upper = floats(n, 0);
  const top1 = floats(n, NaN);
  const top1Id = n === 0 ? NO_INTS : new Int32Array(n).fill(-1);
  const top1Token: string[] = n === 0 ? [] : new Array<string>(n).fill('');
  let level: EvidenceLevel = r.logprobs ? 'values' : 'score';
  let lse: Float64Array | null = null;
  let rows: StepStats[] | null = null;
  let topMass: Float64Array | null = null;
  let topP2: Float64Array | null = null;
  const ids = r.token_ids;
  const distribution = r.distribution === 'processed' ? 'processed' : 'model';
  const modelLists = distribution === 'model';

  if (r.logits && ids && r.logits.length >= n && ids.length === n) {
    level = 'logits';
    const count = r.logits.length;
    lse = new Float64Array(count);
    rows = new Array<StepStats>(count);
    for (let i = 0; i < count; i++) {
      rows[i] = rowStats(r.logits[i]);
      lse[i] = rows[i].lse;
    }
    for (let i = 0; i < n; i++) {
      const row = r.logits[i];
      exact[i] = row[ids[i]] - lse[i];
      let best = 0;
      for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
      top1[i] = row[best] - lse[i];
      top1Id[i] = best;
      upper[i] = exact[i];
    }
  } else {
    if (r.top_logprobs && modelLists) {
      level = 'topk';
      const steps = Math.min(n, r.top_logprobs.length);
      ({ mass: topMass, p2: topP2 } = listMasses(r.top_logprobs));
      for (let i = 0; i < steps; i++) {
        const list = r.top_logprobs[i];
        if (!list || list.length === 0) continue;
        let best = list[0];
        let last = Infinity;
        for (let j = 0; j < list.length; j++) {
          const e = list[j];
          if (e.logprob > best.logprob) best = e;
          if (e.logprob < last) last = e.logprob;
        }
        const mass = topMass[i];
        top1[i] = best.logprob;
        top1Id[i] = best.id ?? -1;
        top1Token[i] = best.token;
        const hit = findInTop(list, ids?.[i], r.tokens?.[i]);
        if (hit) {
          exact[i] = hit.logprob;
          upper[i] = hit.logprob;
        } else {
          // Unlisted: no likelier than the least likely listed token, nor than the mass left.
          upper[i] = Math.min(last, mass < 1 ? Math.log1p(-mass) : last);
        }
      }
    }
    const server = modelLists ? r.reference_logprobs : undefined;
    if (server && server.length === n) {
      level = 'server';
      for (let i = 0; i < n; i++) {
        const v = server[i];
        if (v !== null && Number.isFinite(v)) {
          exact[i] = v;
          upper[i] = v;
        }
      }
    }
  }

  let known = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(exact[i])) known++;
  const total = known === n && n > 0 ? compensatedSum(exact) : NaN;
  if (topMass === null && r.top_logprobs) ({ mass: topMass, p2: topP2 } = listMasses(r.top_logprobs));
  return { level, n, exact, upper, top1, top1Id, top1Token, known, total, lse, rows, topMass, topP2, distribution };
}
