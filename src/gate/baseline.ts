/**
 * The baseline: findings a team has accepted, so that CI fails on new ones only. Entries are
 * finding keys (report/finding-key.ts), matched exactly and never counted, so fixing one finding
 * and adding another of the same rule is caught. `--update-baseline` writes every current
 * finding, sorted, one key once; entries no finding matches any more are reported as stale.
 */
import { readFileSync } from 'node:fs';
import { schemaValidator } from '../lazy-ajv.js';
import type { Finding } from '../types.js';
import type { RunResult } from '../engine/result.js';
import { emptyTallies, tally, type FindingList } from '../engine/finding-spool.js';
import { IN_REPORT_ORDER, sortedByKey } from '../engine/order.js';
import { compareKeys, findingKey, keyText, type FindingKey } from '../report/finding-key.js';
import { SettingsError } from '../config/errors.js';

export const BASELINE_VERSION = 1;

/** The entries of a baseline file; a missing, unreadable or malformed file is a SettingsError naming it. */
export function readBaseline(path: string): FindingKey[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SettingsError(`cannot read baseline ${path}: ${code ?? String(e)}${code === 'ENOENT' ? ' (write one with --update-baseline)' : ''}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new SettingsError(`baseline ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const validate = schemaValidator('baseline');
  if (!validate(doc)) {
    const e = validate.errors?.[0];
    throw new SettingsError(`baseline ${path}: ${e ? `${e.instancePath || '(root)'} ${e.message}` : 'does not match schema/baseline.schema.json'}`);
  }
  // Rebuilt in the key's own member order, so a hand-edited entry reports like a written one.
  return (doc as { findings: FindingKey[] }).findings.map((k) => ({
    file: k.file,
    ...(k.recordId !== undefined ? { recordId: k.recordId } : { line: k.line }),
    ruleId: k.ruleId,
    messageId: k.messageId,
  }));
}

/** The baseline file for these findings: every key once, sorted, so the same findings give the same bytes. */
export function baselineText(findings: Iterable<Finding>, cwd?: string): string {
  const unique = new Map<string, FindingKey>();
  for (const f of findings) {
    const k = findingKey(f, cwd);
    unique.set(keyText(k), k);
  }
  const entries = [...unique.values()].sort(compareKeys).map((k) => ({
    file: k.file,
    ...(k.recordId !== undefined ? { recordId: k.recordId } : {}),
    ...(k.line !== undefined ? { line: k.line } : {}),
    ruleId: k.ruleId,
    messageId: k.messageId,
  }));
  return `${JSON.stringify({ baselineVersion: BASELINE_VERSION, tool: 'evalaudit', findings: entries }, null, 2)}\n`;
}

export interface Suppression {
  /** The run without the accepted findings, its counts recomputed. */
  result: RunResult;
  suppressed: Finding[];
  stale: FindingKey[];
}

/**
 * Removes the findings the baseline accepts; what it accepts that no finding matches is stale.
 * The run's list is read once here; what is kept is a view of it, read again as it is iterated
 * (a large run's list is on disk: finding-spool.ts).
 */
export function applyBaseline(result: RunResult, entries: readonly FindingKey[], cwd?: string): Suppression {
  const accepted = new Map(entries.map((k) => [keyText(k), k]));
  const keyOf = (f: Finding) => keyText(findingKey(f, cwd));
  const matched = new Set<string>();
  const suppressed: Finding[] = [];
  const counts = emptyTallies();
  let kept = 0;
  for (const f of result.findings) {
    const key = keyOf(f);
    if (accepted.has(key)) {
      matched.add(key);
      suppressed.push(f);
    } else {
      kept++;
      tally(counts, f);
    }
  }
  const all = result.findings;
  const findings: FindingList = {
    // In report order when the run's list is (a filter keeps the order).
    ...(IN_REPORT_ORDER in all ? { [IN_REPORT_ORDER]: true } : {}),
    length: kept,
    *[Symbol.iterator]() {
      for (const f of all) if (!accepted.has(keyOf(f))) yield f;
    },
  };
  const stale = [...accepted].filter(([key]) => !matched.has(key)).map(([, k]) => k).sort(compareKeys);
  return { result: { ...result, findings, summary: { ...result.summary, findings: counts.bySeverity, byRule: sortedByKey(counts.byRule) } }, suppressed, stale };
}
