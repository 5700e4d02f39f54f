/**
 * The one pass over a file that audit and explain share: every item read, each record's verdict,
 * findings held until their group is complete, groups finished, accuracy tallied, skipped and
 * invalid rows counted. audit aggregates what it returns; explain watches it through an observer
 * and renders one record, so the two cannot disagree about a record.
 *
 * It has two stages, so that a large file's records can be judged on several threads
 * (src/parallel/): the record stage (`recordOutcome`: one record's verdict, reduced to plain data
 * a worker can post) and the file stage (`FileStage`: what needs the whole file in order —
 * groups, held findings, the precision pool, scores, coverage, accuracy).
 *
 * Given a way to read the file again, the pass streams: each group is finished as soon as it is
 * complete (pending-groups.ts), and a file whose groups turn out not to be contiguous is read
 * a second time holding every group; otherwise every group is held until the file ends. Both
 * give the same result.
 */
import type { AuditRecord, Finding, RawItem, RecordId, ScoreKind } from '../types.js';
import type { Accounting, FileReading } from '../ingest/index.js';
import type { EvidenceLevel } from '../reference/sequence.js';
import type { FileSummary } from './result.js';
import { newCoverage } from './coverage.js';
import { samplesKey, type Aggregate, type RunContext } from './run-context.js';
import type { Candidate } from './group-context.js';
import type { HeldFinding } from './harmonize.js';
import { INVALID_RECORD } from './rule-set.js';
import { diagnoseRecord, engineFinding, recordFinding, type EngineConfig, type RecordVerdict } from './verdict.js';
import { candidateOf } from './candidates.js';
import { finishGroup, groupFinding, type GroupOutcome } from './groups.js';
import { accuracyOf, newTally, tallyGroup, tasksAccuracy, type AccuracyTally } from './accuracy.js';
import { addGroupScores, addScore, newFileScores, type FileScores } from './score-stats.js';
import { PrecisionPool, type FilePrecision, type PoolRecord } from './precision-pool.js';
import { PendingGroups } from './pending-groups.js';
import { FindingSpool, type Spool, type SpooledFindings } from './finding-spool.js';

