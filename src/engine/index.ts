/**
 * The engine: reads every file, asks the record rules about each record (first root cause
 * wins), the group rules about each multiple-choice group once its file is read, and the run
 * rules at the end. Severity comes from configuration, never from a rule.
 */
import pLimit from 'p-limit';
import type { AuditRecord, Finding, Severity, SeveritySetting } from '../types.js';
import { listInputFiles, readFileItems, type ReadOptions } from '../ingest/index.js';
import { groupRules, invalidRecordMeta, recordRules, runRules, ruleCatalogue } from '../../rules/index.js';
import { RecordContext } from './record-context.js';
import { GroupContext, type Candidate } from './group-context.js';
import type { Aggregate, RunContext } from './run-context.js';
import type { Accuracy, FileSummary, RunResult } from './result.js';
import type { Diagnosis, RecordRule, RuleMeta } from './rule.js';
import { harmonizeGroup, type HeldFinding } from './harmonize.js';
import { PrecisionPool, type FilePrecision } from './precision-pool.js';
import { compareFindings } from './order.js';
import { codePointLength } from '../ingest/formats/values.js';
import type { PrecisionSetting } from '../reference/precision.js';

export interface AuditOptions {
  /** Per-rule severity overrides (`--rule id=sev`). */
  severities?: Record<string, SeveritySetting>;
  /** Files read at once. */
  concurrency?: number;
  read?: ReadOptions;
  /** Called every 256 records with the running record count and the file being read. */
  onProgress?: (records: number, file: string) => void;
  /** The precision the pipeline ran in (`--precision`); `auto` infers it from the evidence. */
  precision?: PrecisionSetting;
}

export class ConfigError extends Error {}

/** Effective severity of each rule, validated against the catalogue. */
export function resolveSeverities(overrides: Record<string, SeveritySetting> = {}): Map<string, SeveritySetting> {
  const out = new Map<string, SeveritySetting>();
  const known = ruleCatalogue();
  for (const m of known) out.set(m.id, m.defaultSeverity);
  for (const [id, sev] of Object.entries(overrides)) {
    if (!out.has(id)) throw new ConfigError(`unknown rule ${id}; rules: ${known.map((m) => m.id).join(', ')}`);
    out.set(id, sev);
  }
  return out;
}

/**
 * Runs one rule's check so that a bug in it costs one verdict, not the run: the failure is said
 * on stderr with the rule and the place, and the audit goes on as if the rule had no opinion.
 */
export function guarded<T>(ruleId: string, file: string, line: number, check: () => T | null): T | null {
  try {
    return check();
  } catch (err) {
    process.stderr.write(`evalaudit: rule ${ruleId} failed at ${file}:${line}: ${err instanceof Error ? err.message : String(err)}\n`);
    return null;
  }
}

/** The record-level verdict: the first rule whose hypothesis reproduces the numbers. */
export interface RecordVerdict {
  ctx: RecordContext;
  rule: RuleMeta | null;
  diagnosis: Diagnosis | null;
}

/**
 * Rules are asked at float32 tolerances first; when the numbers do not fit float32 and the
 * precision setting allows half precision, once more at that tier (record-context.ts), so that a
 * bug reproduced to float32 rounding is named before a looser reading is tried.
 */
export function diagnoseRecord(
  record: AuditRecord,
  file: string,
  line: number,
  severities: Map<string, SeveritySetting>,
  rules: readonly RecordRule[] = recordRules,
  precision: PrecisionSetting = 'auto',
): RecordVerdict {
  const ctx = new RecordContext(record, file, line, precision);
  do {
    for (const rule of rules) {
      if (severities.get(rule.meta.id) === 'off') continue;
      const d = guarded(rule.meta.id, file, line, () => rule.check(ctx));
      if (d) return { ctx, rule: rule.meta, diagnosis: d };
    }
  } while (ctx.nextTier());
  return { ctx, rule: null, diagnosis: null };
}

/** A record verdict as the finding audit reports, or null when there is none or its rule is off. */
export function recordFinding(v: RecordVerdict, file: string, line: number, severities: Map<string, SeveritySetting>): Finding | null {
  if (!v.rule || !v.diagnosis) return null;
  const severity = severities.get(v.rule.id);
  if (severity === undefined || severity === 'off') return null;
  return toFinding(v.rule, severity, file, line, v.diagnosis, v.ctx.id, v.ctx.record.group);
}

