import { it } from 'vitest';
import { toy } from './toy-model.js';
it('probe', () => {
  for (let n = 20; n < 80; n++) { const t = toy(5239, n); const tot = t.lp.reduce((a, b) => a + b, 0); if (tot < -101 && tot > -103) console.log('n', n, tot); }
});
