import { createRule } from '../src/engine/rule.js';
import { absSum, fmt, reproduces, tok } from '../src/engine/evidence.js';
import { compensatedSum } from '../src/reference/math.js';
import { SEPARATION } from '../src/reference/precision.js';
import type { RecordContext } from '../src/engine/record-context.js';

/** The first step where the target is clearly not the model's favourite (beyond honest noise), or -1. */
function firstNonFavourite(ctx: RecordContext): number {
  const { ref } = ctx;
  for (let i = 0; i < ctx.n; i++) {
    if (Number.isNaN(ref.top1[i])) continue;
    const e = ref.exact[i];
    if (Number.isNaN(e) ? ref.level === 'topk' : ref.top1[i] - e > SEPARATION * (ctx.stepTol(i) + ctx.tolFor(i, ref.top1[i]))) return i;
  }
  return -1;
}

function topAllKnown(ctx: RecordContext): boolean {
  for (let i = 0; i < ctx.n; i++) if (Number.isNaN(ctx.ref.top1[i])) return false;
  return ctx.n > 0;
}

export default createRule(
  {
    id: 'high-confidence-wrong-token',
    defaultSeverity: 'error',
    scope: 'record',
    evidence: 'per-token values or score, with logits or top-k lists',
    summary: "the scorer gathered the log-prob of each step's most likely token instead of the target's",
  },
  (ctx) => {
    const { ref, values } = ctx;
    if (!topAllKnown(ctx)) return null;
    const step = firstNonFavourite(ctx);
    if (step < 0) return null; // the target is the favourite everywhere: the bug changes nothing
    let sumTop = NaN;
    if (values && values.length === ctx.n) {
      if (reproduces(ctx, (i) => ref.top1[i]) !== ctx.n) return null;
    } else {
      if (values || ctx.score === undefined) return null;
      sumTop = compensatedSum(ref.top1, 0, ctx.n);
      const abs = absSum(ref.top1);
      if (!ctx.scoreIs(sumTop, abs)) return null;
      // The two totals must be told apart: the favourites' and the targets' sums differ by more than noise.
      if (!Number.isNaN(ref.total) && !(Math.abs(sumTop - ref.total) > SEPARATION * ctx.totalTol(abs))) return null;
    }
    const evidence = {
      step,
      target: ctx.token(step),
      targetLogprob: Number.isNaN(ref.exact[step]) ? null : ref.exact[step],
      favourite: ref.top1Token[step] || (ref.top1Id[step] >= 0 ? `id ${ref.top1Id[step]}` : undefined),
      favouriteLogprob: ref.top1[step],
    };
    const why = `at step ${step} the target ${tok(ctx.token(step))} has ${
      Number.isNaN(ref.exact[step]) ? `a log-prob below ${fmt(ref.upper[step])}` : `log-prob ${fmt(ref.exact[step])}`
    }, but the value recorded${values ? ` (${fmt(values[step])})` : ''} is the favourite ${tok(evidence.favourite)}'s ${fmt(ref.top1[step])}`;
    if (values) {
      return {
        message: `every recorded value is its step's top-1 log-prob: ${why}`,
        recorded: ctx.score ?? ctx.valuesTotal,
        expected: Number.isNaN(ref.total) ? null : ref.total,
        evidence,
      };
    }
    return {
      message: `the score ${fmt(ctx.score)} is the sum of each step's top-1 log-prob (${fmt(sumTop)})${Number.isNaN(ref.total) ? '' : `, not the targets' (${fmt(ref.total)})`}: ${why}`,
      recorded: ctx.score,
      expected: Number.isNaN(ref.total) ? null : ref.total,
      evidence: { ...evidence, sumOfTop1: sumTop },
    };
  },
);
