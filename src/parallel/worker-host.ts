/**
 * The worker side of a parallel audit: a worker thread handed the rules by its entry module
 * (worker.ts for the default rules; write your own entry for a custom RuleSet) answers task
 * messages with their results. Functions cannot be posted between threads, hence the entry
 * module: the rules are imported there, and only their severities and the settings are posted.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RuleSet } from '../engine/rule-set.js';
import { engineConfig } from '../engine/index.js';
import { runTask } from './tasks.js';
import type { ReplyMessage, TaskMessage, WorkerSettings } from './messages.js';

/** Serves audit tasks on this worker thread with `rules`. Call it from a worker entry module. */
export function serveAuditWorker(rules: RuleSet): void {
  const port = parentPort;
  if (!port) throw new Error('serveAuditWorker runs in a worker thread');
  const settings = workerData as WorkerSettings;
  const ctx = { config: engineConfig(rules, settings.severities, settings.precision), read: settings.read, listAudited: settings.listAudited };
  // One task at a time, in the order posted: the main thread keeps one queued so that this
  // thread never waits for it between tasks.
  let queue: Promise<unknown> = Promise.resolve();
  const post = (id: number, err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ id, error: { name: e.constructor.name, message: e.message, stack: e.stack } } satisfies ReplyMessage);
  };
  port.on('message', (message: TaskMessage) => {
    queue = queue
      // A whole file's findings go to the main thread as they arise (into the run's spool there).
      .then(() => runTask(message.task, ctx, { batch: (findings) => port.postMessage({ id: message.id, findings } satisfies ReplyMessage), restart: () => port.postMessage({ id: message.id, restart: true } satisfies ReplyMessage) }))
      .then(
        (result) => {
          try {
            port.postMessage({ id: message.id, result } satisfies ReplyMessage);
          } catch (err) {
            post(message.id, err); // a result that cannot be cloned: a bug, reported as one
          }
        },
        (err: unknown) => post(message.id, err),
      );
  });
  port.postMessage({ ready: true } satisfies ReplyMessage);
}
