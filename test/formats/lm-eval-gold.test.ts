/**
 * The gold of an lm-eval multiple-choice sample, as the harness's process_results derives it,
 * one row shape per case; where the row does not decide it the gold is unknown (null).
 */
import { describe, expect, it } from 'vitest';
import { isMultipleInput, readChoices } from '../../src/ingest/formats/lm-eval-gold.js';

const Q = 'Question: Which is a colour?\nAnswer:';
const same = (n: number) => Array.from({ length: n }, () => Q);
const gold = (r: ReturnType<typeof readChoices>) => (r?.gold ? [...r.gold].sort() : null);

describe('lm-eval gold: choices in the continuation', () => {
  const cases: { name: string; target: unknown; doc?: unknown; conts: string[]; gold: number[] | null }[] = [
    { name: 'an int target is an index (≤ v0.4.3 rows keep it typed)', target: 1, conts: [' red', ' up'], gold: [1] },
    { name: 'str(int) since v0.4.4', target: '1', conts: [' red', ' up'], gold: [1] },
    { name: 'an index out of range is no gold', target: '5', conts: [' red', ' up'], gold: null },
    { name: 'a list of indices (multiple targets)', target: [0, 2], conts: [' a', ' b', ' c'], gold: [0, 2] },
    { name: 'str(list) of indices', target: '[0, 2]', conts: [' a', ' b', ' c'], gold: [0, 2] },
    { name: 'the choice text, matched against the doc choices', target: 'blue', doc: { choices: ['green', 'blue'] }, conts: [' green', ' blue'], gold: [1] },
    { name: 'the choice text, matched against continuations less the delimiter', target: '(B)', conts: [' (A)', ' (B)'], gold: [1] },
    { name: 'the choice text with an empty delimiter', target: 'B', conts: ['A', 'B'], gold: [1] },
    { name: 'digits that are a choice text and no valid index', target: '20', conts: [' 10', ' 20', ' 30'], gold: [1] },
    { name: 'digits whose index and text readings agree', target: '2', doc: { choices: ['0', '1', '2'] }, conts: [' 0', ' 1', ' 2'], gold: [2] },
    { name: 'digits whose index and text readings disagree: unknown', target: '1', doc: { choices: ['1', '2', '3'] }, conts: [' 1', ' 2', ' 3'], gold: null },
    { name: 'a text fitting several choices: unknown', target: 'yes', conts: [' yes', ' yes', ' no'], gold: null },
    { name: 'a text fitting no choice: unknown (the harness scores it -100)', target: 'maybe', conts: [' yes', ' no'], gold: null },
    { name: 'no target at all', target: undefined, conts: [' yes', ' no'], gold: null },
  ];
  it.each(cases)('$name', ({ target, doc, conts, gold: want }) => {
    expect(gold(readChoices(target, doc, same(conts.length), conts))).toEqual(want);
  });

  it('takes acc_norm lengths from the doc choices, else the continuation less one space, in code points', () => {
    expect(readChoices('0', { choices: ['naïve', '😀x'] }, same(2), [' naïve', ' 😀x'])?.normLengths).toEqual([5, 2]);
    expect(readChoices('0', {}, same(2), [' one', 'two'])?.normLengths).toEqual([3, 3]);
  });
});

describe('lm-eval gold: multiple-input tasks (winogrande)', () => {
  const sentence = 'Nadia lent her umbrella to Priya because _ was going out into the rain.';
  const doc = { sentence, option1: 'Nadia', option2: 'Priya', answer: '2' };
  const cont = ' was going out into the rain.';
  const fewshot = 'The glass fell on the carpet and broke, because the glass was fragile.\n\n';
  const choice = (o: string) => `Nadia lent her umbrella to Priya because ${o}`;

  it('recognises the shape: one continuation, several contexts', () => {
    expect(isMultipleInput([choice('Nadia'), choice('Priya')], [cont, cont])).toBe(true);
    expect(isMultipleInput([Q, Q], [cont, cont])).toBe(false);
    expect(isMultipleInput([Q, Q], [' a', ' b'])).toBe(false);
  });

  it("takes the gold from the doc's 1-based answer, not from the target that every choice shares", () => {
    for (const prefix of ['', fewshot]) {
      const r = readChoices('was going out into the rain.', doc, [prefix + choice('Nadia'), prefix + choice('Priya')], [cont, cont]);
      expect(gold(r)).toEqual([1]);
      // acc_norm divides by len(choice), and the choice is the partial sentence in the context.
      expect(r?.normLengths).toEqual([choice('Nadia').length, choice('Priya').length]);
    }
    expect(gold(readChoices('x', { ...doc, answer: 1 }, [choice('Nadia'), choice('Priya')], [cont, cont]))).toEqual([0]);
  });

  it('leaves the gold unknown when the doc does not decide it', () => {
    const contexts = [choice('Nadia'), choice('Priya')];
    // The test split has no answer.
    expect(gold(readChoices('x', { ...doc, answer: '' }, contexts, [cont, cont]))).toBeNull();
    // Options that the contexts do not end with (a chat template wrapped them, or another task).
    expect(readChoices('x', { ...doc, option1: 'Tom' }, contexts, [cont, cont])).toBeNull();
    // A doc of another shape: nothing says which context is gold, and the target fits them all.
    expect(readChoices(cont.trim(), { question: 'q' }, contexts, [cont, cont])).toBeNull();
    expect(readChoices('0', { question: 'q' }, contexts, [cont, cont])).toBeNull();
  });
});
