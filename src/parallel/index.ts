/**
 * `--jobs N`: an audit's files spread over worker threads, the main thread working too. Whole
 * files go to whichever thread is free; a large line-delimited file is cut into line ranges
 * (ranges.ts) whose record stage runs on any thread, and whose file stage (groups, held
 * findings, the precision pool, duplicate ids) the main thread runs over the ranges in file
 * order. What comes back is the FilePass of every file in input order: the same, field for field,
 * as one thread's (structured clone keeps Maps, Sets and typed arrays; a FilePass holds no class
 * instances), so reports are byte-identical to `--jobs 1`.
 */
import { stat } from 'node:fs/promises';
import { STDIN, duplicateId, emptyFileItem, readFileItems } from '../ingest/index.js';
import { IdSet } from '../ingest/id-set.js';
import { FileStage, type FilePass, type FindingPost } from '../engine/file-pass.js';
import type { Finding } from '../types.js';
import { FindingSpool, type Spool } from '../engine/finding-spool.js';
import { checkAccounting } from '../engine/accounting.js';
import { newAuditedList, sortAudited, type AuditedList } from '../engine/audited-list.js';
import { auditedListing } from '../engine/audited-listing.js';
import { longRows, planRanges } from './ranges.js';
import { auditWholeFile, runTask, type RangeResult, type Task, type TaskContext, type TaskResult } from './tasks.js';
import { WorkerThread } from './worker-thread.js';
import type { WorkerSettings } from './messages.js';

/** A range's size: small enough that the threads finish a file together, large enough that a range costs little to hand out. */
export const RANGE_BYTES = 2 << 20;
/** A file whose rows average fewer bytes than this is read whole by one thread, not in ranges (see longRows). */
export const MIN_RANGE_LINE_BYTES = 2048;
/** Inputs smaller than this in all run on the main thread: starting a worker (its modules, the rules) costs more than it saves. */
export const MIN_PARALLEL_BYTES = 8 << 20;
/** Tasks a loop may run ahead of the first result not yet taken (see parallelPasses). */
const AHEAD_PER_LOOP = 2;

/**
 * Formats whose rows convert one by one, whatever came before (their converters keep no state
 * across rows), so that a file's line ranges can be converted apart. The others (lighteval
 * numbers its rows, Inspect and HELM read their documents whole) are read whole by one thread.
 */
const LINE_FORMATS = new Set(['canonical', 'mapped', 'lm-eval-samples', 'lm-eval-v03', 'openai-chat', 'openai-completions', 'openai-responses', 'openai-batch', 'gemini', 'ollama', 'sglang', 'vllm', 'vllm-server', 'tgi', 'llama-cpp']);

export interface ParallelOptions {
  /** Threads, the main one included (≥ 2). */
  jobs: number;
  /** The worker entry module (it imports the rules: see worker.ts). */
  workerModule: string | URL;
  /**
   * Tuning, for tests: the size of a range (a file of two or more is cut), the input size below
   * which no worker starts, and the average row size below which a file is not cut.
   */
  rangeBytes?: number;
  minBytes?: number;
  minLineBytes?: number;
}

/** A file's place in the task list: one whole-file task, or `ranges` range tasks. */
interface Slot {
  file: string;
  first: number;
  ranges: number;
  stage: SplitFile | null;
}

/**
 * Every file's pass on `jobs` threads, in input order; null when the input is too small to be
 * worth a worker, or is one task (the caller runs it on its own thread).
 */