/** What explain (or a test) may watch while a file is audited. */
export interface PassObserver {
  /** Every invalid or skipped row, in file order. */
  item?(item: Extract<RawItem, { kind: 'invalid' | 'skipped' | 'aggregate' }>): void;
  /** Every readable record with its verdict and (before its group settles it) its finding, in file order (record stage: not called for a file judged on several threads). */
  record?(record: AuditRecord, line: number, verdict: RecordVerdict, finding: Finding | null): void;
  /** Every readable record's outcome, in file order (file stage). */
  outcome?(outcome: RecordOutcome): void;
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
  /** In the order they arose (the audit sorts); empty when the pass had a spool (`spooled` holds them). */
  findings: Finding[];
  /** The findings, sorted and partly written out, when the pass was given the run's spool (main thread only: not posted). */
  spooled?: SpooledFindings;
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
 * One readable record as the file stage needs it: its verdict reduced to plain data
 * (structured-clonable), what the precision pool reads of it included (`verdict`: `precision`
 * when its numbers fit only half precision, `bug` when a rule named a bug).
 */
export interface RecordOutcome extends PoolRecord {
  kind: 'outcome';
  group?: RecordId;
  level: EvidenceLevel;
  scoreKind: ScoreKind;
  /** The record's finding (null when none, or its rule is off). */
  finding: Finding | null;
  /** Its diagnosis is range-only (its group's siblings may refine it). */
  range: boolean;
  values?: Float64Array;
  /** What its group keeps of it (grouped records only). */
  candidate?: Candidate;
  /** Its finding stands unless the file is a half-precision run (Diagnosis.unlessHalfRun). */
  unlessHalfRun?: true;
}

/** The record stage: one record's verdict as the file stage's outcome. */
export function recordOutcome(verdict: RecordVerdict, line: number, finding: Finding | null): RecordOutcome {
  const { ctx } = verdict;
  const group = ctx.record.group;
  const kind = verdict.diagnosis?.basis === 'precision' ? 'precision' : verdict.rule ? 'bug' : 'clean';
  const o: RecordOutcome = { kind: 'outcome', id: ctx.id, line, level: ctx.ref.level, score: ctx.score, scoreKind: ctx.kind, finding, verdict: kind, range: verdict.diagnosis?.basis === 'range' };
  if (kind === 'precision') {
    o.format = ctx.tier.format;
    o.worst = ctx.valuesCheck.worst;
    if (ctx.fitsAsPrint) o.printed = true;
  } else if (kind === 'clean' && ctx.values) o.values = ctx.values;
  if (kind === 'bug' && verdict.diagnosis?.unlessHalfRun) o.unlessHalfRun = true;
  if (group !== undefined) {
    o.group = group;
    o.candidate = candidateOf(verdict, line);
  }
  return o;
}

/** Judges one record (the record stage on the thread that read it). */
export function judgeRecord(record: AuditRecord, file: string, line: number, config: EngineConfig, observer: PassObserver = {}): RecordOutcome {
  const verdict = diagnoseRecord(record, file, line, config);
  const f = recordFinding(verdict, file, line, config);
  observer.record?.(record, line, verdict, f);
  return recordOutcome(verdict, line, f);
}

/**
 * Where a worker thread's file stage sends its findings as they arise, so that a whole file
 * audited on a worker never holds more than POSTED_AT of them: `batch` posts some (in the order
 * they arose), `restart` says the reading so far is dropped (the file is read again, holding its
 * groups). The main thread puts them into the run's spool (parallel/index.ts).
 */
export interface FindingPost {
  batch(findings: Finding[]): void;
  restart(): void;
}

/** Findings a worker's file stage holds before it posts them. */
export const POSTED_AT = 4096;

/** The file stage: consumes a file's non-record items and record outcomes in file order, and finishes the file. */
export class FileStage {
  private readonly summary: FileSummary;
  private readonly findings: Finding[] = [];
  /** Where findings go instead of `findings` when the run spools them. */
  private readonly spooled: FindingSpool | null;
  private readonly aggregates: Aggregate[] = [];
  private readonly scores: FileScores;
  private readonly samples: RunContext['samples'] = new Map();
  private readonly tally = newTally();
  private readonly taskTallies = new Map<string, AccuracyTally>();
  // A grouped record's finding waits for its group: siblings may refine a range-only diagnosis.
  private readonly groups: PendingGroups;
  // Half-precision verdicts and grids, summed up once per file (or, in a file that is no
  // half-precision run, reported one by one at its end).
  private readonly pool: PrecisionPool;
  /** Findings that stand unless the file is a half-precision run (RecordOutcome.unlessHalfRun), until kept. */
  private readonly unlessHalfRun = new WeakSet<Finding>();

  constructor(
    private readonly file: string,
    format: string | null,
    private readonly config: EngineConfig,
    private readonly observer: PassObserver = {},
    streaming = false,
    spool?: Spool,
    /** A worker's outlet for its findings (see FindingPost); without a spool only. */
    private readonly post?: FindingPost,
  ) {
    this.spooled = spool ? new FindingSpool(spool) : null;
    this.summary = { file, format, records: 0, audited: 0, invalid: 0, skipped: 0, skipReasons: {}, coverage: newCoverage(), accuracy: accuracyOf(newTally()) };
    this.groups = new PendingGroups(streaming, (id, cands, held) => this.finishGroup(id, cands, held));
    this.scores = newFileScores(file);
    this.pool = new PrecisionPool(file, config.precision !== undefined && config.precision !== 'auto');
  }

