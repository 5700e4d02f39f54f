/**
 * The one pass over a file that audit and explain share: every item read, each record's verdict,
 * findings held until their group is complete, groups finished, accuracy tallied, skipped and
 * invalid rows counted. audit aggregates what it returns; explain watches it through an observer
 * and renders one record, so the two cannot disagree about a record.
 *
 * Given a way to read the file again, the pass streams: each group is finished as soon as it is
 * complete (pending-groups.ts), and a file whose groups turn out not to be contiguous is read
 * a second time holding every group; otherwise every group is held until the file ends. Both
 * give the same result.
 */
import type { AuditRecord, Finding, RawItem } from '../types.js';
import type { Accounting, FileReading } from '../ingest/index.js';
import type { FileSummary } from './result.js';
import { newCoverage } from './coverage.js';
import { samplesKey, type Aggregate, type RunContext } from './run-context.js';
import type { Candidate } from './group-context.js';
import { INVALID_RECORD } from './rule-set.js';
import { diagnoseRecord, engineFinding, recordFinding, type EngineConfig, type RecordVerdict } from './verdict.js';
import { candidateOf } from './candidates.js';
import { finishGroup, groupFinding, type GroupOutcome } from './groups.js';
import { accuracyOf, newTally, tallyGroup, tasksAccuracy, type AccuracyTally } from './accuracy.js';
import { addGroupScores, addScore, newFileScores, type FileScores } from './score-stats.js';
import { PrecisionPool, type FilePrecision } from './precision-pool.js';
import { PendingGroups } from './pending-groups.js';

/** What explain (or a test) may watch while a file is audited. */
export interface PassObserver {
  /** Every invalid or skipped row, in file order. */
  item?(item: Extract<RawItem, { kind: 'invalid' | 'skipped' | 'aggregate' }>): void;
  /** Every readable record with its verdict and (before its group settles it) its finding, in file order. */
  record?(record: AuditRecord, line: number, verdict: RecordVerdict, finding: Finding | null): void;
  /** Every group once it is complete (at the file's end, or streaming as soon as another group starts), harmonised and judged. */
  group?(outcome: GroupOutcome): void;
  /**
   * The pass starts over from the file's first item, holding every group (streaming met a
   * group again after finishing it): forget everything seen so far.
   */
  restart?(): void;
  /** Asked after each record: true ends the pass early (what is read so far is finished as usual). */
  stop?(): boolean;
}

export interface FilePass {
  summary: FileSummary;
  /** In the order they arose (the audit sorts). */
  findings: Finding[];
  aggregates: Aggregate[];
  /** This file's per-sample harness metrics by run and task (the audit merges them in file order). */
  samples: RunContext['samples'];
  tally: AccuracyTally;
  /** The accuracy tally of each task the file's groups name. */
  taskTallies: Map<string, AccuracyTally>;
  scores: FileScores;
  /** What the file's records showed of the pipeline's precision, for the low-precision run rule. */
  precision: FilePrecision | null;
  /** The accounting of the reading the pass used (the second one when it read the file again). */
  accounting: Accounting;
}

/**
 * `reopen`, when given, reads the file again from its start (a regular file can be, standard
 * input and a FIFO cannot): the pass then streams its groups (see the top of this file).
 * `onRecord` is called once per row, even when the file is read twice.
 */
export async function passFile(
  file: string,
  reading: FileReading,
  config: EngineConfig,
  observer: PassObserver = {},
  onRecord?: () => void,
  reopen?: () => Promise<FileReading>,
): Promise<FilePass> {
  if (!reopen) return (await passOnce(file, reading, config, observer, onRecord, false)).pass!;
  const first = await passOnce(file, reading, config, observer, onRecord, true);
  if (first.pass) return first.pass;
  observer.restart?.();
  let told = first.rows;
  const again = onRecord && (() => (told > 0 ? told-- : onRecord()));
  return (await passOnce(file, await reopen(), config, observer, again, false)).pass!;
}

