import { createRule } from '../src/engine/rule.js';
import { onlyPolicy, wrongPick } from '../src/engine/selection.js';

export default createRule(
  {
    id: 'ranking-inverted',
    defaultSeverity: 'error',
    evidence: "a group's candidates with their total log-probs, and the pick",
    summary: 'the multiple-choice pick is the worst total log-prob: a sign flip (NLLs sorted as if they were log-probs)',
    messages: {
      lowestTotal: 'picked {{picked|json}}, the lowest total ({{pickedTotal}}); the best is {{best|json}} at {{bestTotal}}: the ranking is inverted',
    },
  },
  {
    group(group) {
      const w = wrongPick(group);
      if (!onlyPolicy(w, 'inverted')) return null;
      const { picked, best } = w;
      return {
        messageId: 'lowestTotal',
        data: { picked: picked.id, pickedTotal: picked.total, best: best.id, bestTotal: best.total },
        recorded: picked.total,
        expected: best.total,
        recordId: picked.id,
        line: picked.line,
        evidence: group.evidence(),
      };
    },
  },
);
