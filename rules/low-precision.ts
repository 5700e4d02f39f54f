import { createRule } from '../src/engine/rule.js';
import { allLogprobs } from '../src/reference/vectors.js';
import { float16Tolerance, isBfloat16, isFloat16 } from '../src/reference/math.js';

/** A value that carries no precision information (small integers and halves are on every grid). */
function coarse(x: number): boolean {
  return Number.isInteger(x * 4);
}

type Grid = 'float16' | 'bfloat16';

const FP16 = 1;
const BF16 = 2;

/** The grids x lies on, as a bit set; -1 for a number that tells nothing (non-finite or coarse). */
function gridsOf(x: number): number {
  if (!Number.isFinite(x) || coarse(x)) return -1;
  return (isFloat16(x) ? FP16 : 0) | (isBfloat16(x) ? BF16 : 0);
}

/**
 * The half-precision grid every informative number lies on, and how many informative values
 * witness it, or null. Runs on every record: no allocation until a grid is found.
 */
function onGrid(values: ArrayLike<number> | null, score: number | undefined): { grid: Grid; informative: number } | null {
  let grids = FP16 | BF16;
  let informative = 0;
  // The score must lie on the grid too, but it is no second witness: with one value it is that value.
  const s = score === undefined ? -1 : gridsOf(score);
  if (s >= 0) grids &= s;
  if (values) {
    for (let i = 0; i < values.length && grids !== 0; i++) {
      const g = gridsOf(values[i]);
      if (g < 0) continue;
      grids &= g;
      informative++;
    }
  } else if (s >= 0) informative = 1;
  if (informative === 0 || grids === 0) return null;
  // bfloat16's grid is the coarser one (every bfloat16 value in range is also a float16 value):
  // name it first, or its larger errors would be judged by float16's tolerance.
  return { grid: grids & BF16 ? 'bfloat16' : 'float16', informative };
}

export default createRule(
  {
    id: 'low-precision',
    defaultSeverity: 'warning',
    evidence: 'per-token values or score; a reference bounds the error',
    summary: 'values computed in float16 / bfloat16: on a coarse grid, off by the error half precision gives (not a logic bug)',
    after: ['invalid-logprob'],
    messages: {
      onGrid: 'the numbers lie on the {{precision}} grid: computed in half precision',
      onGridWithError: 'the numbers lie on the {{precision}} grid and differ from the float64 reference by up to {{maxTokenError}} per token: computed in half precision',
    },
  },
  {
    record(ctx) {
      const { values, ref } = ctx;
      const found = onGrid(values, ctx.score);
      if (found === null) return null;
      const { grid } = found;
      // Half precision rounds numbers; it does not make them positive or change what is summed.
      if (values && !allLogprobs(values)) return null;
      if (values && values.length === ctx.n && ctx.score !== undefined && ctx.nulls === 0) {
        const tol = (grid === 'float16' ? 1 : 8) * float16Tolerance(ctx.valuesAbs, ctx.n);
        if (!(Math.abs(ctx.score - ctx.valuesTotal) <= tol)) return null;
      }
      // Where the reference is known, the error must be of the size half precision gives.
      const eps = grid === 'float16' ? 2 ** -10 : 2 ** -7;
      let worst = 0;
      let known = 0;
      let rounded = false;
      if (values && values.length === ctx.n) {
        for (let i = 0; i < ctx.n; i++) {
          const e = ref.exact[i];
          if (Number.isNaN(e)) continue;
          const err = Math.abs(values[i] - e);
          if (err > 4 * eps * (Math.abs(e) + 8)) return null;
          worst = Math.max(worst, err);
          known++;
          if (err > ctx.tokenTol(e)) rounded = true;
        }
      }
      // Values that match the reference to float32 rounding wherever it is known were computed in
      // float32, whatever grid they happen to lie on.
      if (known > 0 && !rounded) return null;
      // One number on the grid is chance (1 in 8192 float32 values, 1 in 125 scores rounded to three
      // decimals): it takes two, or one whose error against the reference is half precision's.
      if (found.informative < 2 && !rounded) return null;
      if (ctx.score !== undefined && !Number.isNaN(ref.total)) {
        const err = Math.abs(ctx.score - ref.total);
        if (err > (grid === 'float16' ? 1 : 8) * float16Tolerance(ctx.refAbs, ctx.n)) return null;
      }
      return {
        messageId: worst > 0 ? 'onGridWithError' : 'onGrid',
        data: { precision: grid, maxTokenError: worst },
        recorded: ctx.score ?? ctx.valuesTotal,
        expected: Number.isNaN(ref.total) ? null : ref.total,
        evidence: { precision: grid, maxTokenError: worst },
      };
    },
  },
);
