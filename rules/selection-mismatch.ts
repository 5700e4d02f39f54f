import { createRule } from '../src/engine/rule.js';
import { wrongPick } from '../src/engine/selection.js';

const POLICY_WORDS = { greedy: 'the best first token', inverted: 'the lowest total', mean: 'the best mean per-token log-prob' } as const;

const PICKED = 'picked {{picked|json}} (total {{pickedTotal}}) over {{best|json}} (total {{bestTotal}})';

export default createRule(
  {
    id: 'selection-mismatch',
    defaultSeverity: 'error',
    evidence: "a group's candidates with their total log-probs, and the pick",
    summary: 'the multiple-choice pick is not the best total sequence log-prob, and no single known policy explains it',
    // The catch-all of the group scope: each policy that alone explains a pick is named first.
    after: ['greedy-choice', 'ranking-inverted', 'normalization-mismatch'],
    messages: {
      severalPicks: '{{count}} candidates are marked selected; a multiple-choice item has one pick',
      notBest: PICKED,
      severalPolicies: `${PICKED}; the pick is at once {{policies}}, so the evidence cannot tell which policy was used`,
      untestablePolicy: `${PICKED}; the pick is {{policies}}, but without per-token evidence it may as well be {{untestable}}`,
    },
  },
  {
    group(group) {
      if (group.selectedCount > 1) {
        const first = group.candidates.find((c) => c.selected)!;
        return { messageId: 'severalPicks', data: { count: group.selectedCount }, recordId: first.id, line: first.line, evidence: group.evidence() };
      }
      const w = wrongPick(group);
      if (!w || (w.policies.length === 1 && w.unknown.length === 0)) return null;
      const { picked, best } = w;
      const fits = w.policies.map((p) => POLICY_WORDS[p]);
      const untestable = w.unknown.map((p) => POLICY_WORDS[p]);
      return {
        messageId: fits.length > 1 ? 'severalPolicies' : fits.length === 1 && untestable.length > 0 ? 'untestablePolicy' : 'notBest',
        data: {
          picked: picked.id,
          pickedTotal: picked.total,
          best: best.id,
          bestTotal: best.total,
          policies: fits.join(fits.length > 1 ? ' and ' : ''),
          untestable: untestable.join(' or '),
        },
        recorded: picked.total,
        expected: best.total,
        recordId: picked.id,
        line: picked.line,
        evidence: { ...group.evidence(), consistentWith: w.policies },
      };
    },
  },
);