export interface GroupOutcome {
  context: GroupContext;
  /** The candidates' record findings, harmonised within the group and filtered by severity. */
  recordFindings: Finding[];
  /** The first group rule that speaks, if any. */
  group: { meta: RuleMeta; severity: Severity; diagnosis: Diagnosis } | null;
}

/**
 * A group once its file is read: its record findings settled against each other (a range-only
 * diagnosis may be renamed by a sibling), then the group rules asked in order. audit and explain
 * both finish groups here, so they never disagree.
 */
export function finishGroup(
  file: string,
  key: string | number,
  candidates: Candidate[],
  held: HeldFinding[],
  severities: Map<string, SeveritySetting>,
): GroupOutcome {
  harmonizeGroup(held);
  const recordFindings: Finding[] = [];
  for (const h of held) {
    // Harmonisation may have renamed a finding to a rule with another (or no) severity.
    const sev = severities.get(h.finding.ruleId);
    if (sev === undefined || sev === 'off') continue;
    h.finding.severity = sev;
    recordFindings.push(h.finding);
  }
  const context = new GroupContext(file, key, candidates);
  for (const rule of groupRules) {
    const severity = severities.get(rule.meta.id);
    if (severity === undefined || severity === 'off') continue;
    const diagnosis = guarded(rule.meta.id, file, candidates[0].line, () => rule.check(context));
    if (diagnosis) return { context, recordFindings, group: { meta: rule.meta, severity, diagnosis } };
  }
  return { context, recordFindings, group: null };
}

function toFinding(meta: RuleMeta, severity: Severity, file: string, line: number, d: Diagnosis, recordId?: string | number, group?: string | number): Finding {
  const f: Finding = { ruleId: meta.id, severity, file, line: d.line ?? line, message: d.message };
  const id = d.recordId ?? recordId;
  if (id !== undefined) f.recordId = id;
  if (group !== undefined) f.group = group;
  if (d.recorded !== undefined) f.recorded = d.recorded;
  if (d.expected !== undefined) f.expected = d.expected;
  if (d.evidence !== undefined) f.evidence = d.evidence;
  return f;
}

/** The candidate summary a group keeps of a record: small, so groups can wait for their file's end. */
export function candidateOf(v: RecordVerdict, line: number): Candidate {
  const { ctx } = v;
  const r = ctx.record;
  // Numbers that only fit a wider precision are honest: the candidate is as clean as any.
  const clean = v.rule === null || v.diagnosis?.basis === 'precision';
  let total = ctx.ref.total;
  // Tolerances at the tier the verdict was reached in: what an honest pipeline's total may be off by.
  let tol = ctx.totalTol() + ctx.scoreResolution;
  if (Number.isNaN(total) && clean) {
    if (ctx.values && ctx.values.length === ctx.n && ctx.nulls === 0) {
      total = ctx.valuesTotal;
      tol = ctx.sumTol(ctx.valuesAbs, ctx.n) + ctx.scoreResolution;
    } else if (ctx.score !== undefined) {
      total = scoreAsTotal(ctx);
      tol = ctx.sumTol(Math.abs(total), 1) + ctx.scoreResolution;
    }
  }
  let first = ctx.n > 0 ? ctx.ref.exact[0] : NaN;
  let firstTol = ctx.n > 0 ? ctx.stepTol(0) : 0;
  if (Number.isNaN(first) && clean && ctx.values && ctx.values.length > 0) {
    first = ctx.values[0];
    firstTol = 0;
  }
  return {
    id: r.id,
    line,
    selected: r.selected === true,
    gold: r.gold,
    total,
    tol,
    first,
    firstTol,
    tokens: ctx.n,
    score: ctx.score,
    rootCause: clean ? null : (v.rule?.id ?? null),
    choiceIndex: r.choice_index,
    // Only harness metrics use it: characters as Python counts them (code points), without the
    // leading delimiter, as lm-eval's acc_norm.
    normLength: r.norm_length ?? (r.metrics && r.completion !== undefined ? codePointLength(r.completion.replace(/^\s/, '')) : undefined),
    metrics: r.metrics,
    task: r.task,
  };
}

