import { it } from 'vitest';
import { toy, buggy, bugs, record, clean } from './toy-model.js';
import { rootCause, verdict } from './rule-tester.js';
import { isFloat16 } from '../../src/reference/math.js';
it('probe', () => {
  for (let s = 1; s <= 20; s++) {
    const t = toy(s, 5);
    const r = buggy(t, 'logits', bugs.bf16);
    if (rootCause(r) !== 'low-precision') {
      const tot = t.lp.reduce((a, b) => a + b, 0);
      console.log(s, verdict(r).diagnosis?.message, JSON.stringify({ values: r.logprobs, score: r.score, lp: t.lp, tot }), (r.logprobs as number[]).every(isFloat16), isFloat16(r.score!));
    }
  }
  // prob subnormal
  for (let s = 1; s < 400; s++) { const t = toy(s, 30, { scale: 0.5 }); const r = record(t, 'score', clean(t, { kind: 'prob' })); if (rootCause(r)) { console.log('prob', s, JSON.stringify(r.score), verdict(r).diagnosis?.message); break; } }
});
