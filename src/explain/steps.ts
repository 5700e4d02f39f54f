/**
 * The per-step sections of explain: each token's recorded value next to the reference, then the
 * totals. Written once against a Style (terminal or Markdown).
 */
import type { RecordContext } from '../engine/record-context.js';
import { UNIT_ROUNDOFF } from '../reference/precision.js';
import { formatNumber } from '../report/format.js';
import type { Style } from '../report/layout.js';

/** One row per token, plus a row per recorded value beyond the tokens (a length mismatch). */
export function tokenSection(ctx: RecordContext, s: Style): string[] {
  const recordedCount = ctx.values?.length ?? 0;
  const rows: string[][] = [];
  for (let i = 0; i < Math.max(ctx.n, recordedCount); i++) rows.push(i < ctx.n ? tokenRow(ctx, i, s) : extraValueRow(ctx, i));
  const out = s.heading('Tokens', 2);
  if (rows.length === 0) return [...out, '(no per-token data: the record has no tokens, token ids, per-token values, logits or top-k lists)'];
  out.push(
    ...s.table(['step', 'token', 'recorded', 'reference', 'top alternative', 'recorded − reference', 'tolerance'], 'rlrrlrr', rows),
    '',
    `step is 0-based, as in a finding's evidence.step. ✓ the target is its step's top token; ✗ differs from the reference by more than its tolerance (what an honest ${ctx.tier.format} pipeline may differ by, see Precision); ≤ only an upper bound is known; ? unknown.`,
  );
  const note = lengthNote(ctx);
  if (note) out.push(note);
  return out;
}

function tokenRow(ctx: RecordContext, i: number, s: Style): string[] {
  return [String(i), tokenCell(ctx, i, s), recordedCell(ctx, i), referenceCell(ctx, i), topAlternativeCell(ctx, i, s), differenceCell(ctx, i), toleranceCell(ctx, i)];
}

/** A recorded value with no token to belong to: the scorer's window was off by some steps. */
function extraValueRow(ctx: RecordContext, i: number): string[] {
  return [String(i), '(no token)', recordedCell(ctx, i), '—', '—', '—', '—'];
}

/** Values are laid against tokens by position; the diagnosis says which value is the odd one. */
function lengthNote(ctx: RecordContext): string | null {
  const v = ctx.values;
  if (!v || v.length === ctx.n) return null;
  const lo = Math.min(v.length, ctx.n);
  const hi = Math.max(v.length, ctx.n) - 1;
  const steps = lo === hi ? `step ${lo}` : `steps ${lo}–${hi}`;
  const what = v.length > ctx.n ? 'no token' : 'no recorded value';
  return `${v.length} recorded values for ${ctx.n} tokens, shown by position: ${steps} ${lo === hi ? 'has' : 'have'} ${what}.`;
}

function tokenCell(ctx: RecordContext, i: number, s: Style): string {
  const t = ctx.token(i);
  if (t !== undefined) return s.quote(t);
  const id = ctx.record.token_ids?.[i];
  return id !== undefined ? `id ${id}` : '?';
}

function recordedCell(ctx: RecordContext, i: number): string {
  const v = ctx.values;
  if (!v) return 'n/a';
  if (i >= v.length) return '(missing)';
  return ctx.record.logprobs![i] === null ? 'null' : formatNumber(v[i]);
}

/** Where the target was not in a top-k list, the list still bounds it from above. */
export function hasBound(ctx: RecordContext, i: number): boolean {
  return Number.isNaN(ctx.ref.exact[i]) && ctx.ref.upper[i] !== 0;
}

function referenceCell(ctx: RecordContext, i: number): string {
  const e = ctx.ref.exact[i];
  if (!Number.isNaN(e)) return formatNumber(e);
  return hasBound(ctx, i) ? `≤ ${formatNumber(ctx.ref.upper[i])}` : '?';
}

function topAlternativeCell(ctx: RecordContext, i: number, s: Style): string {
  const { ref } = ctx;
  if (Number.isNaN(ref.top1[i])) return '—';
  const label = ref.top1Token[i] !== '' ? s.quote(ref.top1Token[i]) : ref.top1Id[i] >= 0 ? `id ${ref.top1Id[i]}` : '?';
  return `${label} ${formatNumber(ref.top1[i])}${isTop(ctx, i) ? ' ✓' : ''}`;
}

/** The target is the step's favourite: by id when both sides have one, else by text (as findInTop matches). */
function isTop(ctx: RecordContext, i: number): boolean {
  const { ref, record } = ctx;
  const id = record.token_ids?.[i];
  if (ref.top1Id[i] >= 0 && id !== undefined) return ref.top1Id[i] === id;
  const t = ctx.token(i);
  return ref.top1Token[i] !== '' && t !== undefined && ref.top1Token[i] === t;
}

