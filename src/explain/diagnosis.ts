/** The diagnosis section of explain: the finding the audit gives the record, or what "no finding" means here. */
import type { Finding } from '../types.js';
import type { RecordContext } from '../engine/record-context.js';
import { formatDatum } from '../engine/messages.js';
import { formatNumber, pairDigits } from '../report/format.js';
import type { Style } from '../report/layout.js';
import { hasBound } from './steps.js';

export function diagnosisSection(finding: Finding | null, ctx: RecordContext, s: Style, pooled = false): string[] {
  const head = s.heading('Diagnosis', 2);
  if (!finding) return [...head, noFinding(ctx)];
  const lines = [...head, ...findingLines(finding, s)];
  // The audit sums such verdicts up once per file (or lists them one by one in a file that is no half-precision run).
  if (pooled) lines.push('', "the audit reports this verdict in its file's low-precision summary, not as a finding of its own, unless the file holds more records with bugs than such records");
  return lines;
}

/** Only claim agreement with as much reference as the record actually carries. */
function noFinding(ctx: RecordContext): string {
  let bounded = 0;
  let unknown = 0;
  for (let i = 0; i < ctx.n; i++) {
    if (!Number.isNaN(ctx.ref.exact[i])) continue;
    if (hasBound(ctx, i)) bounded++;
    else unknown++;
  }
  if (ctx.ref.level === 'values' || ctx.ref.level === 'score' || (ctx.n > 0 && unknown === ctx.n)) {
    return 'no finding: the recorded numbers are consistent with each other, but the record carries no reference (logits, top-k lists or server log-probs) to check them against';
  }
  const caveats: string[] = [];
  if (bounded > 0) caveats.push('where only a bound is known, the recorded values respect it');
  if (unknown > 0) caveats.push(`${unknown} step${unknown === 1 ? ' has' : 's have'} no reference and ${unknown === 1 ? 'is' : 'are'} not checked`);
  return `no finding: the numbers agree with the reference within ${ctx.tier.format} tolerance${caveats.length ? ` (${caveats.join('; ')})` : ''}`;
}

/** Rule id and severity, message, recorded/expected, and the evidence as `key: value` lines. */
export function findingLines(f: Finding, s: Style, omit: readonly string[] = []): string[] {
  const pairs: [string, string][] = [
    ['rule', `${s.text(f.ruleId)} (${f.severity})`],
    ['message', s.text(f.message)],
  ];
  // Two numbers that differ show the digits where they do (pairDigits), as the Markdown report's do.
  const { recorded, expected } = f;
  const digits = typeof recorded === 'number' && typeof expected === 'number' ? pairDigits(recorded, expected) : 0;
  const show = (v: unknown): string => (digits > 0 && typeof v === 'number' ? formatNumber(v, digits) : formatDatum(v));
  if (recorded !== undefined) pairs.push(['recorded', show(recorded)]);
  if (expected !== undefined) pairs.push(['expected', show(expected)]);
  const evidence = Object.entries(f.evidence ?? {}).filter(([k, v]) => v !== undefined && !omit.includes(k));
  const lines = s.items(pairs);
  if (evidence.length > 0) lines.push(...s.items([['evidence', '']]), ...s.items(evidence.map(([k, v]) => [s.text(k), s.text(evidenceValue(v))]), 2));
  return lines;
}

/** Strings quoted (a token's spaces show), everything else as messages show it. */
function evidenceValue(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : formatDatum(v);
}
