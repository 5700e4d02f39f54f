import { expect } from 'vitest';
import { detectionProperty, hypothesisHolds, recordRuleTester } from '../helpers/rule-tester.js';
import { bugs, buggy, record, toy } from '../helpers/toy-model.js';

const t = toy(1, 5);
/** At top-k level the rule needs log Σ exp(p) to be nearly constant: spread ≤ 1/2V, so a real-sized vocabulary. */
const big = toy(1, 5, { vocab: 1000 });

recordRuleTester('softmax-twice', {
  valid: [
    { name: 'clean, logits level', record: record(t, 'logits') },
    { name: 'clean, top-k level, vocabulary 1000', record: record(big, 'topk') },
    { name: 'values level: every value near -log(V) is a plausible log-prob', record: buggy(t, 'values', bugs.softmaxTwice) },
    { name: 'score only: undetectable', record: buggy(t, 'score', bugs.softmaxTwice) },
    {
      name: 'top-k level with a 32-token vocabulary: log Σ exp(p) varies by up to 1/2V ≈ 0.016 between steps, beyond the rule’s 2e-3: score-mismatch',
      record: buggy(toy(1, 20), 'topk', bugs.softmaxTwice),
      rootCause: 'score-mismatch',
    },
    { name: 'temperature-scaled values are not a second softmax', record: buggy(t, 'logits', bugs.temperature), rootCause: 'temperature-scaled' },
    {
      // Regression: the top-k branch once skipped the check that values disagree with the
      // reference; two near-equal listed log-probs (-3.15114, -3.15039) have offsets v - exp(v)
      // within 2e-3, and ~0.4% of clean 2-token top-k records (vocabulary 1000) were flagged.
      name: 'clean top-k record whose two listed log-probs are nearly equal',
      record: {
        id: 'toy-28-2',
        tokens: [' home', ' of'],
        token_ids: [24, 18],
        top_logprobs: [
          [
            { token: ' it', logprob: -2.887488603591919, id: 20 },
            { token: ' the', logprob: -2.9247195720672607, id: 0 },
            { token: '.', logprob: -2.9884371757507324, id: 7 },
            { token: ' she', logprob: -3.0670900344848633, id: 22 },
            { token: ' home', logprob: -3.1511411666870117, id: 24 },
          ],
          [
            { token: ' he', logprob: -2.652495861053467, id: 21 },
            { token: ' the', logprob: -2.7885313034057617, id: 0 },
            { token: ' she', logprob: -3.0011496543884277, id: 22 },
            { token: ' and', logprob: -3.003645420074463, id: 9 },
            { token: ' of', logprob: -3.150391101837158, id: 18 },
          ],
        ],
        logprobs: [-3.1511411666870117, -3.150391101837158],
        score: -6.30153226852417,
      },
    },
  ],
  invalid: [
    {
      name: 'log_softmax(softmax(logits)), logits level', messageId: 'fromLogits',
      record: buggy(t, 'logits', bugs.softmaxTwice),
      message: /every value equals log_softmax\(softmax\(logits\)\) at the target, e\.g\. step 0: -3\.\d+ where the log-prob is/,
    },
    { name: 'logits level, one token', messageId: 'fromLogits', record: buggy(toy(2, 1), 'logits', bugs.softmaxTwice) },
    { name: 'logits level, 150 tokens', messageId: 'fromLogits', record: buggy(toy(2, 150), 'logits', bugs.softmaxTwice) },
    {
      name: 'top-k level, vocabulary 1000: every value at p − L with L ≈ log(V + 1)', messageId: 'commonOffset',
      record: buggy(big, 'topk', bugs.softmaxTwice),
      message: /every value sits at p − 6\.9\d* .* vocabulary of about 1000 tokens/,
      check: (v) => expect(v.diagnosis!.evidence!.offset as number).toBeCloseTo(Math.log(1001), 2),
    },
    { name: 'top-k level, vocabulary 1000, 20 tokens', messageId: 'commonOffset', record: buggy(toy(3, 20, { vocab: 1000 }), 'topk', bugs.softmaxTwice) },
    {
      name: 'attribution: a second softmax flattens the distribution like a high temperature, but no temperature reproduces it', messageId: 'fromLogits',
      record: buggy(toy(4, 6), 'logits', bugs.softmaxTwice),
      check: (v) => expect(hypothesisHolds('temperature-scaled', v.ctx.record)).toBe(false),
    },
  ],
});

detectionProperty('softmax-twice', 'log_softmax(softmax(logits))', { bug: bugs.softmaxTwice, levels: ['logits'] });
