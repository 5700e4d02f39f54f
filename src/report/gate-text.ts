/** The CI gate's outcome in sentences, the same in every report that shows it. */
import type { AccuracyCheck, BaselineOutcome, GateOutcome } from '../gate/outcome.js';
import type { FindingKey } from './finding-key.js';
import { countOf, formatNumber, formatPercent } from './format.js';

function pp(n: number): string {
  return `${n > 0 ? '+' : ''}${formatNumber(Math.round(n * 1000) / 1000)} pp`;
}

/** `accuracy of task hellaswag changed -25 pp (75.0% → 50.0%), over the limit of 1 pp`. */
export function accuracyCheckLine(c: AccuracyCheck): string {
  const what = c.scope === 'run' ? 'accuracy over all files' : c.scope === 'file' ? `accuracy of ${c.name}` : `accuracy of task ${c.name}`;
  const from = c.source !== c.name && c.scope === 'file' ? ` (limit for ${c.source})` : '';
  if (c.change === null) return `${what}: cannot be checked against the limit of ${formatNumber(c.limit)} pp${from}: ${c.note ?? 'not measured'}`;
  const values = `(${formatPercent(c.recorded)} recorded → ${formatPercent(c.recomputed)} recomputed, ${countOf(c.groups, 'group')})`;
  return `${what} changed ${pp(c.change)} ${values}, ${c.passed ? 'within' : 'over'} the limit of ${formatNumber(c.limit)} pp${from}`;
}

export function maxWarningsLine(m: NonNullable<GateOutcome['maxWarnings']>): string {
  return `${countOf(m.warnings, 'warning')}, ${m.passed ? 'within' : 'more than'} --max-warnings ${m.limit}`;
}

export function baselineLine(b: BaselineOutcome): string {
  if (b.updated) return `baseline ${b.file} updated: ${countOf(b.suppressed.length, 'finding')} accepted`;
  const stale = b.stale.length === 0 ? '' : `; ${countOf(b.stale.length, 'stale entry', 'stale entries')} (no longer found: run --update-baseline to drop them)`;
  return `${b.suppressed.length} suppressed by the baseline ${b.file}${stale}`;
}

/** `sample-runs/cat.jsonl record "cat-A" greedy-choice/pickedFirstToken`. */
export function keyLine(k: FindingKey): string {
  const where = k.recordId !== undefined ? `record ${JSON.stringify(k.recordId)}` : `line ${k.line}`;
  return `${k.file} ${where} ${k.ruleId}/${k.messageId}`;
}

/** Every line of the gate's outcome worth a reader's attention, failures first. */
export function gateLines(gate: GateOutcome): string[] {
  const lines: string[] = [];
  for (const c of gate.accuracy) if (!c.passed) lines.push(accuracyCheckLine(c));
  if (gate.maxWarnings && !gate.maxWarnings.passed) lines.push(maxWarningsLine(gate.maxWarnings));
  for (const c of gate.accuracy) if (c.passed) lines.push(accuracyCheckLine(c));
  if (gate.maxWarnings?.passed) lines.push(maxWarningsLine(gate.maxWarnings));
  if (gate.baseline) lines.push(baselineLine(gate.baseline));
  return lines;
}
