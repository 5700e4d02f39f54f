/**
 * One scorer scores every candidate of a multiple-choice item. When a record's root cause was
 * decided only from the range its score falls in (a positive "log-prob" in [0, 1] may be a
 * product of probabilities, a sum of them, or a sum of logits), its siblings decide: the group
 * takes the narrowest explanation that covers every sibling.
 */
import type { Finding } from '../types.js';
import { fmt } from './evidence.js';

/** Explanations of a positive score, narrowest first: a product lies in [0, 1], a sum of n probabilities in [0, n], a logit sum anywhere. */
const RANGE_RULES = ['probability-product', 'probability-sum', 'softmax-skipped'] as const;
const WHY: Record<(typeof RANGE_RULES)[number], string> = {
  'probability-product': 'a product of probabilities',
  'probability-sum': 'a sum of probabilities',
  'softmax-skipped': 'a sum of raw logits',
};

export interface HeldFinding {
  finding: Finding;
  /** Decided from the score's range only. */
  range: boolean;
}

export function harmonizeGroup(held: HeldFinding[]): void {
  let widest = -1;
  let witness: Finding | null = null;
  for (const h of held) {
    const rank = RANGE_RULES.indexOf(h.finding.ruleId as (typeof RANGE_RULES)[number]);
    if (rank > widest) {
      widest = rank;
      witness = h.finding;
    }
  }
  if (widest < 0 || witness === null) return;
  const rule = RANGE_RULES[widest];
  for (const h of held) {
    if (!h.range || h.finding === witness) continue;
    const rank = RANGE_RULES.indexOf(h.finding.ruleId as (typeof RANGE_RULES)[number]);
    if (rank < 0 || rank >= widest) continue;
    const f = h.finding;
    f.ruleId = rule;
    f.message = `the score ${fmt(f.recorded as number)} is positive where a log-prob was declared, and candidate ${JSON.stringify(witness.recordId)} of the same item, scored by the same pipeline, records ${fmt(witness.recorded as number)}, which only ${WHY[rule]} reaches: the scores are ${WHY[rule]}`;
    f.evidence = { ...(f.evidence ?? {}), decidedBy: witness.recordId };
  }
}
