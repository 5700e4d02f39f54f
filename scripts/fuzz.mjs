#!/usr/bin/env node
/**
 * `npm run fuzz -- [--runs N] [--seed S]`: the fuzz suite (test/fuzz/) with more cases than
 * `npm test` runs. Without --seed a fresh one is drawn and printed first, so any run can be
 * replayed; a failure also prints fast-check's seed and the shrunk case.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const value = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = value('--runs') ?? '2000';
const seed = value('--seed') ?? String(Math.floor(Math.random() * 2 ** 31));
if (!/^\d+$/.test(runs) || !/^-?\d+$/.test(seed)) {
  console.error('usage: npm run fuzz -- [--runs N] [--seed S]');
  process.exit(2);
}
console.log(`evalaudit fuzz: ${runs} runs, seed ${seed} (replay with --seed ${seed})`);
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', 'test/fuzz'], { stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: runs, FUZZ_SEED: seed } });
if (r.status !== 0) console.error(`evalaudit fuzz: FAILED with seed ${seed}`);
process.exit(r.status ?? 1);
