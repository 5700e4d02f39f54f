import { createRule } from '../src/engine/rule.js';
import { fmt } from '../src/engine/evidence.js';
import { wrongPick } from '../src/engine/selection.js';

const POLICY_WORDS = { greedy: 'the best first token', inverted: 'the lowest total', mean: 'the best mean per-token log-prob' } as const;

export default createRule(
  {
    id: 'selection-mismatch',
    defaultSeverity: 'error',
    scope: 'group',
    evidence: "a group's candidates with their total log-probs, and the pick",
    summary: 'the multiple-choice pick is not the best total sequence log-prob, and no single known policy explains it',
  },
  (group) => {
    if (group.selectedCount > 1) {
      const first = group.candidates.find((c) => c.selected)!;
      return {
        message: `${group.selectedCount} candidates are marked selected; a multiple-choice item has one pick`,
        recordId: first.id,
        line: first.line,
        evidence: group.evidence(),
      };
    }
    const w = wrongPick(group);
    if (!w || (w.policies.length === 1 && w.unknown.length === 0)) return null;
    const { picked, best } = w;
    const fits = w.policies.map((p) => POLICY_WORDS[p]);
    const untestable = w.unknown.map((p) => POLICY_WORDS[p]);
    return {
      message: `picked ${JSON.stringify(picked.id)} (total ${fmt(picked.total)}) over ${JSON.stringify(best.id)} (total ${fmt(best.total)})${
        fits.length > 1 ? `; the pick is at once ${fits.join(' and ')}, so the evidence cannot tell which policy was used` : ''
      }${fits.length === 1 && untestable.length ? `; the pick is ${fits[0]}, but without per-token evidence it may as well be ${untestable.join(' or ')}` : ''}`,
      recorded: picked.total,
      expected: best.total,
      recordId: picked.id,
      line: picked.line,
      evidence: { ...group.evidence(), consistentWith: w.policies },
    };
  },
);
