/**
 * Honest numerics: records whose numbers are the toy model's correct log-probs, computed along
 * another legitimate path than their evidence (test/helpers/honest.ts), get no finding, or at most
 * low-precision where half precision (or noise beyond float32 kernels) made them; buggy scorers
 * run on the same noisy passes keep their names. Verdicts are the engine's own (diagnoseRecord).
 */
import { describe, expect, it } from 'vitest';
import { verdict } from './helpers/rule-tester.js';
import { buggyRecord, honestRecord, type Bug, type LogitPath, type ScorePath, type ValuePath } from './helpers/honest.js';
import { targetsAreFavourites, toy, type Level, type Toy } from './helpers/toy-model.js';

/** Toys with logits around +10, as real LMs emit them (relative noise and half rounding scale with them). */
const toys = (count: number, seed: number): Toy[] => Array.from({ length: count }, (_, k) => toy(seed + k, 1 + ((k * 7) % 24), { shift: 10 }));
const LEVELS: readonly Level[] = ['logits', 'topk', 'values'];

function tally(records: { rule: string | null }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) out[r.rule ?? 'clean'] = (out[r.rule ?? 'clean'] ?? 0) + 1;
  return out;
}

function verdicts(make: (t: Toy, level: Level, seed: number) => Parameters<typeof verdict>[0], levels = LEVELS, count = 30) {
  const out: { rule: string | null; level: Level }[] = [];
  for (const level of levels) for (const [k, t] of toys(count, 1000).entries()) out.push({ rule: verdict(make(t, level, 77 + k)).rule?.id ?? null, level });
  return out;
}

describe('float32 paths and float32-size noise: no finding at all', () => {
  const quiet: [ValuePath, ScorePath][] = [
    ['f64', 'seq32'],
    ['f64', 'f64'],
    ['f64', 'mean-n'],
    ['f64', 'sig6'],
    ['f64', 'values-sig6'],
    ['rel1e-7', 'seq32'], // a KV-cache pass
    ['rel1e-6', 'seq32'], // batching, padding, other kernels
    ['abs1e-5', 'seq32'],
  ];
  it.each(quiet)('values %s, score %s', (values, score) => {
    const got = verdicts((t, level, seed) => honestRecord(t, level, values, score, seed));
    expect(tally(got)).toEqual({ clean: got.length });
  });
});

describe('half precision and larger noise: never an error, at most low-precision', () => {
  const half: [ValuePath, ScorePath][] = [
    ['bf16', 'seq32'],
    ['fp16', 'seq32'],
    ['bf16-out', 'seq32'],
    ['fp16-out', 'fp16-acc'],
    ['f64', 'fp16-acc'],
    ['f64', 'bf16-round'],
    ['f64', 'fp16-round'],
    ['rel1e-4', 'seq32'],
    ['rel1e-3', 'seq32'],
    ['abs1e-3', 'seq32'],
    ['abs1e-2', 'seq32'],
  ];
  it.each(half)('values %s, score %s', (values, score) => {
    const got = verdicts((t, level, seed) => honestRecord(t, level, values, score, seed));
    for (const g of got) expect([null, 'low-precision'], g.level).toContain(g.rule);
  });

  it('bfloat16 logits at logits level: the difference is named, as low-precision', () => {
    const got = verdicts((t, level, seed) => honestRecord(t, level, 'bf16', 'seq32', seed), ['logits']);
    expect(tally(got)['low-precision']).toBeGreaterThan(got.length / 2);
  });
});

describe('buggy controls under the same noise', () => {
  const named: Record<Bug, string> = { 'temp0.7': 'temperature-scaled', 'temp0.9': 'temperature-scaled', argmax: 'high-confidence-wrong-token', offby1: 'wrong-token-index' };
  /** Toys where the bug changes the numbers and a logits-level record can tell it (a temperature needs two steps). */
  const applies = (bug: Bug, t: Toy) =>
    bug === 'argmax' ? !targetsAreFavourites(t) : bug === 'offby1' ? t.ids.every((y) => y + 1 < t.vocab) : t.n >= 2;

  const quietNoise: LogitPath[] = ['f64', 'rel1e-7', 'rel1e-6'];
  it.each((['temp0.7', 'temp0.9', 'argmax', 'offby1'] as Bug[]).flatMap((bug) => quietNoise.map((noise) => [bug, noise] as const)))(
    'logits level: %s under %s noise keeps its name',
    (bug, noise) => {
      const cases = toys(40, 2000).filter((t) => applies(bug, t));
      const got = cases.map((t, k) => verdict(buggyRecord(t, 'logits', bug, noise, 5 + k)).rule?.id ?? null);
      expect(got.filter((r) => r === named[bug]).length).toBeGreaterThanOrEqual(Math.ceil(0.9 * cases.length));
    },
  );

  it.each(quietNoise)('top-k level: the favourites gathered under %s noise keep their name', (noise) => {
    const cases = toys(40, 3000).filter((t) => applies('argmax', t));
    const got = cases.map((t, k) => verdict(buggyRecord(t, 'topk', 'argmax', noise, 5 + k)).rule?.id ?? null);
    expect(got.filter((r) => r === 'high-confidence-wrong-token').length).toBeGreaterThanOrEqual(Math.ceil(0.9 * cases.length));
  });

  it.each(['bf16', 'fp16'] as const)('under %s logits every bug is still flagged, at logits level', (noise) => {
    for (const bug of ['temp0.7', 'argmax', 'offby1'] as Bug[]) {
      const cases = toys(40, 4000).filter((t) => applies(bug, t));
      const got = cases.map((t, k) => verdict(buggyRecord(t, 'logits', bug, noise, 5 + k)).rule?.id ?? null);
      expect(got.filter((r) => r !== null).length, bug).toBeGreaterThanOrEqual(Math.ceil(0.8 * cases.length));
    }
  });
});
