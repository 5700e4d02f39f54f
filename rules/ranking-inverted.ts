import { createRule } from '../src/engine/rule.js';
import { fmt } from '../src/engine/evidence.js';
import { onlyPolicy, wrongPick } from '../src/engine/selection.js';

export default createRule(
  {
    id: 'ranking-inverted',
    defaultSeverity: 'error',
    scope: 'group',
    evidence: "a group's candidates with their total log-probs, and the pick",
    summary: 'the multiple-choice pick is the worst total log-prob: a sign flip (NLLs sorted as if they were log-probs)',
  },
  (group) => {
    const w = wrongPick(group);
    if (!onlyPolicy(w, 'inverted')) return null;
    const { picked, best } = w;
    return {
      message: `picked ${JSON.stringify(picked.id)}, the lowest total (${fmt(picked.total)}); the best is ${JSON.stringify(best.id)} at ${fmt(best.total)}: the ranking is inverted`,
      recorded: picked.total,
      expected: best.total,
      recordId: picked.id,
      line: picked.line,
      evidence: group.evidence(),
    };
  },
);
