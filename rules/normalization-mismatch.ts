import { createRule } from '../src/engine/rule.js';
import { onlyPolicy, wrongPick } from '../src/engine/selection.js';
import type { RecordContext } from '../src/engine/record-context.js';
import type { GroupContext } from '../src/engine/group-context.js';
import { SEPARATION } from '../src/reference/precision.js';

/** Record scope: the score is the mean where the total was declared, or the total where the mean was. */
function checkRecord(ctx: RecordContext) {
  const base = ctx.base;
  const s = ctx.score;
  if (!base || s === undefined || !Number.isFinite(s) || ctx.n < 2) return null;
  const { total, abs, fromValues } = base;
  const mean = total / ctx.n;
  const totalTol = fromValues ? ctx.sumTol(abs, ctx.n) : ctx.totalTol(abs);
  // A mean that noise cannot tell from the total (a total near 0) proves nothing; nor one within
  // the printed digits of the numbers summed (three values of -0.0001: a total known to ±1.5e-4).
  const printed = fromValues ? ctx.valuesResolution : ctx.refResolution;
  if (Math.abs(total - mean) <= SEPARATION * totalTol + ctx.scoreUlp + printed) return null;
  const data = { score: s, mean, total, tokens: ctx.n };
  if (ctx.kind === 'logprob' && Math.abs(s - mean) <= totalTol / ctx.n + ctx.scoreResolution) {
    return { messageId: 'meanAsTotal', data, recorded: s, expected: Number.isNaN(ctx.ref.total) ? total : ctx.ref.total, evidence: { mean, total, tokens: ctx.n } };
  }
  if (ctx.kind === 'mean_logprob' && Math.abs(s - total) <= totalTol + ctx.scoreResolution) {
    return { messageId: 'totalAsMean', data, recorded: s, expected: mean, evidence: { mean, total, tokens: ctx.n } };
  }
  return null;
}

/**
 * Group scope: the pick is the best candidate by mean per-token log-prob, not by the total the
 * run declares (or the reverse).
 */
function checkGroup(group: GroupContext) {
  const w = wrongPick(group);
  if (!onlyPolicy(w, 'mean')) return null;
  const picked = w.picked;
  const best = group.best;
  if (!best) return null;
  return {
    messageId: 'meanPick',
    data: { picked: picked.id, pickedMean: picked.total / picked.tokens, pickedTotal: picked.total, bestTotal: best.total, best: best.id },
    recorded: picked.total,
    expected: best.total,
    recordId: picked.id,
    line: picked.line,
    evidence: group.evidence(),
  };
}

export default createRule(
  {
    id: 'normalization-mismatch',
    defaultSeverity: 'error',
    evidence: 'score with per-token values or a reference; for groups, candidates with token counts',
    summary: 'a mean per-token log-prob recorded or compared where a total was declared, or the reverse',
    messages: {
      meanAsTotal: 'the score {{score}} is the mean per-token log-prob ({{total}} / {{tokens}}) where the total was declared',
      totalAsMean: 'the score {{score}} is the total log-prob where score_kind declares the mean ({{mean}})',
      meanPick:
        'the pick {{picked|json}} has the best mean per-token log-prob ({{pickedMean}}) but not the best total ({{pickedTotal}} < {{bestTotal}} of {{best|json}}): the choice was length-normalised though totals were declared',
    },
  },
  { record: checkRecord, group: checkGroup },
);