/** One reading of the file: the pass, or null when streaming met a finished group again (after `rows` rows). */
async function passOnce(
  file: string,
  reading: FileReading,
  config: EngineConfig,
  observer: PassObserver,
  onRecord: (() => void) | undefined,
  streaming: boolean,
): Promise<{ pass: FilePass | null; rows: number }> {
  const summary: FileSummary = { file, format: reading.format, records: 0, audited: 0, invalid: 0, skipped: 0, skipReasons: {}, coverage: newCoverage(), accuracy: accuracyOf(newTally()) };
  const findings: Finding[] = [];
  const aggregates: Aggregate[] = [];
  const samples: RunContext['samples'] = new Map();
  const scores = newFileScores(file);
  const tally = newTally();
  const taskTallies = new Map<string, AccuracyTally>();
  // A grouped record's finding waits for its group: siblings may refine a range-only diagnosis.
  const groups = new PendingGroups(streaming, (id, cands, held) => {
    const outcome = finishGroup(file, id, cands, held, config);
    observer.group?.(outcome);
    findings.push(...outcome.recordFindings);
    const g = groupFinding(outcome);
    if (g) findings.push(g);
    tallyGroup(tally, outcome.context);
    const task = cands[0].task;
    if (task !== undefined) {
      let t = taskTallies.get(task);
      if (!t) taskTallies.set(task, (t = newTally()));
      tallyGroup(t, outcome.context);
    }
    addGroupScores(scores, id, cands);
    collectSampleMetrics(samples, file, cands);
  });
  let rows = 0;
  const row = () => {
    rows++;
    onRecord?.();
  };
  // Half-precision verdicts and grids, summed up once per file (or, in a file that is no
  // half-precision run, reported one by one at its end).
  const pool = new PrecisionPool(file, config.precision !== undefined && config.precision !== 'auto');
  const invalid = (item: Extract<RawItem, { kind: 'invalid' }>) => {
    const f = engineFinding(config, INVALID_RECORD, item.file, item.line, { messageId: item.code ?? 'format', data: { detail: item.message } }, item.recordId);
    if (f) findings.push(f);
  };

  read: for await (const batch of reading.batches) for (const item of batch) {
    if (item.kind === 'aggregate') {
      aggregates.push({ file: item.file, line: item.line, task: item.task, metric: item.metric, value: item.value, run: item.run });
      observer.item?.(item);
      continue;
    }
    if (item.kind === 'skipped' || item.kind === 'invalid') {
      observer.item?.(item);
      if (!item.wholeFile) summary.records++;
      if (item.kind === 'skipped') {
        if (!item.wholeFile) summary.skipped++;
        summary.skipReasons[item.reason] = (summary.skipReasons[item.reason] ?? 0) + 1;
      } else {
        if (!item.wholeFile) summary.invalid++;
        invalid(item);
      }
      row();
      continue;
    }
    summary.records++;
    summary.audited++;
    const { record, line } = item;
    const verdict = diagnoseRecord(record, file, line, config);
    summary.coverage[verdict.ctx.ref.level]++;
    addScore(scores, verdict.ctx.score, verdict.ctx.kind, line);
    const f = recordFinding(verdict, file, line, config);
    observer.record?.(record, line, verdict, f);
    const precise = verdict.diagnosis?.basis === 'precision';
    pool.add(verdict.ctx, line, precise ? 'precision' : verdict.rule ? 'bug' : 'clean', precise ? f : null);
    if (record.group !== undefined) {
      const held = f && !precise ? { finding: f, range: verdict.diagnosis?.basis === 'range' } : null;
      if (!groups.add(record.group, candidateOf(verdict, line), held)) return { pass: null, rows };
    } else if (f && !precise) findings.push(f);
    row();
    if (observer.stop?.()) break read;
  }

  groups.finishAll();
  summary.accuracy = accuracyOf(tally);
  const { individual, summary: precision } = pool.finish();
  findings.push(...individual);
  const tasks = tasksAccuracy(taskTallies);
  if (tasks) summary.tasks = tasks;
  return { pass: { summary, findings, aggregates, samples, tally, taskTallies, scores, precision, accounting: reading.accounting }, rows };
}

/** Per-sample harness metrics, once per group, by run and task: what a results file's headline must average. */
function collectSampleMetrics(samples: RunContext['samples'], file: string, cands: Candidate[]): void {
  const c = cands[0];
  if (!c.metrics || !c.task) return;
  const key = samplesKey(c.run, c.task);
  let byMetric = samples.get(key);
  if (!byMetric) samples.set(key, (byMetric = new Map()));
  for (const [metric, value] of Object.entries(c.metrics)) {
    let m = byMetric.get(metric);
    if (!m) byMetric.set(metric, (m = { sum: 0, count: 0, files: new Set() }));
    m.sum += value;
    m.count++;
    m.files.add(file);
  }
}
