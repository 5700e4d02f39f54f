/**
 * Metric impact: accuracy as recorded and as recomputed from the reference, over the same groups
 * before and after: those with a gold answer, a recorded pick (or a harness's per-sample acc, or
 * its acc_norm when it recorded no acc) and a trusted total for every candidate. A group whose
 * candidate has a root cause and no reference cannot be re-picked, so it is left out.
 */
import type { Accuracy } from './result.js';
import type { Candidate, GroupContext } from './group-context.js';

export interface AccuracyTally {
  groups: number;
  pickedRight: number;
  scoredRight: number;
  changed: number;
}

export function newTally(): AccuracyTally {
  return { groups: 0, pickedRight: 0, scoredRight: 0, changed: 0 };
}

/**
 * Whether a per-sample metric is an argmax accuracy (0 or 1: was the pick gold?). A task's own
 * process_results may define acc otherwise: truthfulqa_mc2's is the true answers' share of the
 * probability, a fraction that says nothing of a pick.
 */
export function isArgmaxAccuracy(v: number | undefined): v is 0 | 1 {
  return v === 0 || v === 1;
}

/**
 * The group's recorded pick, right or not, and the candidate the reference picks by the same
 * objective: the pipeline's `selected` or the harness's per-sample `acc` against the highest
 * total; when the harness recorded only an `acc_norm` (the Open LLM Leaderboard's bbh, gpqa and
 * musr, HELM's separate multiple choice), that against the highest total per unit of length.
 * Null when the group has no recorded pick or a key is unknown.
 */
function recordedAndBest(g: GroupContext): { right: boolean; best: Candidate } | null {
  const metrics = g.candidates[0].metrics;
  let right: boolean;
  let best: Candidate | null;
  if (g.selected) [right, best] = [g.selected.gold === true, g.best];
  else if (isArgmaxAccuracy(metrics?.acc)) [right, best] = [metrics.acc === 1, g.best];
  else if (isArgmaxAccuracy(metrics?.acc_norm)) [right, best] = [metrics.acc_norm === 1, g.argmax((c) => (c.normLength && c.normLength > 0 ? c.total / c.normLength : NaN))];
  else return null;
  return best ? { right, best } : null;
}

export function tallyGroup(t: AccuracyTally, g: GroupContext): void {
  if (!g.candidates.some((c) => c.gold === true)) return;
  const picked = recordedAndBest(g);
  if (!picked) return;
  const before = picked.right;
  const after = picked.best.gold === true;
  t.groups++;
  if (before) t.pickedRight++;
  if (after) t.scoredRight++;
  if (before !== after || (g.selected !== null && g.selected !== picked.best)) t.changed++;
}

export function addTally(into: AccuracyTally, t: AccuracyTally): void {
  into.groups += t.groups;
  into.pickedRight += t.pickedRight;
  into.scoredRight += t.scoredRight;
  into.changed += t.changed;
}

export function accuracyOf(t: AccuracyTally): Accuracy {
  return {
    groups: t.groups,
    recorded: t.groups ? t.pickedRight / t.groups : null,
    recomputed: t.groups ? t.scoredRight / t.groups : null,
    changed: t.changed,
  };
}

/** Accuracy per task, tasks in code-unit order; undefined when no task had a scored group. */
export function tasksAccuracy(tallies: ReadonlyMap<string, AccuracyTally>): Record<string, Accuracy> | undefined {
  const names = [...tallies.keys()].filter((t) => tallies.get(t)!.groups > 0).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) return undefined;
  const out: Record<string, Accuracy> = {};
  for (const name of names) out[name] = accuracyOf(tallies.get(name)!);
  return out;
}
