import { createRule } from '../src/engine/rule.js';
import { logitRow, reproduces } from '../src/engine/hypotheses.js';
import { softmaxTwiceAt } from '../src/reference/vectors.js';
import { SOFTMAX_TWICE_SPREAD as OFFSET_SPREAD } from '../src/reference/precision.js';
/** No tokenizer has fewer tokens than the 256 byte values. */
const MIN_VOCABULARY = 256;

export default createRule(
  {
    id: 'softmax-twice',
    defaultSeverity: 'error',
    evidence: 'per-token values with logits or top-k lists',
    summary: 'log(softmax(softmax(z))): probabilities normalised again, pinning every value near -log(vocabulary size)',
    messages: {
      fromLogits: 'every value equals log_softmax(softmax(logits)) at the target, e.g. step 0: {{value}} where the log-prob is {{logprob}}',
      commonOffset: 'every value sits at p − {{offset}} (p the token\'s probability): log_softmax was applied to probabilities, as for a vocabulary of about {{vocabulary}} tokens',
    },
  },
  {
    record(ctx) {
      const { values, ref, record } = ctx;
      if (!values || values.length !== ctx.n || ctx.n === 0) return null;
      const ids = record.token_ids;
      if (ref.level === 'logits' && ids) {
        const hits = reproduces(ctx, (i) => {
          const r = logitRow(ctx, i);
          return r ? softmaxTwiceAt(r.row, r.lse, ids[i]) : NaN;
        });
        if (hits > 0) {
          return {
            messageId: 'fromLogits',
            data: { value: values[0], logprob: ref.exact[0] },
            recorded: ctx.score ?? ctx.valuesTotal,
            expected: ref.total,
            evidence: { step: 0, token: ctx.token(0), value: values[0], logprob: ref.exact[0] },
          };
        }
        return null;
      }
      if (ref.level !== 'topk' && ref.level !== 'server') return null;
      // Near-certain tokens give v − exp(v) ≈ −1 whatever the scorer did: where the reference knows a
      // step, values that agree with it are never evidence of a double softmax.
      if (ref.known > 0 && !ctx.disagrees) return null;
      // v_i = p_i - L with one L for the whole vocabulary (L ≈ log(V + 1)): where p_i is known the
      // offset v_i - p_i must be the same at every step; elsewhere v_i + L must lie in [0, exp(upper_i)].
      let lo = Infinity;
      let hi = -Infinity;
      let known = 0;
      for (let i = 0; i < ctx.n; i++) {
        const e = ref.exact[i];
        if (Number.isNaN(e)) continue;
        const offset = values[i] - Math.exp(e);
        lo = Math.min(lo, offset);
        hi = Math.max(hi, offset);
        known++;
      }
      let L: number;
      if (known > 0) {
        if (hi - lo > OFFSET_SPREAD) return null;
        L = -(lo + hi) / 2;
        if (known === 1 && ctx.n === 1) return null; // one number cannot tell L from any other value
      } else {
        // No target listed anywhere: every value must sit within the unlisted mass of one offset.
        // Two honest values can share an offset by chance (one in a few hundred); three cannot.
        if (ctx.n < 3) return null;
        L = -values.reduce((m, v) => Math.min(m, v), Infinity); // not Math.min(...): a long record has more values than a call has arguments
      }
      // The vocabulary must be larger than the listed top-k and than any real tokenizer's floor
      // (L ≈ log(V + 1); 256 byte tokens at least), and of a sane size.
      const k = record.top_logprobs?.[0]?.length ?? 1;
      if (!(L > Math.log(Math.max(MIN_VOCABULARY, k + 1)) && L < 25)) return null;
      for (let i = 0; i < ctx.n; i++) {
        const p = values[i] + L;
        const ceiling = Number.isNaN(ref.exact[i]) ? Math.exp(ref.upper[i]) : Math.exp(ref.exact[i]);
        if (p < -OFFSET_SPREAD || p > ceiling + OFFSET_SPREAD) return null;
      }
      return {
        messageId: 'commonOffset',
        data: { offset: L, vocabulary: Math.round(Math.exp(L) - 1) },
        recorded: ctx.score ?? ctx.valuesTotal,
        expected: Number.isNaN(ref.total) ? null : ref.total,
        evidence: { offset: L, vocabularyEstimate: Math.round(Math.exp(L) - 1), stepsKnown: known },
      };
    },
  },
);