/** The recorded score read back as a total log-prob, by its declared kind. */
function scoreAsTotal(ctx: RecordContext): number {
  const s = ctx.score!;
  switch (ctx.kind) {
    case 'logprob':
      return s;
    case 'mean_logprob':
      return ctx.n > 0 ? s * ctx.n : NaN; // a mean over an unknown number of tokens is no total
    case 'prob':
      return Math.log(s);
    case 'nll':
      return -s;
    case 'perplexity':
      return ctx.n > 0 ? -ctx.n * Math.log(s) : NaN;
  }
}

function emptyAccuracy(): Accuracy {
  return { groups: 0, recorded: null, recomputed: null, changed: 0 };
}

interface AccuracyTally {
  groups: number;
  pickedRight: number;
  scoredRight: number;
  changed: number;
}

/**
 * Accuracy is compared over the same groups before and after: those with a gold answer, a
 * recorded pick (or a harness's per-sample acc) and a trusted total for every candidate. A group
 * whose candidate has a root cause and no reference cannot be re-picked, so it is left out.
 */
function tallyGroup(t: AccuracyTally, g: GroupContext): void {
  if (!g.candidates.some((c) => c.gold === true)) return;
  const recordedAcc = g.candidates[0].metrics?.acc;
  const best = g.best;
  if ((!g.selected && recordedAcc === undefined) || !best) return;
  const before = g.selected ? g.selected.gold === true : recordedAcc === 1;
  const after = best.gold === true;
  t.groups++;
  if (before) t.pickedRight++;
  if (after) t.scoredRight++;
  if (before !== after || (g.selected !== null && g.selected !== best)) t.changed++;
}

function accuracyOf(t: AccuracyTally): Accuracy {
  return {
    groups: t.groups,
    recorded: t.groups ? t.pickedRight / t.groups : null,
    recomputed: t.groups ? t.scoredRight / t.groups : null,
    changed: t.changed,
  };
}

function newTally(): AccuracyTally {
  return { groups: 0, pickedRight: 0, scoredRight: 0, changed: 0 };
}

function addTally(into: AccuracyTally, t: AccuracyTally): void {
  into.groups += t.groups;
  into.pickedRight += t.pickedRight;
  into.scoredRight += t.scoredRight;
  into.changed += t.changed;
}

