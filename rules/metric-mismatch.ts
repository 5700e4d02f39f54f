import { createRule } from '../src/engine/rule.js';
import type { Candidate, GroupContext } from '../src/engine/group-context.js';
import { samplesFor, type RunContext } from '../src/engine/run-context.js';
import { AGGREGATE_TOLERANCE as AGGREGATE_TOL } from '../src/reference/precision.js';
import { isArgmaxAccuracy } from '../src/engine/accuracy.js';

function argmaxIndex(cands: Candidate[], key: (c: Candidate) => number): Candidate | null {
  let best: Candidate | null = null;
  for (const c of cands) {
    const k = key(c);
    if (Number.isNaN(k)) return null;
    if (best === null || k > key(best)) best = c;
  }
  return best;
}

/** Recomputes each recorded per-sample metric the way lm-evaluation-harness defines it. */
function checkGroup(group: GroupContext) {
  const cands = group.candidates;
  const metrics = cands[0]?.metrics;
  if (!metrics || cands.some((c) => c.score === undefined || c.gold === undefined) || !cands.some((c) => c.gold)) return null;
  const score = (c: Candidate) => c.score as number;
  const recompute: Record<string, (c: Candidate) => number> = {
    acc: score,
    acc_norm: (c) => (c.normLength && c.normLength > 0 ? score(c) / c.normLength : NaN),
  };
  for (const name of Object.keys(recompute)) {
    const recorded = metrics[name];
    if (!isArgmaxAccuracy(recorded)) continue;
    const pick = argmaxIndex(cands, recompute[name]);
    if (pick === null) continue;
    const expected = pick.gold ? 1 : 0;
    if (recorded === expected) continue;
    const how: string[] = [];
    const lowest = argmaxIndex(cands, (c) => -score(c));
    if (lowest && (lowest.gold ? 1 : 0) === recorded) how.push('from the lowest total (a sign flip)');
    if (name === 'acc_norm') {
      const raw = argmaxIndex(cands, score);
      if (raw && (raw.gold ? 1 : 0) === recorded) how.push('without the length normalisation');
    }
    if (name === 'acc') {
      const norm = argmaxIndex(cands, recompute.acc_norm);
      if (norm && (norm.gold ? 1 : 0) === recorded) how.push('from length-normalised log-likelihoods');
    }
    const gold = cands.find((c) => c.gold)!;
    return {
      messageId: `${pick.gold ? 'pickIsGold' : 'pickIsNotGold'}${how.length > 0 ? 'Explained' : ''}`,
      data: {
        metric: name,
        recorded,
        expected,
        objective: name === 'acc' ? 'highest log-likelihood' : 'highest length-normalised log-likelihood',
        pick: pick.id,
        gold: gold.id,
        how: how.join(' or '),
      },
      recorded,
      expected,
      recordId: pick.id,
      line: cands.reduce((m, c) => Math.min(m, c.line), Infinity),
      evidence: { metric: name, picked: pick.id, gold: gold.id, explanations: how, ...group.evidence() },
    };
  }
  return null;
}

/** A results file's headline metric must be the mean of its samples file's per-sample values. */
function checkRun(run: RunContext) {
  const out = [];
  for (const a of run.aggregates) {
    const m = samplesFor(run, a)?.get(a.metric);
    if (!m || m.count === 0) continue;
    const mean = m.sum / m.count;
    // A sample's inf (or nan) makes the harness's mean the same: Object.is, since inf - inf is no difference.
    if (Object.is(mean, a.value) || Math.abs(mean - a.value) <= AGGREGATE_TOL) continue;
    out.push({
      file: a.file,
      line: a.line,
      messageId: 'headline',
      data: { task: a.task, metric: a.metric, value: a.value, samples: m.count, mean },
      recorded: a.value,
      expected: mean,
      recordId: a.task,
      evidence: { task: a.task, metric: a.metric, samples: m.count, sampleFiles: [...m.files] },
    });
  }
  return out;
}

const RECORDED = 'recorded {{metric}} = {{recorded}}, but the {{objective}} is choice {{pick|json}}';
const EXPLAINED = '; the recorded value is what picking {{how}} gives';

export default createRule(
  {
    id: 'metric-mismatch',
    defaultSeverity: 'error',
    evidence: "a harness's per-sample metrics with the candidates' log-likelihoods; a results file with its samples",
    summary: "a per-sample metric (acc, acc_norm) or a results file's headline number disagrees with the log-likelihoods it was computed from",
    // About the harness's bookkeeping, not the pick: a wrong pick is told first.
    after: ['selection-mismatch'],
    messages: {
      pickIsGold: `${RECORDED} (gold), so {{metric}} = {{expected}}`,
      pickIsGoldExplained: `${RECORDED} (gold), so {{metric}} = {{expected}}${EXPLAINED}`,
      pickIsNotGold: `${RECORDED}, not the gold {{gold|json}}, so {{metric}} = {{expected}}`,
      pickIsNotGoldExplained: `${RECORDED}, not the gold {{gold|json}}, so {{metric}} = {{expected}}${EXPLAINED}`,
      headline: 'task {{task}}: the headline {{metric}} {{value}} is not the mean of its {{samples}} samples ({{mean}})',
    },
  },
  { group: checkGroup, run: checkRun },
);
