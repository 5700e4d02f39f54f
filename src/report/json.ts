/**
 * The machine report (schema/report.schema.json). Key order is fixed by construction and
 * findings are sorted, so the same run gives the same bytes.
 */
import { toolVersion } from '../project.js';
import type { Accuracy, FileSummary, RunResult } from '../engine/result.js';
import type { Finding, Severity } from '../types.js';
import { displayPath } from './format.js';
import { compareText, inReportOrder, sortFindings, sortedByKey } from '../engine/order.js';
import type { ReportOptions } from './reporter.js';
import type { AccuracyCheck, GateOutcome } from '../gate/outcome.js';
import type { FindingKey } from './finding-key.js';
import { joined, jsonPieces } from './json-pieces.js';

export const REPORT_SCHEMA_VERSION = 2;

export { toolVersion };

/** A number as JSON can hold it: the non-finite values JSON lacks become their names. */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** JSON.stringify would write NaN and ±Infinity as null, which reads as "no value"; name them instead. */
export function encodeNumber(n: number): JsonNumber {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return n;
}

/**
 * Evidence is whatever a rule found useful; make it JSON-safe throughout: non-finite numbers
 * named, typed arrays as arrays, bigints as numbers (or strings when too large to be exact),
 * undefined members dropped.
 */
export function encodeEvidence(value: unknown): unknown {
  if (typeof value === 'number') return encodeNumber(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(encodeEvidence);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, encodeEvidence);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[key] = encodeEvidence(member);
    }
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export interface JsonAccuracy {
  groups: number;
  recorded: number | null;
  recomputed: number | null;
  changed: number;
}

export interface JsonFinding {
  ruleId: string;
  messageId: string;
  severity: Severity;
  file: string;
  line: number;
  recordId?: string | number;
  group?: string | number;
  message: string;
  recorded?: JsonNumber | null;
  expected?: JsonNumber | null;
  evidence?: Record<string, unknown>;
}

/** What was read and how it was checked, for the whole run and for each file alike. */
export type JsonCounts = Pick<FileSummary, 'records' | 'audited' | 'invalid' | 'skipped' | 'skipReasons' | 'coverage'>;

export interface JsonReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'evalaudit'; version: string };
  summary: { files: number } & JsonCounts & {
    findings: Record<Severity, number>;
    byRule: Record<string, number>;
    accuracy: JsonAccuracy;
    tasks?: Record<string, JsonAccuracy>;
    suppressed?: number;
  };
  gate?: JsonGate;
  files: ({ file: string; format: string | null } & JsonCounts & { accuracy: JsonAccuracy; tasks?: Record<string, JsonAccuracy> })[];
  findings: JsonFinding[];
}

export interface JsonGate {
  passed: boolean;
  failOn: GateOutcome['failOn'];
  failing: number;
  maxWarnings?: NonNullable<GateOutcome['maxWarnings']>;
  accuracy: AccuracyCheck[];
  baseline?: { file: string; suppressed: number; stale: FindingKey[]; updated: boolean };
}

/** The report as an object, for callers that want it unserialised (the library API, tests). */
export function buildJsonReport(result: RunResult, options: Pick<ReportOptions, 'cwd' | 'gate'> = {}): JsonReport {
  return { ...reportHead(result, options), findings: sortFindings(result.findings).map((f) => findingJson(f, options.cwd)) };
}

/** Everything but the findings, which come last. */
function reportHead(result: RunResult, options: Pick<ReportOptions, 'cwd' | 'gate'>): Omit<JsonReport, 'findings'> {
  const { summary } = result;
  const { gate } = options;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'evalaudit', version: toolVersion },
    summary: {
      files: summary.files,
      ...countsJson(summary),
      findings: { error: summary.findings.error, warning: summary.findings.warning, info: summary.findings.info },
      byRule: sortedByKey(summary.byRule),
      accuracy: accuracyJson(summary.accuracy),
      ...(summary.tasks ? { tasks: tasksJson(summary.tasks) } : {}),
      ...(gate?.baseline ? { suppressed: gate.baseline.suppressed.length } : {}),
    },
    ...(gate ? { gate: gateJson(gate) } : {}),
    files: result.files.map((f) => fileJson(f, options.cwd)),
  };
}

export function renderJson(result: RunResult, options: ReportOptions): string {
  return joined(renderJsonChunks(result, options));
}

/** The same text as `renderJson`, piece by piece (what a large run's writer streams). */
export function renderJsonChunks(result: RunResult, options: ReportOptions): Generator<string> {
  return jsonPieces({ ...reportHead(result, options), findings: [] }, inReportOrder(result.findings), (f) => findingJson(f, options.cwd));
}

/** In schema order; coverage in the fixed order of EVIDENCE_LEVELS, best evidence first. */
function countsJson(c: JsonCounts): JsonCounts {
  const { logits, server, topk, values, score } = c.coverage;
  return {
    records: c.records,
    audited: c.audited,
    invalid: c.invalid,
    skipped: c.skipped,
    skipReasons: sortedByKey(c.skipReasons),
    coverage: { logits, server, topk, values, score },
  };
}

function accuracyJson(a: Accuracy): JsonAccuracy {
  return { groups: a.groups, recorded: a.recorded, recomputed: a.recomputed, changed: a.changed };
}

function fileJson(f: FileSummary, cwd: string | undefined): JsonReport['files'][number] {
  return {
    file: displayPath(f.file, cwd),
    format: f.format,
    ...countsJson(f),
    accuracy: accuracyJson(f.accuracy),
    ...(f.tasks ? { tasks: tasksJson(f.tasks) } : {}),
  };
}

function tasksJson(tasks: Record<string, Accuracy>): Record<string, JsonAccuracy> {
  const out: Record<string, JsonAccuracy> = {};
  for (const task of Object.keys(tasks).sort(compareText)) out[task] = accuracyJson(tasks[task]);
  return out;
}

function gateJson(g: GateOutcome): JsonGate {
  return {
    passed: g.passed,
    failOn: g.failOn,
    failing: g.failing,
    ...(g.maxWarnings ? { maxWarnings: { limit: g.maxWarnings.limit, warnings: g.maxWarnings.warnings, passed: g.maxWarnings.passed } } : {}),
    accuracy: g.accuracy.map((c) => ({
      scope: c.scope, name: c.name, source: c.source, limit: c.limit, groups: c.groups, recorded: c.recorded, recomputed: c.recomputed, change: c.change, passed: c.passed,
      ...(c.note !== undefined ? { note: c.note } : {}),
    })),
    ...(g.baseline ? { baseline: { file: g.baseline.file, suppressed: g.baseline.suppressed.length, stale: g.baseline.stale, updated: g.baseline.updated } } : {}),
  };
}

function findingJson(f: Finding, cwd: string | undefined): JsonFinding {
  // Written out in schema order; absent optional members are left out rather than set to undefined.
  return {
    ruleId: f.ruleId,
    messageId: f.messageId,
    severity: f.severity,
    file: displayPath(f.file, cwd),
    line: f.line,
    ...(f.recordId !== undefined ? { recordId: f.recordId } : {}),
    ...(f.group !== undefined ? { group: f.group } : {}),
    message: f.message,
    ...(f.recorded !== undefined ? { recorded: f.recorded === null ? null : encodeNumber(f.recorded) } : {}),
    ...(f.expected !== undefined ? { expected: f.expected === null ? null : encodeNumber(f.expected) } : {}),
    ...(f.evidence !== undefined ? { evidence: encodeEvidence(f.evidence) as Record<string, unknown> } : {}),
  };
}
