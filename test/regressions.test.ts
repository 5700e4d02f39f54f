/**
 * Records that once got the wrong root cause, found by a synthetic corpus made like the dev
 * corpus from another model (scripts/synth-corpus.ts). Each pins the mathematics of the fix.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rootCause } from './helpers/rule-tester.js';
import type { AuditRecord } from '../src/types.js';

describe('root causes the synthetic corpus got wrong once', () => {
  it('one token, last token dropped: the empty sum is exactly 0 (length-mismatch, not an underflow)', () => {
    // A float32 product of probabilities is 0 only below 2^-150; exp(-1.11) is 0.33.
    expect(rootCause({ id: 'A1', tokens: [' B'], token_ids: [330], logprobs: [-1.1134529113769531], score: 0 })).toBe('length-mismatch');
    expect(rootCause({ id: 'A2', tokens: [' B'], token_ids: [330], logprobs: [-0.026207666844129562], score: 0 })).toBe('length-mismatch');
  });

  it('probabilities recorded as values, one tiny: their product, not a window of log-probs', () => {
    // |p1·p2 − p2| = p2(1 − p1) is below an absolute tolerance when p2 < 1e-6: windows are for log-probs only.
    const r: AuditRecord = { id: 'B1', tokens: ['x', 'y'], token_ids: [1, 2], logprobs: [0.4879906475543976, 5.473738351469137e-9], score: 2.671133092491118e-9 };
    expect(rootCause(r)).toBe('probability-product');
  });

  it('a tiny positive score is never a sum of log-probs (no wrong-window finding)', () => {
    const r: AuditRecord = { id: 'p', tokens: ['a'], token_ids: [1], logprobs: [-15.3], score: Math.exp(-15.3) };
    expect(rootCause(r)).toBe('probability-product');
  });

  it('one known step cannot test a fitted temperature: it goes to score-mismatch', () => {
    const r = JSON.parse(readFileSync(new URL('./fixtures/regressions/temperature-one-known-step.json', import.meta.url), 'utf8')) as AuditRecord;
    expect(rootCause(r)).toBe('score-mismatch');
  });
});

describe('false alarms the final review found', () => {
  it('an honest left-to-right float32 sum next to a near-certain last token is not a dropped token', () => {
    const r: AuditRecord = {
      id: 'd',
      tokens: ['x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'],
      logprobs: [-0.5746906399726868, -0.5209566950798035, -0.17960934340953827, -0.2937968373298645, -1.164709448814392, -0.10355836153030396, -0.05311500281095505, -3.2130915883499256e-7],
      score: -2.8904361724853516,
    };
    expect(rootCause(r)).toBeNull();
  });
});
