import { expect } from 'vitest';
import { detectionProperty, hypothesisHolds, recordRuleTester } from '../helpers/rule-tester.js';
import { bugs, buggy, record, targetsAreFavourites, toy, toyWhere, V, type Level, type Toy } from '../helpers/toy-model.js';

/** Some target is not its step's favourite: gathering the argmax changes the numbers. */
const t = toyWhere(1, 5, (x) => !targetsAreFavourites(x));
const greedy = toy(2, 5, { targets: 'argmax' });

/** The buggy score with logits or top-k lists but no per-token values. */
function scoreOnly(x: Toy, level: Level) {
  const r = buggy(x, level, bugs.argmaxGathered);
  delete r.logprobs;
  return r;
}

recordRuleTester('high-confidence-wrong-token', {
  valid: [
    { name: 'clean, logits level', record: record(t, 'logits') },
    { name: 'clean, top-k level, no values', record: (() => { const r = record(t, 'topk'); delete r.logprobs; return r; })() },
    { name: 'greedy continuation: every target is the favourite, so the bug changes nothing', record: buggy(greedy, 'logits', bugs.argmaxGathered) },
    { name: 'values level: the favourites’ log-probs are plausible values', record: buggy(t, 'values', bugs.argmaxGathered) },
    { name: 'score only: undetectable', record: buggy(t, 'score', bugs.argmaxGathered) },
    {
      name: 'a token id off by one is wrong-token-index, not the favourite',
      record: buggy(toyWhere(1, 5, (x) => x.ids.every((y) => y + 1 < V)), 'logits', bugs.tokenIdPlusOne),
      rootCause: 'wrong-token-index',
    },
  ],
  invalid: [
    {
      name: 'argmax gathered, logits level', messageId: 'values',
      record: buggy(t, 'logits', bugs.argmaxGathered),
      message: /every recorded value is its step's top-1 log-prob: at step \d+ the target ".*" has log-prob -[\d.]+, but .* is the favourite "id \d+"'s -[\d.]+/,
      check: (v) => expect(v.diagnosis!.expected).toBeCloseTo(t.lp.reduce((a, b) => a + b, 0), 9),
    },
    { name: 'argmax gathered, top-k level: the favourite is named by its text', messageId: 'values', record: buggy(t, 'topk', bugs.argmaxGathered), message: /is the favourite "[^"]+"'s/ },
    { name: 'argmax gathered, 150 tokens, top-k level', messageId: 'valuesBound', record: buggy(toy(3, 150), 'topk', bugs.argmaxGathered) },
    { name: 'score = Σ top-1, logits without values', messageId: 'score', record: scoreOnly(t, 'logits'), message: /the score -[\d.]+ is the sum of each step's top-1 log-prob/ },
    { name: 'score = Σ top-1 over 150 steps, an unlisted target: only its bound is known', messageId: 'scoreBound', record: scoreOnly(toy(3, 150), 'topk'), message: /has a log-prob below -[\d.]+/ },
    { name: 'score = Σ top-1, top-k lists without values', messageId: 'scorePartial', record: scoreOnly(t, 'topk'), message: /sum of each step's top-1 log-prob/ },
    {
      name: 'attribution: the favourite is not "another token" (wrong-token-index does not reproduce it)', messageId: 'values',
      record: buggy(toyWhere(4, 8, (x) => !targetsAreFavourites(x)), 'topk', bugs.argmaxGathered),
      check: (v) => expect(hypothesisHolds('wrong-token-index', v.ctx.record)).toBe(false),
    },
    {
      name: 'top-k without values: the message names the reference total, which the unlisted targets leave unknown', messageId: 'scorePartial',
      record: scoreOnly(toyWhere(1, 5, (x) => !targetsAreFavourites(x) && x.ids.some((y, i) => !record(x, 'topk').top_logprobs![i]!.some((e) => e.id === y))), 'topk'),
      check: (v) => expect(v.message).not.toMatch(/NaN/),
    },
  ],
});

detectionProperty('high-confidence-wrong-token', 'the argmax gathered', { bug: bugs.argmaxGathered, levels: ['logits', 'topk'], applies: (x) => !targetsAreFavourites(x) });
