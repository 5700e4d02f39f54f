import { it } from 'vitest';
import { toy, record, clean, f32Sum } from './toy-model.js';
import { verdict } from './rule-tester.js';
it('p', () => {
  const t = toy(2612544494, 67, { scale: 8 });
  const r = record(t, 'values', clean(t, { sum: 'sequential' }));
  const exact = (r.logprobs as number[]).reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ score: r.score, exactSumOfValues: exact, pairwise: f32Sum(r.logprobs as number[]), last: r.logprobs!.at(-1), ulp: 2 ** (Math.floor(Math.log2(Math.abs(r.score!))) - 23) }));
  console.log(verdict(r).diagnosis?.message);
  const t2 = toy(3075692120, 1, { scale: 12, targets: 'argmax' });
  const r2 = record(t2, 'logits', clean(t2, { sum: 'sequential' }));
  console.log(r2.logprobs, r2.score, t2.lp, verdict(r2).diagnosis?.message);
});
