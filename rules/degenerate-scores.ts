import { createRule } from '../src/engine/rule.js';
import type { FileScores } from '../src/engine/score-stats.js';

/**
 * A file's scores say nothing when the scorer returned nothing: one constant everywhere (0.0
 * from a backend that does not compute log-likelihoods, -inf, a sentinel), counts instead of
 * log-probs, or one number per item shared by all its choices. Judged per file, once.
 */
function judge(s: FileScores) {
  // Every score reproduced by its record's own logits or lists: the scorer returned what the model
  // gives, however alike (a file of near-certain continuations printed to a few decimals is all 0).
  if (s.scored > 0 && s.witnessed === s.scored) return null;
  const at = { file: s.file, line: s.line };
  const evidence = { scored: s.scored, groups: s.groups, equalGroups: s.equalGroups };
  // Two honest scores can tie (half precision puts totals on a coarse grid); three, or a 0 or an
  // infinite log-likelihood for every continuation, cannot.
  if (s.scored >= 2 && s.allEqual && (s.first === 0 || !Number.isFinite(s.first) || s.scored >= 3)) {
    return { ...at, messageId: 'constant', data: { count: s.scored, value: s.first }, recorded: s.first, expected: null, evidence };
  }
  if (s.scored >= 2 && s.positiveIntegers === s.scored) {
    return { ...at, messageId: 'integers', data: { count: s.scored }, recorded: s.first, expected: null, evidence };
  }
  // Within one item a tie of all its choices is chance at most for two choices, now and then.
  if (s.equalExample && (s.equalLargeGroups > 0 || (s.equalGroups >= 2 && 2 * s.equalGroups >= s.groups))) {
    return {
      file: s.file,
      line: s.equalExample.line,
      messageId: 'equalWithinGroups',
      data: { equal: s.equalGroups, groups: s.groups, group: s.equalExample.group },
      recordId: s.equalExample.group,
      evidence: { ...evidence, firstGroup: s.equalExample.group },
    };
  }
  return null;
}

export default createRule(
  {
    id: 'degenerate-scores',
    defaultSeverity: 'error',
    evidence: "a file's recorded scores taken together (two or more)",
    summary: 'the scorer returned no information: every score the same constant, log-likelihoods that are positive counts, or one score shared by all choices of an item',
    messages: {
      constant: 'every one of the {{count}} scores in this file is {{value}}: the scorer returned no information, so no score or pick in it can be trusted',
      integers: 'all {{count}} scores are positive integers where log-likelihoods were declared: the scorer returned counts, not log-probs',
      equalWithinGroups:
        'in {{equal}} of {{groups}} multiple-choice items every choice has the same score (first: item {{group|json}}): one number per item, not per choice (the context scored instead of the continuation, or a failed request), so those picks mean nothing',
    },
  },
  {
    run(run) {
      const out = [];
      for (const s of run.scores) {
        const d = judge(s);
        if (d) out.push(d);
      }
      return out;
    },
  },
);
