import { createRule } from '../src/engine/rule.js';
import { allLogprobs, fmt } from '../src/engine/evidence.js';
import type { RunContext } from '../src/engine/run-context.js';
import type { FilePrecision, GridClaim } from '../src/engine/precision-pool.js';

const meta = {
  id: 'low-precision',
  defaultSeverity: 'warning',
  evidence: 'per-token values or score, with a reference to compare with; for files, the numbers of every record',
  summary: 'numbers computed in float16 / bfloat16 (or with noisier kernels): off the reference by more than float32 gives and within half precision, or on a half-precision grid (not a logic bug)',
} as const;

/**
 * Record scope, asked after every bug hypothesis at the half-precision tier: the numbers missed
 * float32 (else there would be no such tier) and fit half precision. Not a bug in the record:
 * the engine counts the verdict into its file's summary (basis 'precision').
 */
function checkRecord(ctx: import('../src/engine/record-context.js').RecordContext) {
  if (!ctx.finalTier || ctx.tier.precision === 'fp32' || !ctx.nullFits) return null;
  const { values, ref } = ctx;
  // Half precision rounds numbers; it does not make them positive or change what is summed.
  if (values && !allLogprobs(values)) return null;
  const format = ctx.tier.format;
  const grid = ctx.shownFormat;
  const worst = ctx.valuesCheck.worst;
  const onGrid = grid ? `lie on the ${grid} grid and ` : '';
  const off = worst > 0 ? `by up to ${fmt(worst)} per token` : 'by more than float32 rounding';
  return {
    message: `the numbers ${onGrid}differ from the float64 reference ${off}, within ${format} error: computed in half precision`,
    recorded: ctx.score ?? ctx.valuesTotal,
    expected: Number.isNaN(ref.total) ? null : ref.total,
    evidence: { precision: format, maxTokenError: worst, grid },
    basis: 'precision' as const,
    declared: ctx.precisionDeclared,
  };
}

function chance(c: GridClaim): string {
  const k = Math.floor(-c.chanceLog10);
  return k >= 1 ? `1 in 10^${k}` : fmt(10 ** c.chanceLog10);
}

function gridSentence(what: string, c: GridClaim): string {
  return `the ${what} of ${c.records} record(s) lie on the ${c.format} grid (${c.informative} informative numbers; chance if computed in float32 or printed: ${chance(c)})`;
}

/** One finding per file: how many records fit only half precision, and the grids the file's numbers lie on. */
function summarise(p: FilePrecision) {
  const parts: string[] = [];
  const first = p.examples[0];
  if (p.verdicts > 0) {
    const formats = [...new Set(p.examples.map((e) => e.format))].join(' / ');
    parts.push(
      `${p.verdicts} of ${p.records} record(s) differ from the reference by more than float32 gives and within ${formats} error (first: ${JSON.stringify(first.id)}, line ${first.line}${first.worst > 0 ? `, up to ${fmt(first.worst)} per token` : ''})`,
    );
  }
  if (p.values) parts.push(gridSentence('per-token values', p.values));
  if (p.scores) parts.push(gridSentence('scores', p.scores));
  const at = first ?? p.values ?? p.scores!;
  const grid = p.values ?? p.scores;
  return {
    file: p.file,
    line: at.line,
    recordId: 'id' in at ? at.id : undefined,
    message: `${parts.join('; ')}: computed in half precision`,
    evidence: {
      records: p.records,
      halfPrecisionRecords: p.verdicts,
      examples: p.examples,
      grid: grid ? { format: grid.format, numbers: grid.informative, records: grid.records, chanceLog10: grid.chanceLog10 } : null,
    },
    declared: p.declared,
  };
}

export default createRule({ ...meta, scope: 'record' }, checkRecord);

/** The file-level summary: the records' verdicts and the pooled grid, once per file. */
export const runRule = createRule({ ...meta, scope: 'run' }, (run: RunContext) => run.precision.map(summarise));
