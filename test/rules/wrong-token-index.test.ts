import { expect } from 'vitest';
import { detectionProperty, hypothesisHolds, recordRuleTester } from '../helpers/rule-tester.js';
import { bugs, buggy, f32, f32Sum, logSoftmax, record, targetsAreFavourites, toyWhere, topK, V, type Recorded, type Toy } from '../helpers/toy-model.js';

const inRange = (x: Toy) => x.ids.every((y) => y + 1 < x.vocab && y >= 1);
const t = toyWhere(1, 5, inRange);

/** `gather(-1, ids + d)`: the log-prob of the token d ids away. */
const offset = (d: number) => (x: Toy): Recorded => {
  const values = x.ids.map((y, i) => f32(logSoftmax(x.logits[i])[y + d]));
  return { values, score: f32Sum(values) };
};

/** At some step the id + 1 token is listed in the top-5 and is not the favourite. */
const listedNeighbour = (x: Toy) =>
  inRange(x) && x.ids.some((y, i) => topK(x, i).some((e, j) => j > 0 && e.id === y + 1));
const listed = toyWhere(1, 5, listedNeighbour);
const unlisted = toyWhere(1, 5, (x) => inRange(x) && x.ids.every((y, i) => !topK(x, i).some((e) => e.id === y + 1)));

recordRuleTester('wrong-token-index', {
  valid: [
    { name: 'clean, logits level', record: record(t, 'logits') },
    { name: 'clean, top-k level', record: record(t, 'topk') },
    { name: 'values level: another token’s log-prob is a plausible value', record: buggy(t, 'values', bugs.tokenIdPlusOne) },
    { name: 'score only: undetectable', record: buggy(t, 'score', bugs.tokenIdPlusOne) },
    { name: 'top-k level, the gathered tokens never listed: only a disagreement (score-mismatch)', record: buggy(unlisted, 'topk', bugs.tokenIdPlusOne), rootCause: 'score-mismatch' },
    { name: 'the favourite gathered is high-confidence-wrong-token', record: buggy(toyWhere(1, 5, (x) => !targetsAreFavourites(x)), 'logits', bugs.argmaxGathered), rootCause: 'high-confidence-wrong-token' },
    { name: 'an offset of 3 is beyond the offsets tried (±1, ±2): score-mismatch', record: record(toyWhere(1, 5, (x) => x.ids.every((y) => y + 3 < V)), 'logits', offset(3)(toyWhere(1, 5, (x) => x.ids.every((y) => y + 3 < V)))), rootCause: 'score-mismatch' },
  ],
  invalid: [
    {
      name: 'token id + 1, logits level', messageId: 'idOffset',
      record: buggy(t, 'logits', bugs.tokenIdPlusOne),
      message: new RegExp(`every value is the log-prob of token id \\+ 1 instead of the target's \\(step 0: -[\\d.]+ for id ${t.ids[0] + 1}, target "${t.tokens[0]}" has -[\\d.]+\\)`),
      check: (v) => expect(v.diagnosis!.evidence).toEqual({ idOffset: 1 }),
    },
    { name: 'token id - 1, logits level', messageId: 'idOffset', record: record(t, 'logits', offset(-1)(t)), check: (v) => expect(v.diagnosis!.evidence).toEqual({ idOffset: -1 }) },
    { name: 'token id + 2, logits level', messageId: 'idOffset', record: record(toyWhere(1, 5, (x) => x.ids.every((y) => y + 2 < V)), 'logits', offset(2)(toyWhere(1, 5, (x) => x.ids.every((y) => y + 2 < V)))), message: /id \+ 2/ },
    { name: 'token id + 1, one token', messageId: 'idOffset', record: buggy(toyWhere(1, 1, inRange), 'logits', bugs.tokenIdPlusOne) },
    { name: 'token id + 1, 150 tokens, vocabulary 1000', messageId: 'idOffset', record: buggy(toyWhere(1, 150, inRange, { vocab: 1000 }), 'logits', bugs.tokenIdPlusOne) },
    {
      name: 'top-k level: the gathered token is listed (not the favourite) and named', messageId: 'listedTokenWithId',
      record: buggy(listed, 'topk', bugs.tokenIdPlusOne),
      message: /at step \d+ the recorded -[\d.]+ is the log-prob of ".*" \(id \d+, target id \+ 1\), not of the target/,
    },
    {
      name: 'top-k level without token ids: the gathered token is named by its text', messageId: 'listedToken',
      record: (({ token_ids: _ids, ...r }) => r)(buggy(listed, 'topk', bugs.tokenIdPlusOne)),
      check: (v) => expect(v.diagnosis!.evidence).toMatchObject({ idOffset: undefined }),
    },
    {
      name: 'attribution: another listed token is wrong-token-index, not high-confidence-wrong-token', messageId: 'listedTokenWithId',
      record: buggy(listed, 'topk', bugs.tokenIdPlusOne),
      check: (v) => expect(hypothesisHolds('high-confidence-wrong-token', v.ctx.record)).toBe(false),
    },
  ],
});

detectionProperty('wrong-token-index', 'token id + 1 gathered', { bug: bugs.tokenIdPlusOne, levels: ['logits'], maxN: 40, model: { vocab: 1000 }, applies: (x) => x.ids.every((y) => y + 1 < x.vocab) });
