import { it } from 'vitest';
import { bugs, buggy, targetsAreFavourites, toyWhere } from './toy-model.js';
import { verdict } from './rule-tester.js';
it('p', () => { const t = toyWhere(1, 5, (x) => !targetsAreFavourites(x)); console.log(verdict(buggy(t, 'logits', bugs.argmaxGathered)).diagnosis?.message); });
