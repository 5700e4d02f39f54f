/**
 * How a group's pick relates to the candidates: the policies a buggy pipeline may have used
 * instead of "highest total log-prob". Group rules share this so that exactly one of them
 * speaks for a group.
 */
import type { Candidate, GroupContext, Key } from './group-context.js';
import { KEYS, tied } from './group-context.js';
import { SCORE_KINDS } from '../reference/score-kinds.js';

export type Policy = 'greedy' | 'inverted' | 'mean';

export interface WrongPick {
  picked: Candidate;
  best: Candidate;
  /** The policies that reproduce the pick (unique winner by their key). */
  policies: Policy[];
  /** Policies the evidence cannot evaluate (e.g. no first-token log-probs): they might too. */
  unknown: Policy[];
}

/** True when exactly this one policy explains the pick and no other could. */
export function onlyPolicy(w: WrongPick | null, policy: Policy): w is WrongPick {
  return w !== null && w.unknown.length === 0 && w.policies.length === 1 && w.policies[0] === policy;
}

/**
 * The pick has the best recorded score of its group, ties included, in the order of the scores'
 * declared kind: the pipeline chose by what it recorded, with the right policy. A reference that
 * ranks another candidate first is then within what the scores' printing hides (rounding keeps
 * order, and makes ties: -0.3086 and -0.3083 both print -0.309, while their top-k lists printed
 * to three decimals put them 0.001 apart), or the scores are wrong, which record rules say.
 */
function followsOwnScores(group: GroupContext, picked: Candidate): boolean {
  if (picked.score === undefined || !Number.isFinite(picked.score)) return false;
  const spec = SCORE_KINDS[picked.kind];
  const up = spec.declared(-1, 1) > spec.declared(-2, 1); // a larger score is a likelier continuation
  for (const c of group.candidates) {
    if (c === picked) continue;
    if (c.score === undefined || Number.isNaN(c.score) || c.kind !== picked.kind) return false;
    if (up ? c.score > picked.score : c.score < picked.score) return false;
  }
  return true;
}

function uniqueArgmax(group: GroupContext, key: Key): Candidate | null {
  const best = group.argmax(key.of);
  if (best === null || group.tieWith(best, key)) return null;
  return best;
}

/**
 * A wrong pick that the group itself is responsible for: null when the pick is the best total,
 * when totals are unknown or tied, or when the pick simply follows recorded scores that a
 * record-level root cause already explains (not counted twice).
 */
export function wrongPick(group: GroupContext): WrongPick | null {
  const picked = group.selected;
  const best = group.best;
  if (!picked || !best || picked === best) return null;
  if (tied(picked, best)) return null;
  if (group.hasRecordCause) {
    const byScore = group.argmax((c) => (c.score === undefined ? NaN : c.score));
    if (byScore === null || byScore === picked) return null;
  }
  if (followsOwnScores(group, picked)) return null;
  const policies: Policy[] = [];
  const unknown: Policy[] = [];
  if (group.candidates.some((c) => Number.isNaN(c.first))) unknown.push('greedy');
  else if (uniqueArgmax(group, KEYS.first) === picked) policies.push('greedy');
  if (uniqueArgmax(group, KEYS.lowest) === picked) policies.push('inverted');
  if (uniqueArgmax(group, KEYS.mean) === picked) policies.push('mean');
  // With two candidates every wrong pick is the lowest total, so "inverted" carries no
  // information there; a policy that also predicts the pick (a better first token) is the diagnosis.
  const inverted = policies.indexOf('inverted');
  if (group.candidates.length === 2 && policies.length > 1 && inverted >= 0) policies.splice(inverted, 1);
  return { picked, best, policies, unknown };
}
