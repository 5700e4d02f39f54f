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
  port.on('message', (message: TaskMessage) => {
    runTask(message.task, ctx).then(
      (result) => port.postMessage({ id: message.id, result } satisfies ReplyMessage),
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        port.postMessage({ id: message.id, error: { name: e.constructor.name, message: e.message, stack: e.stack } } satisfies ReplyMessage);
      },
    );
  });
}
