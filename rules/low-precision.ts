import { createRule } from '../src/engine/rule.js';
import type { RecordContext } from '../src/engine/record-context.js';
import type { RunContext } from '../src/engine/run-context.js';
import type { FilePrecision, GridClaim } from '../src/engine/precision-pool.js';
import { allLogprobs } from '../src/reference/vectors.js';

const HALF = 'computed in half precision (or with noisier kernels)';
const RECORDS = '{{records}} of {{audited}} record(s) differ from what float32 gives by more than its rounding and within {{precision}} error (first: {{first|json}}, line {{firstLine}})';
const GRID = 'the {{numbers}} of {{gridRecords}} record(s) lie on the {{grid}} grid ({{informative}} informative numbers; by chance, had they been computed in float32 or printed: {{chance}})';

/**
 * Record scope, asked after every bug hypothesis and only at the half-precision tier: the numbers
 * missed float32 (else there would be no such tier) and fit half precision. Not a bug in the
 * record: the engine counts the verdict into its file's summary (basis 'precision').
 */
function checkRecord(ctx: RecordContext) {
  if (!ctx.finalTier || ctx.tier.precision === 'fp32' || !ctx.nullFits) return null;
  const { values, ref } = ctx;
  // Half precision rounds numbers; it does not make them positive or change what is summed.
  if (values && !allLogprobs(values)) return null;
  const grid = ctx.shownFormat;
  const worst = ctx.valuesCheck.worst;
  return {
    messageId: worst === 0 ? 'total' : grid ? 'valuesOnGrid' : 'values',
    data: { precision: ctx.tier.format, maxTokenError: worst, grid },
    recorded: ctx.score ?? ctx.valuesTotal,
    expected: Number.isNaN(ref.total) ? null : ref.total,
    evidence: { precision: ctx.tier.format, maxTokenError: worst, grid },
    basis: 'precision' as const,
    declared: ctx.precisionDeclared,
  };
}

/** 1 in 10^k, for a chance of 10^-k. */
function chance(c: GridClaim): string {
  return `1 in 10^${Math.floor(-c.chanceLog10)}`;
}

/** One finding per file: how many records fit only half precision, and the grid the file's numbers lie on. */
function summarise(p: FilePrecision) {
  const first = p.examples[0];
  const grid = p.values ?? p.scores;
  const at = first ?? grid!;
  const data: Record<string, unknown> = {};
  if (first) Object.assign(data, { records: p.verdicts, audited: p.records, precision: [...new Set(p.examples.map((e) => e.format))].join(' / '), first: first.id, firstLine: first.line });
  if (grid) Object.assign(data, { numbers: p.values ? 'per-token values' : 'scores', gridRecords: grid.records, grid: grid.format, informative: grid.informative, chance: chance(grid) });
  return {
    messageId: first && grid ? 'fileRecordsAndGrid' : first ? 'fileRecords' : 'fileGrid',
    data,
    file: p.file,
    line: at.line,
    recordId: at.id,
    evidence: {
      records: p.records,
      halfPrecisionRecords: p.verdicts,
      examples: p.examples,
      grid: grid ? { format: grid.format, values: p.values !== null, numbers: grid.informative, records: grid.records, chanceLog10: grid.chanceLog10 } : null,
    },
    declared: p.declared,
  };
}

export default createRule(
  {
    id: 'low-precision',
    defaultSeverity: 'warning',
    evidence: 'per-token values or score with a reference to compare with; for a file, the numbers of all its records',
    summary: 'numbers computed in float16 / bfloat16 (or with noisier kernels): off the reference by more than float32 gives and within half precision, or on a half-precision grid (not a logic bug)',
    // Only once every bug hypothesis has failed at every tier.
    after: [
      'invalid-logprob', 'length-mismatch', 'probability-product', 'probability-sum', 'softmax-skipped', 'softmax-twice',
      'high-confidence-wrong-token', 'wrong-token-index', 'normalization-mismatch', 'temperature-scaled',
    ],
    messages: {
      values: `the numbers differ from the float64 reference by up to {{maxTokenError}} per token, more than float32 gives and within {{precision}} error: ${HALF}`,
      valuesOnGrid: `the numbers lie on the {{grid}} grid and differ from the float64 reference by up to {{maxTokenError}} per token, within {{precision}} error: ${HALF}`,
      total: `the score differs from what its numbers add up to by more than float32 gives and within {{precision}} error: ${HALF}`,
      fileRecords: `${RECORDS}: ${HALF}`,
      fileGrid: `${GRID}: computed in half precision`,
      fileRecordsAndGrid: `${RECORDS}; ${GRID}: ${HALF}`,
    },
  },
  { record: checkRecord, run: (run: RunContext) => run.precision.map(summarise) },
);
