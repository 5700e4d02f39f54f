import { expect } from 'vitest';
import { detectionProperty, hypothesisHolds, recordRuleTester } from '../helpers/rule-tester.js';
import { bugs, buggy, cleanValues, f32, f32Sum, record, targetsAreFavourites, topK, toy, toyWhere, type Toy } from '../helpers/toy-model.js';

/** Every target is in its step's top-5: a top-k sampler keeps it. */
const kept = toyWhere(1, 5, (x) => x.ids.every((y, i) => topK(x, i).some((e) => e.id === y)));
/** log-probs renormalised over the top-5 (a top-k sampler at temperature 1). */
const truncated = (x: Toy) => {
  const values = x.ids.map((_, i) => {
    const list = topK(x, i);
    const mass = list.reduce((m, e) => m + Math.exp(e.logprob), 0);
    return f32(x.lp[i] - Math.log(mass));
  });
  return { values, score: f32Sum(values) };
};

const t = toy(1, 5);
const at = (T: number) => (x: typeof t) => bugs.temperature(x, T);

recordRuleTester('temperature-scaled', {
  valid: [
    { name: 'clean, logits level', record: record(t, 'logits') },
    { name: 'clean, top-k level', record: record(t, 'topk') },
    { name: 'T = 1 is the model itself', record: buggy(t, 'logits', at(1)) },
    { name: 'values level: processed log-probs are plausible values', record: buggy(t, 'values', bugs.temperature) },
    // One value always solves for some T: a one-token record cannot tell a temperature from any other bug.
    { name: 'T = 0.7, logits level, one token: one equation, no evidence of a temperature', record: buggy(toy(2, 1), 'logits', bugs.temperature), rootCause: 'score-mismatch' },
    { name: 'score only: undetectable', record: buggy(t, 'score', bugs.temperature) },
    { name: 'right values under a wrong score are score-mismatch, not a temperature', record: { ...record(t, 'logits'), score: f32(f32Sum(cleanValues(t)) - 0.8) }, rootCause: 'score-mismatch' },
    { name: 'a second softmax is softmax-twice', record: buggy(t, 'logits', bugs.softmaxTwice), rootCause: 'softmax-twice' },
    { name: 'the favourites gathered are high-confidence-wrong-token', record: buggy(toyWhere(1, 5, (x) => !targetsAreFavourites(x)), 'topk', bugs.argmaxGathered), rootCause: 'high-confidence-wrong-token' },
  ],
  invalid: [
    {
      name: 'T = 0.7, logits level: the temperature is solved for', messageId: 'fromLogits',
      record: buggy(t, 'logits', bugs.temperature),
      message: /every value is log_softmax\(logits \/ T\) at the target with T ≈ 0\.7: sampling-processed log-probs recorded as the model's/,
      check: (v) => expect(v.diagnosis!.evidence!.temperature as number).toBeCloseTo(0.7, 3),
    },
    { name: 'T = 0.7, logits level, 150 tokens', messageId: 'fromLogits', record: buggy(toy(2, 150), 'logits', bugs.temperature) },
    { name: 'T = 0.3, logits level', messageId: 'fromLogits', record: buggy(t, 'logits', at(0.3)), check: (v) => expect(v.diagnosis!.evidence!.temperature as number).toBeCloseTo(0.3, 3) },
    { name: 'T = 1.5, logits level (above 1 is solvable from logits)', messageId: 'fromLogits', record: buggy(t, 'logits', at(1.5)), check: (v) => expect(v.diagnosis!.evidence!.temperature as number).toBeCloseTo(1.5, 3) },
    {
      name: 'T = 0.7, top-k level: a range of consistent temperatures', messageId: 'temperature',
      record: buggy(t, 'topk', bugs.temperature),
      message: /the values are log-probs of a sampling-processed distribution, temperature ≈ [\d.]+ \(consistent range [\d.]+–[\d.]+\), not the model's/,
      check: (v) => {
        const [lo, hi] = v.diagnosis!.evidence!.temperatureRange as number[];
        expect(lo).toBeLessThanOrEqual(0.7 + 0.01);
        expect(hi).toBeGreaterThanOrEqual(0.7 - 0.01);
      },
    },
    {
      name: 'top-k truncation at T = 1: a processed distribution, the temperature not told apart from 1', messageId: 'processed',
      record: buggy(kept, 'topk', truncated),
      check: (v) => expect((v.diagnosis!.evidence!.temperatureRange as number[])[1]).toBe(1),
    },
    { name: 'T = 0.7, top-k level, 20 tokens', messageId: 'temperature', record: buggy(toy(3, 20), 'topk', bugs.temperature) },
    { name: 'T = 0.5, top-k level, 150 tokens', messageId: 'temperature', record: buggy(toy(3, 150), 'topk', at(0.5)) },
    {
      name: 'attribution: a temperature is not a second softmax (softmax-twice does not reproduce it)', messageId: 'fromLogits',
      record: buggy(toy(4, 6), 'logits', bugs.temperature),
      check: (v) => expect(hypothesisHolds('softmax-twice', v.ctx.record)).toBe(false),
    },
  ],
});

detectionProperty('temperature-scaled', 'log_softmax(logits / 0.7), two tokens or more', { bug: bugs.temperature, levels: ['logits'], minN: 2, numRuns: 60 });
