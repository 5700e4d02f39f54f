import { createRule } from '../src/engine/rule.js';
import { reproduces } from '../src/engine/hypotheses.js';
import { absSum } from '../src/reference/vectors.js';
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

/** The step where the favourite differs from the target, as every message tells it. */
function atStep(target: string, recorded: string): string {
  return `at step {{step}} the target {{target|json}} has ${target}, but the value recorded${recorded} is the favourite {{favourite|json}}'s {{favouriteLogprob}}`;
}
const TOP1_VALUES = "every recorded value is its step's top-1 log-prob";
const TOP1_SCORE = "the score {{score}} is the sum of each step's top-1 log-prob ({{sumOfTop1}})";

export default createRule(
  {
    id: 'high-confidence-wrong-token',
    defaultSeverity: 'error',
    evidence: 'per-token values or score, with logits or top-k lists',
    summary: "the scorer gathered the log-prob of each step's most likely token instead of the target's",
    messages: {
      values: `${TOP1_VALUES}: ${atStep('log-prob {{targetLogprob}}', ' ({{recordedValue}})')}`,
      valuesBound: `${TOP1_VALUES}: ${atStep('a log-prob below {{targetBound}}', ' ({{recordedValue}})')}`,
      score: `${TOP1_SCORE}, not the targets' ({{total}}): ${atStep('log-prob {{targetLogprob}}', '')}`,
      scorePartial: `${TOP1_SCORE}: ${atStep('log-prob {{targetLogprob}}', '')}`,
      scoreBound: `${TOP1_SCORE}: ${atStep('a log-prob below {{targetBound}}', '')}`,
    },
  },
  {
    record(ctx) {
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
      const targetKnown = !Number.isNaN(ref.exact[step]);
      const evidence = {
        step,
        target: ctx.token(step),
        targetLogprob: targetKnown ? ref.exact[step] : null,
        favourite: ref.top1Token[step] || (ref.top1Id[step] >= 0 ? `id ${ref.top1Id[step]}` : undefined),
        favouriteLogprob: ref.top1[step],
      };
      const data = {
        ...evidence,
        targetBound: ref.upper[step],
        recordedValue: values?.[step],
        score: ctx.score,
        sumOfTop1: sumTop,
        total: ref.total,
      };
      const expected = Number.isNaN(ref.total) ? null : ref.total;
      if (values) {
        return { messageId: targetKnown ? 'values' : 'valuesBound', data, recorded: ctx.score ?? ctx.valuesTotal, expected, evidence };
      }
      return {
        messageId: !targetKnown ? 'scoreBound' : expected !== null ? 'score' : 'scorePartial',
        data,
        recorded: ctx.score,
        expected,
        evidence: { ...evidence, sumOfTop1: sumTop },
      };
    },
  },
);