  /** An aggregate, an invalid or a skipped row. */
  item(item: Extract<RawItem, { kind: 'invalid' | 'skipped' | 'aggregate' }>): void {
    const { summary, observer } = this;
    if (item.kind === 'aggregate') {
      const { file, line, task, metric, value, run, samplesTask } = item;
      this.aggregates.push({ file, line, task, metric, value, run, ...(samplesTask !== undefined ? { samplesTask } : {}) });
      observer.item?.(item);
      return;
    }
    observer.item?.(item);
    if (!item.wholeFile) summary.records++;
    if (item.kind === 'skipped') {
      if (!item.wholeFile) summary.skipped++;
      if (item.sample) addSampleMetrics(this.samples, item.file, item.sample.run, item.sample.task, item.sample.metrics);
      summary.skipReasons[item.reason] = (summary.skipReasons[item.reason] ?? 0) + 1;
    } else {
      if (!item.wholeFile) summary.invalid++;
      const f = engineFinding(this.config, INVALID_RECORD, item.file, item.line, { messageId: item.code ?? 'format', data: { detail: item.message } }, item.recordId);
      if (f) this.keep(f);
    }
  }

  private keep(f: Finding): void {
    // A claim that stands unless the file is a half-precision run waits for the file's end (the pool gives it back then, or not).
    if (this.unlessHalfRun.delete(f) && this.pool.hold(f)) return;
    if (this.spooled) this.spooled.add(f);
    else if (this.findings.push(f) >= POSTED_AT && this.post) this.post.batch(this.findings.splice(0));
  }

  /** A readable record's outcome. False (and nothing kept) when streaming met a finished group again. */
  record(o: RecordOutcome): boolean {
    this.observer.outcome?.(o);
    this.summary.records++;
    this.summary.audited++;
    this.summary.coverage[o.level]++;
    // Witnessed: the record's own evidence reproduces its score, at float32 or at a precision the
    // setting allows (a half-precision verdict is the no-bug reading at that tier).
    const reproduced = (o.verdict === 'clean' && o.finding === null) || o.verdict === 'precision';
    addScore(this.scores, o.score, o.scoreKind, o.line, reproduced && (o.level === 'logits' || o.level === 'topk' || o.level === 'server'));
    const f = o.finding;
    const precise = o.verdict === 'precision';
    if (f && o.unlessHalfRun) {
      // Held by the pool when kept (at once, or when its group finishes) until the file tells
      // whether it is a half-precision run.
      this.pool.addUnlessHalfRun(o);
      this.unlessHalfRun.add(f);
    } else this.pool.add(o, precise ? f : null);
    if (o.group !== undefined) return this.groups.add(o.group, o.candidate!, f && !precise ? { finding: f, range: o.range } : null);
    if (f && !precise) this.keep(f);
    return true;
  }

  /** Once the file is read (`accounting`: that reading's): groups finished and judged, accuracy and precision summed up. */
  finish(accounting: Accounting): FilePass {
    const { summary, findings, tally, taskTallies } = this;
    this.groups.finishAll();
    summary.accuracy = accuracyOf(tally);
    const { individual, summary: precision } = this.pool.finish();
    for (const f of individual) this.keep(f);
    const tasks = tasksAccuracy(taskTallies);
    if (tasks) summary.tasks = tasks;
    const pass: FilePass = { summary, findings, aggregates: this.aggregates, samples: this.samples, tally, taskTallies, scores: this.scores, precision, accounting };
    if (this.spooled) pass.spooled = this.spooled.finish();
    return pass;
  }