function differenceCell(ctx: RecordContext, i: number): string {
  const v = ctx.values;
  if (!v || i >= v.length || Number.isNaN(v[i])) return '—';
  const e = ctx.ref.exact[i];
  if (!Number.isNaN(e)) return `${signed(v[i] - e)}${ctx.valueMatches(i, e) ? '' : ' ✗'}`;
  if (!hasBound(ctx, i)) return '?';
  // reference ≤ upper, so recorded − reference ≥ recorded − upper.
  const u = ctx.ref.upper[i];
  return `≥ ${signed(v[i] - u)}${v[i] > u + ctx.stepTol(i) ? ' ✗' : ''}`;
}

/** ± the step's tolerance at the precision the verdict was reached at. */
function toleranceCell(ctx: RecordContext, i: number): string {
  if (!ctx.values || i >= ctx.values.length || (Number.isNaN(ctx.ref.exact[i]) && !hasBound(ctx, i))) return '—';
  return `± ${formatNumber(ctx.stepTol(i))}`;
}

const FORMAT_OF_U = new Map<number, string>(Object.entries(UNIT_ROUNDOFF).map(([f, u]) => [u, f]));

/**
 * The precision the record was judged at and why, and the formats its numbers show: what every
 * tolerance in the tables comes from (src/reference/precision.ts).
 */
export function precisionSection(ctx: RecordContext, s: Style): string[] {
  const tier = ctx.tier.format;
  const setting = ctx.precisionDeclared ? `declared ${ctx.setting}` : 'auto (inferred from the evidence)';
  let why: string;
  if (ctx.tiers.length === 1) why = ctx.setting === 'fp32' ? 'float32 only, as declared' : 'the numbers fit float32';
  else if (ctx.precisionDeclared) why = `the numbers miss float32, so the declared ${tier} was tried after it`;
  else {
    const shown = ctx.shownFormat;
    why = `the numbers miss float32, so ${tier} was tried after it (${shown ? `the values lie on the ${shown} grid` : 'the widest half precision: the values show no grid'})`;
  }
  const pairs: [string, string][] = [
    ['setting', setting],
    ['judged at', `${tier}: ${why}`],
    ['values stored as', ctx.values ? (FORMAT_OF_U.get(ctx.valuesUAt(ctx.tier)) ?? '?') : 'n/a'],
  ];
  if (ctx.score !== undefined) {
    pairs.push(['score summed in', FORMAT_OF_U.get(ctx.accU) ?? '?']);
    if (ctx.scoreResolution > 0) pairs.push(['score printed to', `± ${formatNumber(ctx.scoreResolution)}`]);
  }
  return [...s.heading('Precision', 2), ...s.items(pairs)];
}

function signed(x: number): string {
  return x > 0 ? `+${formatNumber(x)}` : formatNumber(x);
}

export function totalsSection(ctx: RecordContext, s: Style): string[] {
  const pairs: [string, string][] = [
    ['recorded score', ctx.score === undefined ? 'n/a (no score recorded)' : `${formatNumber(ctx.score)} (${ctx.kind})`],
    ['Σ recorded values', recordedSum(ctx)],
    ['reference total log-prob', referenceTotal(ctx)],
  ];
  const total = ctx.ref.total;
  if (!Number.isNaN(total)) {
    // The score is compared in its own kind; show the reference in that kind too.
    if (ctx.kind !== 'logprob') pairs.push([`reference as ${ctx.kind}`, formatNumber(ctx.declared(total))]);
    if (ctx.score !== undefined) {
      pairs.push(['recorded − reference score', signed(ctx.score - ctx.declared(total))]);
      if (ctx.kind === 'logprob') pairs.push(['tolerance', `± ${formatNumber(ctx.totalTol() + ctx.scoreResolution)} (the steps' noise in quadrature, the sum's rounding, the score's printing)`]);
    }
  }
  return [...s.heading('Totals', 2), ...s.items(pairs)];
}

function recordedSum(ctx: RecordContext): string {
  if (!ctx.values) return 'n/a (no per-token values recorded)';
  const nulls = ctx.nulls > 0 ? ` (${ctx.nulls} null${ctx.nulls === 1 ? '' : 's'} counted as 0)` : '';
  return `${formatNumber(ctx.valuesTotal)} over ${ctx.values.length} value${ctx.values.length === 1 ? '' : 's'}${nulls}`;
}

function referenceTotal(ctx: RecordContext): string {
  const { ref } = ctx;
  if (!Number.isNaN(ref.total)) return formatNumber(ref.total);
  if (ctx.n === 0) return '? (no continuation tokens)';
  const known = `${ref.known} of ${ctx.n} steps known`;
  // Known steps plus upper bounds for the rest bound the total when every step has one or the other.
  let bound = 0;
  for (let i = 0; i < ctx.n; i++) {
    if (!Number.isNaN(ref.exact[i])) bound += ref.exact[i];
    else if (hasBound(ctx, i)) bound += ref.upper[i];
    else return `? (${known})`;
  }
  return `≤ ${formatNumber(bound)} (${known})`;
}