export async function parallelPasses(
  files: readonly string[],
  ctx: TaskContext,
  settings: WorkerSettings,
  options: ParallelOptions,
  onDone?: (records: number, file: string, done: number) => void,
): Promise<FilePass[] | null> {
  const sizes = await Promise.all(files.map((f) => (f === STDIN ? 0 : stat(f).then((s) => (s.isFile() ? s.size : 0), () => 0))));
  if (sizes.reduce((a, b) => a + b, 0) < (options.minBytes ?? MIN_PARALLEL_BYTES)) return null;
  // Planned before any worker starts (a few reads of each large file): a worker started for
  // nothing costs a tenth of a second of a core that the main thread needs (one file of short
  // rows is one task: 1.08x the time of --jobs 1 when a worker started and was stopped).
  const { tasks, slots } = await planTasks(files, sizes, ctx, options.rangeBytes ?? RANGE_BYTES, options.minLineBytes ?? MIN_RANGE_LINE_BYTES);
  const workers = Math.max(0, Math.min(options.jobs, tasks.length) - 1);
  // One task (one file read whole): the caller's own path, as --jobs 1 runs it (the task loop
  // with no worker peaked ~8 MB higher on 440 MB of score rows).
  if (workers === 0) return null;
  const threads = Array.from({ length: workers }, () => new WorkerThread(options.workerModule, settings));
  try {
    // null: a split file whose groups were not contiguous, until it is audited again (below).
    const passes: (FilePass | null)[] = [];
    const results: (TaskResult | undefined)[] = [];
    let nextRange = 0; // of the file passes.length is at
    let taken = 0; // results taken by deliver
    // Results are taken in task order: a split file's ranges reach its file stage in file order.
    const deliver = () => {
      while (passes.length < slots.length) {
        const { file, first, ranges, stage } = slots[passes.length];
        if (!stage) {
          const r = results[first] as Extract<TaskResult, { kind: 'file' }> | undefined;
          if (!r) return;
          results[first] = undefined;
          taken++;
          // A worker's pass, with the findings it posted; one made on this thread is as it came.
          const fromWorker = posted[first];
          passes.push(fromWorker ? fromWorker.pass(r.pass) : r.pass);
          posted[first] = undefined;
        } else {
          for (; nextRange < ranges; nextRange++) {
            const r = results[first + nextRange] as Extract<TaskResult, { kind: 'range' }> | undefined;
            if (!r) return;
            results[first + nextRange] = undefined;
            taken++;
            stage.add(r.result);
          }
          nextRange = 0;
          const pass = stage.finish();
          // Groups that were not contiguous: the file is audited again on this thread, holding them.
          if (pass === null) redo.push(passes.length);
          passes.push(pass);
        }
        const done = passes.at(-1);
        if (done) onDone?.(done.summary.records, file, passes.length - redo.length);
      }
    };
    const redo: number[] = [];
    // A whole file on a worker posts its findings as they arise: collected here per task.
    const posted: (PostedFindings | undefined)[] = [];
    let next = 0;
    let failed = false;
    // Results are held until their turn: no loop starts a task more than AHEAD past the first
    // result not yet taken, or a fast worker's results would pile up while this thread is busy.
    const ahead = AHEAD_PER_LOOP * (1 + 2 * threads.length);
    let waiting: (() => void)[] = [];
    const work = async (run: (task: Task, i: number) => Promise<TaskResult>) => {
      while (next < tasks.length && !failed) {
        if (next >= taken + ahead) {
          await new Promise<void>((wake) => waiting.push(wake));
          continue;
        }
        const i = next++;
        try {
          results[i] = await run(tasks[i], i);
          deliver();
        } catch (err) {
          failed = true;
          throw err;
        } finally {
          const woken = waiting;
          waiting = [];
          for (const wake of woken) wake();
        }
      }
    };
    // Two loops per worker: one task running and one queued there while this thread is busy. A
    // worker takes its first task when it is ready, not when it starts: on 110 MB of top-k rows,
    // the two tasks handed to it at once waited ~0.25 s for its modules while this thread, done
    // with the tasks before and after them, stood idle at the ahead limit (0.2 s of 1.5 in its
    // CPU profile). Wall time on two vCPUs did not move (both were busy: the worker's start, JIT).
    const onWorker = (t: WorkerThread) => (task: Task, i: number) => t.run(task, task.kind === 'file' ? (posted[i] = new PostedFindings(ctx.spool)) : undefined);
    // When this thread has taken the last task first, the worker's loops end without waiting for it.
    const here = work((task) => runTask(task, ctx));
    const readyOrDone = (t: WorkerThread) => Promise.race([t.ready, here.catch(() => undefined)]);
    await Promise.all([here, ...threads.flatMap((t) => [readyOrDone(t).then(() => work(onWorker(t))), readyOrDone(t).then(() => work(onWorker(t)))])]);
    for (let k = 0; k < redo.length; k++) {
      const i = redo[k];
      const pass = await auditWholeFile(slots[i].file, ctx, undefined, { holdGroups: true });
      passes[i] = pass;
      onDone?.(pass.summary.records, slots[i].file, passes.length - redo.length + k + 1);
    }
    return passes as FilePass[]; // every null was replaced above
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/**
 * A whole file's findings as a worker posts them while it audits it (FindingPost), then the rest
 * its pass holds, put together in the order they arose: into the run's spool when there is one
 * (FilePass.spooled, as a pass made on this thread has them), else back into the pass. The worker
 * so holds at most POSTED_AT of a file's findings, and this thread what the spool holds.
 */
class PostedFindings implements FindingPost {
  private part: FindingSpool | null;
  private held: Finding[] = [];

  constructor(private readonly spool: Spool | undefined) {
    this.part = spool ? new FindingSpool(spool) : null;
  }

  batch(findings: Finding[]): void {
    if (this.part) for (const f of findings) this.part.add(f);
    else for (const f of findings) this.held.push(f);
  }

  /** The worker reads the file again: what it posted of the first reading is dropped (its spilled runs are left unread). */
  restart(): void {
    this.part = this.spool ? new FindingSpool(this.spool) : null;
    this.held = [];
  }

  /** The worker's pass as the audit takes it: the findings it did not post yet added to those it did. */
  pass(p: FilePass): FilePass {
    this.batch(p.findings);
    return this.part ? { ...p, findings: [], spooled: this.part.finish() } : { ...p, findings: this.held };
  }
}

/** A task per file, or per line range of a large file of long rows whose format reads line by line. */
async function planTasks(files: readonly string[], sizes: readonly number[], ctx: TaskContext, rangeBytes: number, minLineBytes: number): Promise<{ tasks: Task[]; slots: Slot[] }> {
  const tasks: Task[] = [];
  const slots: Slot[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i];
    // The format and the cuts are looked for at once; the cuts count only for a format read line by line.
    const [format, cuts] = sizes[i] >= 2 * rangeBytes ? await Promise.all([splitFormat(file, ctx), planRanges(file, rangeBytes, minLineBytes).catch(() => null)]) : [null, null];
    const ranges = format !== null && cuts !== null && longRows(cuts, minLineBytes) ? cuts : null;
    slots.push({ file, first: tasks.length, ranges: ranges?.length ?? 0, stage: ranges ? new SplitFile(file, format, ctx) : null });
    if (ranges) for (const range of ranges) tasks.push({ kind: 'range', file, format: format!, range });
    else tasks.push({ kind: 'file', file });
  }
  return { tasks, slots };
}

/** The format of a file whose line ranges can be read apart, or null (another container or format, or no format at all). */
async function splitFormat(file: string, ctx: TaskContext): Promise<string | null> {
  const reading = await readFileItems(file, ctx.read);
  reading.close();
  return reading.container === 'jsonl' && !reading.eventStream && reading.format !== null && LINE_FORMATS.has(reading.format) ? reading.format : null;
}

/**
 * The file stage of a file read in ranges, fed their results in file order; duplicate ids are
 * found here, over the whole file. It streams its groups (file-pass.ts); when a finished group
 * comes back, it stops, and the file is audited again whole, holding every group.
 */
class SplitFile {
  private readonly stage: FileStage;
  /** A finished group came back: the rest is not looked at. */
  private scattered = false;
  private readonly ids = new IdSet();
  private readonly accounting = { rows: 0, lost: [] as number[], items: { record: 0, invalid: 0, skipped: 0 } };
  private readonly audited: AuditedList | undefined;

  constructor(
    private readonly file: string,
    format: string | null,
    ctx: TaskContext,
  ) {
    this.audited = ctx.listAudited ? newAuditedList() : undefined;
    this.stage = new FileStage(file, format, ctx.config, this.audited ? auditedListing(this.audited) : {}, true, ctx.spool);
  }

  add(range: RangeResult): void {
    if (this.scattered) return;
    const { accounting, stage } = this;
    accounting.rows += range.rows;
    for (const line of range.lost) accounting.lost.push(line); // not push(...): a range may lose more rows than a call has arguments
    for (const item of range.items) {
      if (item.kind === 'outcome') {
        const duplicate = duplicateId(this.file, item.line, item.id, this.ids);
        if (!duplicate) {
          accounting.items.record++;
          if (stage.record(item)) continue;
          this.scattered = true;
          return;
        }
        accounting.items.invalid++;
        stage.item(duplicate as Extract<typeof duplicate, { kind: 'invalid' }>);
        continue;
      }
      if (item.kind !== 'aggregate' && !item.wholeFile) accounting.items[item.kind]++;
      stage.item(item);
    }
  }

  /** The file's pass, or null when its groups were not contiguous. */
  finish(): FilePass | null {
    if (this.scattered) return null;
    if (this.accounting.rows === 0) this.stage.item(emptyFileItem(this.file) as Extract<ReturnType<typeof emptyFileItem>, { kind: 'invalid' }>);
    const pass = this.stage.finish(this.accounting);
    checkAccounting(pass.summary, this.accounting);
    if (this.audited) pass.summary.auditedItems = sortAudited(this.audited);
    return pass;
  }
}
