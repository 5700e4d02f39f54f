import { expect } from 'vitest';
import { detectionProperty, recordRuleTester } from '../helpers/rule-tester.js';
import { bugs, buggy, cleanValues, f32Sum, record, toy, toyWhere, topK } from '../helpers/toy-model.js';

const t = toy(1, 5);
const values = cleanValues(t);
/** A toy whose step-0 target is outside the top-5: a sentinel there is no larger than the bound. */
const unlisted = toyWhere(1, 5, (x) => !topK(x, 0).some((e) => e.id === x.ids[0]));

const withNull = (score?: number) => {
  const r = record(t, 'values');
  r.logprobs = [null, ...values.slice(1)];
  if (score === undefined) delete r.score;
  else r.score = score;
  return r;
};

recordRuleTester('invalid-logprob', {
  valid: [
    {
      // round(-0.0017, 2) is -0.0, probability 1 where it was 0.9983: the list's mass 1.0017 is its printing.
      name: 'a top-k list printed to two decimals, its top entry -0.0: more than 1 by its digits alone',
      record: {
        id: 'p2',
        tokens: [' A'],
        token_ids: [0],
        logprobs: [-0.0017],
        score: -0.0017,
        top_logprobs: [[-0.0, -6.43, -8.92, -9.37].map((logprob, id) => ({ token: id ? ` t${id}` : ' A', logprob, id }))],
      },
    },
    { name: 'clean record, logits level', record: record(t, 'logits') },
    { name: 'clean record, top-k level', record: record(t, 'topk') },
    { name: 'clean record, values level', record: record(t, 'values') },
    { name: 'clean record, score only', record: record(t, 'score') },
    { name: 'a null value (vLLM first prompt token) that no score sums', record: withNull() },
    {
      name: '-Infinity is a log-prob (probability 0), and so is a -Infinity total',
      record: { ...record(t, 'values'), logprobs: [values[0], -Infinity, ...values.slice(2)], score: -Infinity },
    },
    {
      name: 'a top-k list whose mass exceeds 1 only by float32 rounding (≤ 1e-3)',
      record: { id: 1, tokens: ['a'], logprobs: [-0.6935], top_logprobs: [[{ token: 'a', logprob: -0.6935 }, { token: 'b', logprob: -0.6925 }]], score: -0.6935 },
    },
    {
      name: '-9999 without a declared sentinel, below the top-k bound: a legitimate (if extreme) log-prob',
      record: (() => {
        const r = buggy(unlisted, 'values', bugs.sentinelSummed);
        delete r.sentinel;
        return r;
      })(),
    },
    {
      // Fuzz counterexample (seed 777): a step with no list made the print scan throw "list is not iterable".
      name: "a server's log-probs whose first step has no top-k list (null: an echoed prompt's first token)",
      record: { id: 1, tokens: ['a', 'b'], reference_logprobs: [null, -1.5], top_logprobs: [null, [{ token: 'b', logprob: -1.5 }]] },
    },
    {
      name: "a server's 0 with its step's alternatives: a near-certain token, computed like the others",
      record: { id: 1, tokens: ['a', 'b'], reference_logprobs: [-0.5, 0], top_logprobs: [[{ token: 'a', logprob: -0.5 }], [{ token: 'b', logprob: 0 }, { token: 'c', logprob: -18.5 }]] },
    },
    {
      name: "a server's 0s with no alternatives at any step: none were asked for (TGI's top_logprobs [] everywhere)",
      record: { id: 1, tokens: ['a', 'b', 'c'], reference_logprobs: [-0.5, 0, 0], top_logprobs: [[], [], []] },
    },
    {
      name: "a server's 0 at an echoed first token (a null list, not an empty one)",
      record: { id: 1, tokens: ['a', 'b'], reference_logprobs: [0, -1.5], top_logprobs: [null, [{ token: 'b', logprob: -1.5 }]] },
    },
    {
      name: "a server's step with no alternatives whose log-prob is not 0: not a filled-in p = 1",
      record: { id: 1, tokens: ['a', 'b'], reference_logprobs: [-0.5, -1.25], top_logprobs: [[{ token: 'a', logprob: -0.5 }], []] },
    },
    {
      name: 'a NaN value wins over every other hypothesis (it is checked first): neighbour records are not this rule',
      record: buggy(t, 'logits', bugs.softmaxSkipped),
      rootCause: 'softmax-skipped',
    },
  ],
  invalid: [
    { name: 'NaN value, logits level', messageId: 'nonFiniteValue', record: buggy(t, 'logits', bugs.nanValue), message: /step 0 .* is NaN, which no log-prob can be/ },
    { name: 'NaN value, top-k level', messageId: 'nonFiniteValue', record: buggy(t, 'topk', (x) => bugs.nanValue(x, 3)), message: /step 3/ },
    { name: 'NaN value, values level, long sequence', messageId: 'nonFiniteValue', record: buggy(toy(2, 150), 'values', (x) => bugs.nanValue(x, 149)), message: /step 149/ },
    { name: 'NaN score, score only', messageId: 'scoreNaN', record: buggy(t, 'score', bugs.nanValue), message: /the recorded score is NaN/ },
    {
      name: 'NaN score at logits level names the reference as expected', messageId: 'scoreNaN',
      record: { ...record(t, 'logits'), score: NaN },
      check: (v) => expect(v.diagnosis!.expected).toBeCloseTo(t.lp.reduce((a, b) => a + b, 0), 9),
    },
    { name: '+Infinity value', messageId: 'nonFiniteValue', record: { ...record(t, 'values'), logprobs: [Infinity, ...values.slice(1)], score: Infinity }, message: /Infinity/ },
    { name: '+Infinity score', messageId: 'scoreInfinite', record: { ...record(t, 'score'), score: Infinity }, message: /\+Infinity/ },
    {
      name: 'OpenAI -9999 sentinel summed, values level', messageId: 'sentinelSummed',
      record: buggy(t, 'values', (x) => bugs.sentinelSummed(x, 2)),
      message: /sums the API's "not in the top-k" sentinel -9999 at step 2/,
      check: (v) => expect(v.diagnosis!.evidence!.sumWithoutSentinels).toBeCloseTo(f32Sum(values) - values[2], 4),
    },
    { name: 'OpenAI -9999 sentinel summed, top-k level', messageId: 'sentinelSummed', record: buggy(unlisted, 'topk', bugs.sentinelSummed), message: /sentinel -9999 at step 0/ },
    {
      name: 'attribution: a summed sentinel is invalid-logprob, not score-mismatch, though it disagrees with the reference', messageId: 'sentinelSummed',
      record: buggy(toyWhere(1, 5, (x) => topK(x, 0).some((e) => e.id === x.ids[0])), 'topk', bugs.sentinelSummed),
      message: /sentinel/,
    },
    { name: 'a null summed as 0 (a None filtered out, a fillna(0))', messageId: 'nullSummed', record: withNull(f32Sum(values.slice(1))), message: /step 0 has no log-prob \(null\), yet the score is the sum of the others/ },
    {
      name: "a server's positive log-prob", messageId: 'serverValue',
      record: { id: 1, tokens: ['a', 'b'], reference_logprobs: [-1.25, 0.5], score: -0.75 },
      message: /server's log-prob at step 1/,
    },
    {
      name: "a server's log-probs that all lie in [0, 1]: probabilities sent as log-probs (cortex.llamacpp#262)", messageId: 'serverProbabilities',
      record: { id: 1, tokens: ['a', 'b'], reference_logprobs: [1, 0.75], top_logprobs: [[{ token: 'a', logprob: 1 }], [{ token: 'b', logprob: 0.75 }, { token: 'c', logprob: 0.25 }]] },
      message: /server's log-probs all lie in \[0, 1\] \(step 0, "a": 1\): they are probabilities sent as log-probs/,
    },
    {
      name: "a server's log-prob its own top-k list gives the token otherwise (read at the wrong index)", messageId: 'serverTopk',
      record: { id: 1, tokens: ['a', 'b'], reference_logprobs: [-1.25, -7.5], top_logprobs: [[{ token: 'a', logprob: -1.25 }], [{ token: 'b', logprob: -0.5 }]] },
      message: /server's log-prob at step 1 \("b"\) is -7\.5, but its own top-k list gives that token -0\.5/,
    },
    {
      name: "a server's log-prob its own top-k list contradicts, another step having no list", messageId: 'serverTopk',
      record: { id: 1, tokens: ['a', 'b'], reference_logprobs: [null, -7.5], top_logprobs: [null, [{ token: 'b', logprob: -0.5 }]] },
      message: /server's log-prob at step 1 \("b"\) is -7\.5, but its own top-k list gives that token -0\.5/,
    },
    {
      name: "a server's 0s with no alternatives after a step that lists them (llama-server's speculative decoding)", messageId: 'placeholder',
      record: { id: 1, tokens: ['a', 'b', 'c'], reference_logprobs: [-0.5, 0, -0], top_logprobs: [[{ token: 'a', logprob: -0.5 }, { token: 'z', logprob: -1.5 }], [], []] },
      message: /server's log-prob at step 1 \("b"\) is 0 with no top-k list, where step 0 lists 2: a placeholder .* \(2 of the 3 steps;/,
      check: (v) => expect(v.diagnosis!.evidence).toMatchObject({ step: 1, placeholders: 2, listedStep: 0, k: 2 }),
    },
    {
      name: "a server's sampler-processed probabilities 1 with no candidates after a step that lists them (llama.cpp post_sampling_probs)", messageId: 'placeholder',
      record: { id: 1, tokens: ['a', 'b'], logprobs: [-0.25, 0], distribution: 'processed', processing: 'post_sampling_probs', top_logprobs: [[{ token: 'a', logprob: -0.25 }], []] },
      message: /step 1 \("b"\) is 0 with no top-k list, where step 0 lists 1: .* \(1 of the 2 steps;/,
    },
    {
      name: 'a logits row holding NaN: no distribution can be read from it', messageId: 'logitsRow',
      record: { ...record(t, 'logits'), logits: t.logits.slice(0, t.n).map((row, i) => (i === 2 ? row.map((z, j) => (j === 3 ? NaN : z)) : row)) },
      message: /logits row 2 holds NaN or \+Infinity/,
    },
    {
      name: 'a top-k entry with a positive log-prob', messageId: 'topkEntry',
      record: { id: 1, tokens: ['a'], logprobs: [-0.1], top_logprobs: [[{ token: 'a', logprob: -0.1 }, { token: 'b', logprob: 0.25 }]], score: -0.1 },
      message: /the top-k list at step 0 gives "b" the log-prob 0\.25/,
    },
    {
      name: 'a top-k list holding more than all the probability (logits, not log-probs)', messageId: 'topkMass',
      record: { id: 1, tokens: ['a'], logprobs: [-0.1], top_logprobs: [[{ token: 'a', logprob: -0.1 }, { token: 'b', logprob: -0.2 }]], score: -0.1 },
      message: /top-2 list at step 0 holds probability 1\.72\d* > 1/,
    },
  ],
});

detectionProperty('invalid-logprob', 'a NaN value', { bug: (x) => bugs.nanValue(x, x.n - 1), levels: ['logits', 'topk', 'values', 'score'] });
detectionProperty('invalid-logprob', 'a -9999 sentinel summed', { bug: (x) => bugs.sentinelSummed(x, x.n >> 1), levels: ['logits', 'topk', 'values'] });