  /** One complete group: harmonised and judged, its findings kept, its accuracy, scores and sample metrics added. */
  private finishGroup(id: RecordId, cands: Candidate[], held: HeldFinding[]): void {
    const { file, config, tally, taskTallies } = this;
    const outcome = finishGroup(file, id, cands, held, config);
    this.observer.group?.(outcome);
    for (const f of outcome.recordFindings) this.keep(f);
    const g = groupFinding(outcome);
    if (g) this.keep(g);
    tallyGroup(tally, outcome.context);
    const task = cands[0].task;
    if (task !== undefined) {
      let t = taskTallies.get(task);
      if (!t) taskTallies.set(task, (t = newTally()));
      tallyGroup(t, outcome.context);
    }
    addGroupScores(this.scores, id, cands);
    collectSampleMetrics(this.samples, file, cands);
  }
}

/** How a file pass runs, beyond its file and rules. */
export interface PassOptions {
  /** Called once per row, even when the file is read twice. */
  onRecord?: () => void;
  /**
   * Reads the file again from its start, checking its ids (a regular file can be, standard input
   * and a FIFO cannot): given, the pass streams its groups (see the top of this file), and the
   * reading it is handed may only log its ids (see passFile).
   */
  reopen?: () => Promise<FileReading>;
  /** The run's spool: the pass's findings go there (FilePass.spooled) instead of FilePass.findings. */
  spool?: Spool;
  /** On a worker thread: the findings are posted as they arise; FilePass.findings holds only those not posted yet, the last. */
  post?: FindingPost;
}

/**
 * Both stages over a file on this thread. A file that can be read again (`reopen`) is first read
 * streaming its groups, its record ids only logged (readFileItems' `ids: 'log'`, which the caller
 * chose); it is read again, checking each id as it comes, when one repeats, and holding every
 * group when streaming met a finished group again. Each reading starts over (`restart`). A
 * second reading always gives the pass: checking ids only turns repeated records into invalid
 * items, which end no group, so it cannot scatter a group that the first reading did not.
 */
export async function passFile(file: string, reading: FileReading, config: EngineConfig, observer: PassObserver = {}, options: PassOptions = {}): Promise<FilePass> {
  const { onRecord, reopen, spool, post } = options;
  if (!reopen) return (await passOnce(file, reading, config, observer, onRecord, false, spool, post)).pass!;
  let streaming = true;
  // Rows told by the readings before: onRecord hears of each row once, however often it is read.
  let told = 0;
  for (let current = reading; ; current = await reopen()) {
    let rows = 0;
    const tell =
      onRecord &&
      (() => {
        if (++rows <= told) return;
        told++;
        onRecord();
      });
    const { pass, again } = await passOnce(file, current, config, observer, tell, streaming, spool, post);
    if (pass) return pass;
    if (again === 'ids' && current !== reading) throw new Error(`${file}: reopen must read with its ids checked`);
    // The reading's findings are dropped with its stage (their spooled runs are left unread).
    observer.restart?.();
    post?.restart();
    if (again === 'groups') streaming = false;
  }
}

/**
 * One reading of the file: the pass, or null and why it must be read `again`: streaming met a
 * finished group again (`groups`), or a logged record id repeats (`ids`).
 */
async function passOnce(
  file: string,
  reading: FileReading,
  config: EngineConfig,
  observer: PassObserver,
  onRecord: (() => void) | undefined,
  streaming: boolean,
  spool: Spool | undefined,
  post?: FindingPost,
): Promise<{ pass: FilePass; again?: undefined } | { pass: null; again: 'groups' | 'ids' }> {
  const stage = new FileStage(file, reading.format, config, observer, streaming, spool, post);
  read: for await (const batch of reading.batches) for (const item of batch) {
    if (item.kind !== 'record') {
      stage.item(item);
      if (item.kind !== 'aggregate') onRecord?.();
      continue;
    }
    // Leaving the loop ends the reading (its generator's finally releases the file).
    if (!stage.record(judgeRecord(item.record, file, item.line, config, observer))) return { pass: null, again: 'groups' };
    onRecord?.();
    if (observer.stop?.()) break read;
  }
  if (reading.repeatedIds?.()) return { pass: null, again: 'ids' };
  return { pass: stage.finish(reading.accounting) };
}

/** Per-sample harness metrics, once per group, by run and task: what a results file's headline must average. */
function collectSampleMetrics(samples: RunContext['samples'], file: string, cands: Candidate[]): void {
  const c = cands[0];
  if (c.metrics && c.task) addSampleMetrics(samples, file, c.run, c.task, c.metrics);
}

/** One sample's metrics, added to its run and task's sums (a group's, or a skipped row's: SampleMetrics). */
function addSampleMetrics(samples: RunContext['samples'], file: string, run: string | undefined, task: string, metrics: Record<string, number>): void {
  const key = samplesKey(run, task);
  let byMetric = samples.get(key);
  if (!byMetric) samples.set(key, (byMetric = new Map()));
  for (const [metric, value] of Object.entries(metrics)) {
    let m = byMetric.get(metric);
    if (!m) byMetric.set(metric, (m = { sum: 0, count: 0, files: new Set() }));
    m.sum += value;
    m.count++;
    m.files.add(file);
  }
}
