import { createRule } from '../src/engine/rule.js';
import { reproduces, valuesAreProbabilities } from '../src/engine/hypotheses.js';
import { LOGPROB_CEILING, SEPARATION } from '../src/reference/precision.js';

export default createRule(
  {
    id: 'softmax-skipped',
    defaultSeverity: 'error',
    evidence: 'per-token values (logits or top-k make it certain), or a positive score',
    summary: 'raw logits were gathered and summed as if they were log-probs (no log-softmax)',
    after: ['probability-product', 'probability-sum'],
    range: true,
    messages: {
      rawLogits: "the per-token values are the targets' raw logits (e.g. step 0: {{value}} = logit, log-prob {{logprob}})",
      aboveZero: 'step {{step}} ({{token|json}}) records {{value}}, above 0: these are raw logits, not log-probs',
      aboveBest: "step {{step}} ({{token|json}}) records {{value}}, above the step's best log-prob {{ceiling}}: these are raw logits, not log-probs",
      scoreIsLogitSum: "the score {{score}} is the sum of the targets' raw logits ({{sumOfLogits}}), not of their log-probs ({{total}})",
      scoreAboveCount: 'the score {{score}} is positive and larger than {{tokens}} (the most n probabilities can add up to): a sum of raw logits',
      bySibling:
        'the score {{score}} is positive where a log-prob was declared, and candidate {{sibling|json}} of the same item, scored by the same pipeline, records {{siblingScore}}, which only a sum of raw logits reaches: the scores are a sum of raw logits',
    },
  },
  {
    record(ctx) {
      const { values, record, ref } = ctx;
      const ids = record.token_ids;
      // Logits level: the values are exactly the targets' raw logits.
      if (values && record.logits && ids && ref.level === 'logits') {
        const hits = reproduces(
          ctx,
          (i) => (i < record.logits!.length ? record.logits![i][ids[i]] : NaN),
          (_, z) => ctx.logitTol(z),
        );
        if (hits > 0) {
          return {
            messageId: 'rawLogits',
            data: { value: values[0], logprob: ref.exact[0] },
            recorded: ctx.score ?? ctx.valuesTotal,
            expected: ref.total,
            evidence: { step: 0, token: ctx.token(0), logit: values[0], logprob: ref.exact[0] },
          };
        }
      }
      if (values && values.length > 0 && !valuesAreProbabilities(ctx)) {
        // A log-prob is ≤ 0 and no larger than the step's most likely token's log-prob.
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          const ceiling = i < ref.n && !Number.isNaN(ref.top1[i]) ? ref.top1[i] : 0;
          // A log-prob cannot be positive beyond rounding, whatever precision computed it.
          if (v > LOGPROB_CEILING && v > ceiling) {
            return {
              messageId: ceiling === 0 ? 'aboveZero' : 'aboveBest',
              data: { step: i, token: ctx.token(i), value: v, ceiling },
              recorded: ctx.score ?? ctx.valuesTotal,
              expected: Number.isNaN(ref.total) ? null : ref.total,
              evidence: { step: i, token: ctx.token(i), value: v, ceiling },
            };
          }
        }
      }
      const s = ctx.score;
      // Logits level, score only: the score is the sum of the targets' raw logits.
      if (!values && s !== undefined && Number.isFinite(s) && record.logits && ids && ref.level === 'logits' && ctx.kind === 'logprob') {
        let raw = 0;
        let abs = 0;
        for (let i = 0; i < ctx.n; i++) {
          raw += record.logits[i][ids[i]];
          abs += Math.abs(record.logits[i][ids[i]]);
        }
        if (Math.abs(raw - ref.total) > SEPARATION * ctx.totalTol(abs) && ctx.scoreIs(raw, abs)) {
          return {
            messageId: 'scoreIsLogitSum',
            data: { score: s, sumOfLogits: raw, total: ref.total },
            recorded: s,
            expected: ref.total,
            evidence: { sumOfLogits: raw },
          };
        }
      }
      // Score only: a positive sum larger than the token count is neither a probability nor a sum
      // of n probabilities. (With no token count, a score above 1 could be either sum.)
      if (s !== undefined && ctx.kind === 'logprob' && s > 0 && Number.isFinite(s) && !values && ctx.n > 0 && s > ctx.n) {
        return {
          messageId: 'scoreAboveCount',
          data: { score: s, tokens: ctx.n },
          recorded: s,
          expected: Number.isNaN(ref.total) ? null : ref.total,
          basis: 'range',
        };
      }
      return null;
    },
  },
);
