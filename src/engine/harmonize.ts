/**
 * One scorer scores every candidate of a multiple-choice item. When a record's root cause was
 * decided only from the range its score falls in (a positive "log-prob" in [0, 1] may be a
 * product of probabilities, a sum of them, or a sum of logits), its siblings decide: the group
 * takes the narrowest explanation that covers every sibling. The narrow-to-wide order is the
 * rule set's order of its range rules; a renamed finding is reissued with its new rule's own
 * `bySibling` message.
 */
import type { Finding } from '../types.js';
import { BY_SIBLING } from './rule.js';
import type { RuleSet } from './rule-set.js';
import { messageOf } from './findings.js';

export interface HeldFinding {
  finding: Finding;
  /** Decided from the score's range only. */
  range: boolean;
}

export function harmonizeGroup(held: readonly HeldFinding[], rules: RuleSet): void {
  const rank = (f: Finding) => rules.range.findIndex((r) => r.meta.id === f.ruleId);
  let widest = -1;
  let witness: Finding | null = null;
  for (const h of held) {
    const r = rank(h.finding);
    if (r > widest) {
      widest = r;
      witness = h.finding;
    }
  }
  if (widest < 0 || witness === null) return;
  const meta = rules.range[widest].meta;
  for (const h of held) {
    if (!h.range || h.finding === witness) continue;
    const r = rank(h.finding);
    if (r < 0 || r >= widest) continue;
    const f = h.finding;
    const data = { score: f.recorded, sibling: witness.recordId, siblingScore: witness.recorded };
    f.ruleId = meta.id;
    f.messageId = BY_SIBLING;
    f.message = messageOf(meta, { messageId: BY_SIBLING, data });
    f.evidence = { ...(f.evidence ?? {}), decidedBy: witness.recordId };
  }
}
