/**
 * One worker thread as the main thread sees it: tasks posted, results awaited. A task that
 * fails in the worker rejects with the error it threw (an InputError or AccountingError rebuilt
 * as such); a worker that dies rejects what it was doing with an error that names the file.
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '../ingest/index.js';
import { AccountingError } from '../engine/accounting.js';
import type { Task, TaskResult } from './tasks.js';
import type { FindingPost } from '../engine/file-pass.js';
import type { PostedError, ReplyMessage, TaskMessage, WorkerSettings } from './messages.js';

/**
 * A worker's young generation, at most: V8's default on 64-bit systems (16 MB semi-spaces, 48 MB
 * in all) holds more garbage than a worker's short-lived rows need. 8 MB semi-spaces (24 MB):
 * on 110 MB of top-k rows with `--jobs 2`, peak RSS 131 MB against 142, wall 1.29 s against
 * 1.32 (medians of 5, interleaved). Left to V8 when the process was given a size of its own.
 */
export const WORKER_YOUNG_MB = 24;

function youngGenerationSet(): boolean {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  return /--(max-semi-space-size|semi-space-size|max-young-generation-size)/.test(flags.replace(/_/g, '-'));
}

interface Pending {
  task: Task;
  resolve: (r: TaskResult) => void;
  reject: (e: Error) => void;
  posted?: FindingPost;
}

export class WorkerThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private ids = 0;
  private ended = false;
  /** Why the worker stopped, when it stopped on its own. */
  private failure: string | null = null;
  private markReady!: () => void;
  /**
   * Settles when the worker has loaded its modules and rules (a few tenths of a second after it
   * starts), or has stopped. A task posted before then waits in the worker while the main thread
   * could have run it: the caller hands out tasks once this settles.
   */
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(module: string | URL, settings: WorkerSettings) {
    this.worker = new Worker(module, { workerData: settings, ...(youngGenerationSet() ? {} : { resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } }) });
    this.worker.on('message', (reply: ReplyMessage) => {
      if ('ready' in reply) return this.markReady();
      const p = this.pending.get(reply.id);
      if (!p) return;
      if ('findings' in reply || 'restart' in reply) {
        // Taking them in can fail (the spool): that fails this task, as it would on this thread.
        try {
          if ('findings' in reply) p.posted?.batch(reply.findings);
          else p.posted?.restart();
        } catch (err) {
          this.pending.delete(reply.id);
          p.reject(err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(rebuilt(reply.error, p.task.file));
      else p.resolve(reply.result);
    });
    this.worker.on('error', (err) => this.fail(`failed (${err.message})`, err.stack));
    this.worker.on('exit', (code) => this.fail(`stopped (exit code ${code})`));
    this.worker.on('messageerror', (err) => this.fail(`sent what cannot be read (${err.message})`, err.stack));
  }

  /** `posted`: where the findings a whole file's pass posts while it runs go (its result holds only the rest). */
  run(task: Task, posted?: FindingPost): Promise<TaskResult> {
    return new Promise((resolve, reject) => {
      if (this.ended) return reject(new Error(`internal error: a worker thread ${this.failure ?? 'had stopped'} before auditing ${task.file}`));
      const id = ++this.ids;
      this.pending.set(id, { task, resolve, reject, posted });
      this.worker.postMessage({ id, task } satisfies TaskMessage);
    });
  }

  async terminate(): Promise<void> {
    this.ended = true;
    this.markReady();
    await this.worker.terminate();
  }

  /** The worker is gone: whatever it was doing fails, naming the file. */
  private fail(what: string, stack?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = what;
    this.markReady();
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      const err = new Error(`internal error: a worker thread ${what} while auditing ${p.task.file}`);
      if (stack) err.stack = `${err.message}\n${stack}`;
      p.reject(err);
    }
  }
}

function rebuilt(e: PostedError, file: string): Error {
  if (e.name === 'InputError') return new InputError(e.message);
  if (e.name === 'AccountingError') return new AccountingError(e.message);
  const err = new Error(`internal error while auditing ${file}: ${e.message}`);
  err.stack = `${err.message}\n${e.stack ?? ''}`;
  return err;
}
