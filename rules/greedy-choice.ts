import { createRule } from '../src/engine/rule.js';
import { onlyPolicy, wrongPick } from '../src/engine/selection.js';

export default createRule(
  {
    id: 'greedy-choice',
    defaultSeverity: 'error',
    evidence: "a group's candidates with their first-token and total log-probs, and the pick",
    summary: 'the multiple-choice pick is the candidate with the best first token, not the best total sequence log-prob',
    messages: {
      firstToken: 'picked {{picked|json}} for its first token ({{pickedFirst}} > {{bestFirst}}), but {{best|json}} has the better total: {{bestTotal}} > {{pickedTotal}}',
    },
  },
  {
    group(group) {
      const w = wrongPick(group);
      if (!onlyPolicy(w, 'greedy')) return null;
      const { picked, best } = w;
      return {
        messageId: 'firstToken',
        data: { picked: picked.id, pickedFirst: picked.first, bestFirst: best.first, best: best.id, bestTotal: best.total, pickedTotal: picked.total },
        recorded: picked.total,
        expected: best.total,
        recordId: picked.id,
        line: picked.line,
        evidence: group.evidence(),
      };
    },
  },
);
