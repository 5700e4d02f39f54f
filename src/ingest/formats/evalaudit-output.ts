/**
 * What evalaudit itself writes, met again in a tree it audits: a CI job that writes its report
 * into the results folder (`-o results/evalaudit.json`) audits it on the next run. The JSON report
 * (`schemaVersion`, `tool.name`), a SARIF log whose driver is evalaudit, a shard's partial report
 * (its header line's `format: "evalaudit-partial"`), the baseline (`baselineVersion`) and the
 * config file (evalaudit.config.json). They hold no eval run: their rows are skipped, each with
 * why, instead of being unrecognised input that fails the gate.
 */
import type { FormatAdapter } from '../adapter.js';
import { baseName, isObject, skipped } from './values.js';

/** shard/partial-report.ts PARTIAL_FORMAT and config/load.ts CONFIG_FILE (ingest imports neither layer; a test holds them equal). */
export const OWN_PARTIAL_FORMAT = 'evalaudit-partial';
export const OWN_CONFIG_FILE = 'evalaudit.config.json';

/** Why its rows are skipped (reports tally rows by it). */
export const OWN_OUTPUT_SKIP = "evalaudit's own output (a report, baseline, partial report or config): not an eval run";

function isOwnOutput(v: unknown, file: string): boolean {
  if (!isObject(v)) return false;
  if (isObject(v.tool) && v.tool.name === 'evalaudit' && ('schemaVersion' in v || v.format === OWN_PARTIAL_FORMAT)) return true;
  if (v.tool === 'evalaudit' && 'baselineVersion' in v) return true;
  if (typeof v.$schema === 'string' && /sarif/i.test(v.$schema) && Array.isArray(v.runs)) {
    const run = v.runs[0];
    return isObject(run) && isObject(run.tool) && isObject(run.tool.driver) && run.tool.driver.name === 'evalaudit';
  }
  return baseName(file) === OWN_CONFIG_FILE;
}

export const evalauditOutputAdapter: FormatAdapter = {
  name: 'evalaudit-output',
  description: "evalaudit's own reports (JSON, SARIF, a shard's partial report), its baseline and its config file: skipped",
  containers: ['json', 'jsonl'],
  detect: isOwnOutput,
  createConverter(file) {
    return (row) => [skipped(file, row.line, OWN_OUTPUT_SKIP)];
  },
};
