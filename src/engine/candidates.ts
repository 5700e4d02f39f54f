/** The summary a multiple-choice group keeps of each candidate record: small, so groups can wait for their file's end. */
import { codePointLength } from '../ingest/formats/values.js';
import { SCORE_KINDS } from '../reference/score-kinds.js';
import { printedResolution } from '../reference/storage.js';
import type { Candidate } from './group-context.js';
import type { RecordVerdict } from './verdict.js';

export function candidateOf(v: RecordVerdict, line: number): Candidate {
  const { ctx } = v;
  const r = ctx.record;
  // Numbers that only fit a wider precision are honest: the candidate is as clean as any.
  const clean = v.rule === null || v.diagnosis?.basis === 'precision';
  let total = ctx.ref.total;
  // Tolerances at the tier the verdict was reached in: what an honest pipeline's total may be off
  // the reference by (its own printing does not matter: it picked from the numbers it computed).
  let tol = Number.isNaN(total) ? 0 : ctx.totalTol();
  if (Number.isNaN(total) && clean) {
    if (ctx.values && ctx.values.length === ctx.n && ctx.nulls === 0) {
      total = ctx.valuesTotal;
      // The values' printing, estimated from the first one (a print has one relative resolution): one look, not n.
      const v0 = ctx.values[0];
      tol = ctx.sumTol(ctx.valuesAbs, ctx.n) + (v0 !== 0 && Number.isFinite(v0) ? (printedResolution(v0) / Math.abs(v0)) * ctx.valuesAbs : 0);
    } else if (ctx.score !== undefined) {
      total = SCORE_KINDS[ctx.kind].toTotal(ctx.score, ctx.n);
      tol = ctx.sumTol(Math.abs(total), 1) + ctx.scoreResolution;
    }
  }
  let first = ctx.n > 0 ? ctx.ref.exact[0] : NaN;
  let firstTol = ctx.n > 0 ? ctx.stepTol(0) : 0;
  if (Number.isNaN(first) && clean && ctx.values && ctx.values.length > 0) {
    first = ctx.values[0];
    firstTol = 0;
  }
  return {
    id: r.id,
    line,
    selected: r.selected === true,
    gold: r.gold,
    total,
    tol,
    first,
    firstTol,
    tokens: ctx.n,
    score: ctx.score,
    kind: ctx.kind,
    rootCause: clean ? null : (v.rule?.id ?? null),
    choiceIndex: r.choice_index,
    // Only harness metrics use it: characters as Python counts them (code points), without the
    // leading delimiter, as lm-eval's acc_norm.
    normLength: r.norm_length ?? (r.metrics && r.completion !== undefined ? codePointLength(r.completion.replace(/^\s/, '')) : undefined),
    metrics: r.metrics,
    task: r.task,
    run: r.run,
  };
}
