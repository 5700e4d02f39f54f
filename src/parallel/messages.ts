/** What the main thread and its worker threads post each other (structured-clonable data only). */
import type { Finding, SeveritySetting } from '../types.js';
import type { PrecisionSetting } from '../reference/precision.js';
import type { ReadOptions } from '../ingest/index.js';
import type { Task, TaskResult } from './tasks.js';

/** What the main thread hands each worker when it starts it. */
export interface WorkerSettings {
  severities?: Record<string, SeveritySetting>;
  precision: PrecisionSetting;
  read: ReadOptions;
  listAudited: boolean;
}

export interface TaskMessage {
  id: number;
  task: Task;
}

/**
 * A task's result or error; or, while a whole file is audited, some of its findings, or word that
 * its reading so far is dropped (FindingPost); or, once, word that the worker has loaded its
 * modules and rules and takes tasks.
 */
export type ReplyMessage = { ready: true } | { id: number; result: TaskResult } | { id: number; error: PostedError } | { id: number; findings: Finding[] } | { id: number; restart: true };

/** An error as posted back: its class name (InputError and AccountingError are rebuilt as such), message and stack. */
export interface PostedError {
  name: string;
  message: string;
  stack?: string;
}

