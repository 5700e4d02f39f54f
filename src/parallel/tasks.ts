/**
 * The units of work an audit spreads over threads, and how any thread (a worker or the main
 * thread) does one: a whole file (read and both stages of the file pass: a FilePass), or a line
 * range of a large file (read, parse, validate and the record stage: compact per-record outcomes
 * for the main thread's file stage). Tasks and results are plain data, posted between threads.
 */
import type { RawItem } from '../types.js';
import { findAdapter, newAccounting, readFileItems, rereadable, rowConverter, type ReadOptions } from '../ingest/index.js';
import { readJsonLineBatches } from '../ingest/rows.js';
import { openTextRange } from '../ingest/text.js';
import { judgeRecord, passFile, type FilePass, type FindingPost, type RecordOutcome } from '../engine/file-pass.js';
import { checkAccounting } from '../engine/accounting.js';
import type { EngineConfig } from '../engine/verdict.js';
import type { Spool } from '../engine/finding-spool.js';
import { newAuditedList, sortAudited, type AuditedList } from '../engine/audited-list.js';
import { auditedListing } from '../engine/audited-listing.js';
import type { LineRange } from './ranges.js';

export type Task = { kind: 'file'; file: string } | { kind: 'range'; file: string; format: string; range: LineRange };

/** A range's items in file order: records as their outcomes, the rest as read. Duplicate ids are left to the main thread, which sees the whole file. */
export interface RangeResult {
  items: (RecordOutcome | Exclude<RawItem, { kind: 'record' }>)[];
  /** Rows read, and lines of rows that became no item (see Accounting). */
  rows: number;
  lost: number[];
}

export type TaskResult = { kind: 'file'; pass: FilePass } | { kind: 'range'; result: RangeResult };

/** What every thread audits with. */
export interface TaskContext {
  config: EngineConfig;
  read: ReadOptions;
  /** List each file's audited records and groups (as JUnit needs). */
  listAudited: boolean;
  /** The run's findings spool (main thread only: a worker's passes hold their findings, spooled on arrival). */
  spool?: Spool;
}

/** `post`: on a worker, where a whole file's findings go as they arise (FindingPost). */
export async function runTask(task: Task, ctx: TaskContext, post?: FindingPost): Promise<TaskResult> {
  return task.kind === 'file' ? { kind: 'file', pass: await auditWholeFile(task.file, ctx, undefined, { post }) } : { kind: 'range', result: await judgeRange(task.file, task.format, task.range, ctx) };
}

/**
 * One file read and passed on one thread: what `--jobs 1` does for every file. `holdGroups`:
 * its groups are known not to be contiguous, so they are held from the start.
 */
export async function auditWholeFile(file: string, ctx: TaskContext, onRecord?: () => void, how: { holdGroups?: boolean; post?: FindingPost } = {}): Promise<FilePass> {
  // A file that can be read again streams its groups and only logs its ids (file-pass.ts).
  const reopen = !how.holdGroups && (await rereadable(file)) ? () => readFileItems(file, ctx.read) : undefined;
  const reading = await readFileItems(file, ctx.read, reopen ? 'log' : 'check');
  const audited: AuditedList | undefined = ctx.listAudited ? newAuditedList() : undefined;
  const pass = await passFile(file, reading, ctx.config, audited ? auditedListing(audited) : {}, { onRecord, reopen, spool: ctx.spool, post: how.post });
  checkAccounting(pass.summary, pass.accounting);
  if (audited) pass.summary.auditedItems = sortAudited(audited);
  return pass;
}

/** The record stage over one range of a JSONL file read with the adapter the main thread chose. */
async function judgeRange(file: string, format: string, range: LineRange, ctx: TaskContext): Promise<RangeResult> {
  const adapter = findAdapter(format);
  if (!adapter) throw new Error(`no adapter ${format}`);
  const accounting = newAccounting();
  const toItems = rowConverter(file, adapter, ctx.read, 'jsonl', accounting, null);
  const offset = range.line - 1;
  const items: RangeResult['items'] = [];
  for await (const rows of readJsonLineBatches(await openTextRange(file, range.start, range.end))) {
    for (const row of rows) row.line += offset;
    for (const item of toItems(rows)) items.push(item.kind === 'record' ? judgeRecord(item.record, file, item.line, ctx.config) : item);
  }
  return { items, rows: accounting.rows, lost: accounting.lost };
}
