import { createRule } from '../src/engine/rule.js';
import { fmt } from '../src/engine/evidence.js';
import { onlyPolicy, wrongPick } from '../src/engine/selection.js';

export default createRule(
  {
    id: 'greedy-choice',
    defaultSeverity: 'error',
    scope: 'group',
    evidence: "a group's candidates with their first-token and total log-probs, and the pick",
    summary: 'the multiple-choice pick is the candidate with the best first token, not the best total sequence log-prob',
  },
  (group) => {
    const w = wrongPick(group);
    if (!onlyPolicy(w, 'greedy')) return null;
    const { picked, best } = w;
    return {
      message: `picked ${JSON.stringify(picked.id)} for its first token (${fmt(picked.first)} > ${fmt(best.first)}), but ${JSON.stringify(best.id)} has the better total: ${fmt(best.total)} > ${fmt(picked.total)}`,
      recorded: picked.total,
      expected: best.total,
      recordId: picked.id,
      line: picked.line,
      evidence: group.evidence(),
    };
  },
);