/** Audits the given files and directories. Throws InputError for an unreadable path. */
export async function audit(paths: readonly string[], options: AuditOptions = {}): Promise<RunResult> {
  const severities = resolveSeverities(options.severities);
  const files = await listInputFiles(paths);
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  const findings: Finding[] = [];
  const aggregates: Aggregate[] = [];
  const samples: RunContext['samples'] = new Map();
  const precision: FilePrecision[] = [];
  const declared = options.precision !== undefined && options.precision !== 'auto';
  const total = newTally();
  let recordsSeen = 0;

  const emit = (meta: RuleMeta, file: string, line: number, d: Diagnosis, recordId?: string | number) => {
    let sev = severities.get(meta.id);
    // What the user declared (--precision bf16) is information, unless they set the rule's severity.
    if (d.declared && sev !== 'off' && options.severities?.[meta.id] === undefined) sev = 'info';
    if (sev !== undefined && sev !== 'off') findings.push(toFinding(meta, sev, file, line, d, recordId));
  };

  const auditFile = async (file: string): Promise<FileSummary> => {
    const reading = await readFileItems(file, options.read);
    const summary: FileSummary = { file, format: reading.format, records: 0, invalid: 0, skipped: 0, skipReasons: {}, accuracy: emptyAccuracy() };
    const groups = new Map<string | number, Candidate[]>();
    // A grouped record's finding waits for its group: siblings may refine a range-only diagnosis.
    const held = new Map<string | number, HeldFinding[]>();
    // Half-precision verdicts and grids, summed up once per file by the low-precision run rule.
    const pool = new PrecisionPool(file, declared);
    for await (const batch of reading.batches) for (const item of batch) {
      if (item.kind === 'aggregate') {
        aggregates.push({ file: item.file, line: item.line, task: item.task, metric: item.metric, value: item.value });
        continue;
      }
      if (item.kind === 'skipped') {
        if (!item.wholeFile) {
          summary.records++;
          recordsSeen++;
          summary.skipped++;
        }
        summary.skipReasons[item.reason] = (summary.skipReasons[item.reason] ?? 0) + 1;
        continue;
      }
      if (item.kind === 'invalid' && item.wholeFile) {
        emit(invalidRecordMeta, item.file, item.line, { message: item.message });
        continue;
      }
      summary.records++;
      recordsSeen++;
      if (item.kind === 'invalid') {
        summary.invalid++;
        emit(invalidRecordMeta, item.file, item.line, { message: item.message }, item.recordId);
        continue;
      }
      const { record, line } = item;
      const verdict = diagnoseRecord(record, file, line, severities, recordRules, options.precision);
      const f = recordFinding(verdict, file, line, severities);
      const precise = verdict.diagnosis?.basis === 'precision';
      pool.add(verdict.ctx, line, precise ? 'precision' : verdict.rule ? 'bug' : 'clean', precise ? f : null);
      if (precise) {
        // Held by the pool: one summary per file, or one by one in a file that is no half-precision run.
      } else if (f && record.group !== undefined) {
        let list = held.get(record.group);
        if (!list) held.set(record.group, (list = []));
        list.push({ finding: f, range: verdict.diagnosis?.basis === 'range' });
      } else if (f) findings.push(f);
      if (record.group !== undefined) {
        let list = groups.get(record.group);
        if (!list) groups.set(record.group, (list = []));
        list.push(candidateOf(verdict, line));
      }
      if (options.onProgress && (recordsSeen & 255) === 0) options.onProgress(recordsSeen, file);
    }
    const tally = newTally();
    for (const [id, cands] of groups) {
      const outcome = finishGroup(file, id, cands, held.get(id) ?? [], severities);
      findings.push(...outcome.recordFindings);
      if (outcome.group) {
        const { meta, severity, diagnosis: d } = outcome.group;
        findings.push(toFinding(meta, severity, file, d.line ?? cands[0].line, d, d.recordId ?? outcome.context.selected?.id, id));
      }
      const g = outcome.context;
      tallyGroup(tally, g);
      collectSampleMetrics(samples, file, cands);
    }
    summary.accuracy = accuracyOf(tally);
    addTally(total, tally);
    const { individual, summary: p } = pool.finish();
    for (const f of individual) {
      // What the user declared (--precision bf16) is information, unless they set the rule's severity.
      if (declared && options.severities?.[f.ruleId] === undefined) f.severity = 'info';
      findings.push(f);
    }
    if (p) precision.push(p);
    return summary;
  };

  const summaries = await Promise.all(files.map((f) => limit(() => auditFile(f))));

  const run: RunContext = { aggregates, samples, precision };
  for (const rule of runRules) {
    if (severities.get(rule.meta.id) === 'off') continue;
    for (const d of guarded(rule.meta.id, '(run)', 0, () => rule.check(run)) ?? []) emit(rule.meta, d.file, d.line, d, d.recordId);
  }

  findings.sort(compareFindings);
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  const byRule: Record<string, number> = {};
  for (const f of findings) {
    bySeverity[f.severity]++;
    byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  }
  const rules = ruleCatalogue()
    .filter((m) => severities.get(m.id) !== 'off')
    .map((m) => ({ ...m, severity: severities.get(m.id) as Severity }));
  return {
    summary: {
      files: summaries.length,
      records: summaries.reduce((s, f) => s + f.records, 0),
      invalid: summaries.reduce((s, f) => s + f.invalid, 0),
      findings: bySeverity,
      byRule,
      accuracy: accuracyOf(total),
    },
    files: summaries,
    findings,
    rules,
  };
}

/** Per-sample harness metrics, once per group, by task: what a results file's headline must average. */
function collectSampleMetrics(samples: RunContext['samples'], file: string, cands: Candidate[]): void {
  const c = cands[0];
  if (!c.metrics || !c.task) return;
  let byMetric = samples.get(c.task);
  if (!byMetric) samples.set(c.task, (byMetric = new Map()));
  for (const [metric, value] of Object.entries(c.metrics)) {
    let m = byMetric.get(metric);
    if (!m) byMetric.set(metric, (m = { sum: 0, count: 0, files: new Set() }));
    m.sum += value;
    m.count++;
    m.files.add(file);
  }
}

