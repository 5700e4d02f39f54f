/**
 * How much to fuzz. `npm test` runs a few seconds' worth with a fixed seed (reproducible);
 * `npm run fuzz -- --runs 10000 [--seed N]` runs more (scripts/fuzz.mjs passes them here as
 * FUZZ_RUNS / FUZZ_SEED). fast-check prints the seed and the shrunk case of any failure;
 * `--seed N` replays it.
 */
import fc from 'fast-check';

const runs = Number(process.env.FUZZ_RUNS ?? '');
const seed = Number(process.env.FUZZ_SEED ?? '');

/** The seed of `npm test`, fixed so the same cases run every time. */
export const DEFAULT_SEED = 1_202_612;

/** fast-check parameters for a property that gets `share` of the runs (the CLI gets fewer: each spawns a process). */
export function fuzzParams(share: number, defaultRuns: number): fc.Parameters<unknown> {
  const numRuns = Number.isFinite(runs) && runs > 0 ? Math.max(1, Math.round(runs * share)) : defaultRuns;
  return { numRuns, seed: Number.isFinite(seed) && process.env.FUZZ_SEED ? seed : DEFAULT_SEED, endOnFailure: true };
}
