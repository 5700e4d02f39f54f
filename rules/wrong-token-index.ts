import { createRule } from '../src/engine/rule.js';
import type { RecordContext } from '../src/engine/record-context.js';
import { COINCIDENCE_CHANCE, coincidenceChance } from '../src/reference/precision.js';

/** Finds, at logits level, a constant id offset d ≠ 0 with values[i] = log_softmax(row i)[id_i + d] at every step. */
function logitsOffset(ctx: RecordContext): number | null {
  const { values, record, ref } = ctx;
  const ids = record.token_ids!;
  const logits = record.logits!;
  const lse = ref.lse!;
  outer: for (const d of [1, -1, 2, -2]) {
    for (let i = 0; i < ctx.n; i++) {
      const j = ids[i] + d;
      const row = logits[i];
      if (j < 0 || j >= row.length) continue outer;
      const p = row[j] - lse[i];
      if (!(Math.abs(values![i] - p) <= ctx.tolFor(i, p))) continue outer;
    }
    // The offset token's log-probs must also stand clear of the targets' somewhere.
    for (let i = 0; i < ctx.n; i++) if (ctx.standsClear(i)) return d;
  }
  return null;
}

export default createRule(
  {
    id: 'wrong-token-index',
    defaultSeverity: 'error',
    evidence: 'per-token values with logits or top-k lists',
    summary: "a value gathered for another token than the target (not the step's favourite): an id off by one, a tokenizer mismatch",
    // The favourite is the most common "other token": named by its own rule first.
    after: ['high-confidence-wrong-token'],
    messages: {
      idOffset: "every value is the log-prob of token id + {{offset}} instead of the target's (step 0: {{value}} for id {{gatheredId}}, target {{target|json}} has {{logprob}})",
      listedToken: 'at step {{step}} the recorded {{value}} is the log-prob of {{gathered|json}}, not of the target {{target|json}}',
      listedTokenWithId: 'at step {{step}} the recorded {{value}} is the log-prob of {{gathered|json}} (id {{gatheredId}}, target id + {{offset}}), not of the target {{target|json}}',
    },
  },
  {
    record(ctx) {
      const { values, ref, record } = ctx;
      if (!values || values.length !== ctx.n || !ctx.disagrees) return null;
      const ids = record.token_ids;
      if (ref.level === 'logits' && ids && record.logits) {
        const d = logitsOffset(ctx);
        if (d === null) return null;
        return {
          messageId: 'idOffset',
          data: { offset: d, value: values[0], gatheredId: ids[0] + d, target: ctx.token(0), logprob: ref.exact[0] },
          recorded: ctx.score ?? ctx.valuesTotal,
          expected: ref.total,
          evidence: { idOffset: d },
        };
      }
      if (ref.level !== 'topk' || !record.top_logprobs) return null;
      // Top-k level: a step whose value is not the target's but is exactly another listed token's.
      let named: { step: number; token: string; id?: number; logprob: number } | null = null;
      for (let i = 0; i < ctx.n; i++) {
        const e = ref.exact[i];
        const v = values[i];
        if (!Number.isNaN(e) && ctx.valueMatches(i, e)) continue;
        if (v > ref.top1[i] + ctx.tolFor(i, ref.top1[i])) return null; // not a log-prob of this step at all
        // Any listed token may match: only a value no honest precision explains is evidence.
        if (named !== null || !ctx.beyondWidest(i)) continue;
        const list = record.top_logprobs[i] ?? [];
        // At a tolerance that wide some listed token would match by chance: no evidence of a gather.
        if (coincidenceChance(list.length, ctx.tolFor(i, v), ref.top1[i] - Math.min(...list.map((x) => x.logprob))) > COINCIDENCE_CHANCE) continue;
        const other = list.find((x) => Math.abs(x.logprob - v) <= ctx.tolFor(i, x.logprob));
        if (other && Math.abs(other.logprob - ref.top1[i]) > ctx.tolFor(i, ref.top1[i]) + ctx.tolFor(i, other.logprob)) {
          named = { step: i, token: other.token, id: other.id, logprob: other.logprob };
        }
      }
      if (named === null) return null;
      const offset = ids && named.id !== undefined ? named.id - ids[named.step] : undefined;
      return {
        messageId: offset !== undefined ? 'listedTokenWithId' : 'listedToken',
        data: { step: named.step, value: named.logprob, gathered: named.token, gatheredId: named.id, offset, target: ctx.token(named.step) },
        recorded: ctx.score ?? ctx.valuesTotal,
        expected: Number.isNaN(ref.total) ? null : ref.total,
        evidence: { step: named.step, gathered: named.token, gatheredId: named.id, target: ctx.token(named.step), idOffset: offset },
      };
    },
  },
);
