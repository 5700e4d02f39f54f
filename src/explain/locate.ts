/**
 * Finding the record to explain, and its group, by watching the one file pass the audit runs:
 * the verdicts, findings and group outcomes explain shows are the audit's own.
 */
import type { AuditRecord, Finding, RawItem, RecordId } from '../types.js';
import type { GroupOutcome } from '../engine/groups.js';
import { passFile } from '../engine/file-pass.js';
import type { EngineConfig, RecordVerdict } from '../engine/verdict.js';
import { readFileItems, type ReadOptions } from '../ingest/index.js';

/** How many ids a not-found message lists: enough to spot a typo, few enough to read. */
const LISTED_IDS = 10;

/** The record cannot be explained: it is not in the file. The message says what is. */
export class ExplainError extends Error {
  override readonly name = 'ExplainError';
}

/**
 * What explain keeps of a group candidate beside the pass's own Candidate (same position in the
 * group): small, since a group can be far from its record in a large file.
 */
export interface Member {
  completion: string | undefined;
  /** Its record-level finding (the group's pass may rename it: see harmonize.ts). */
  finding: Finding | null;
  isTarget: boolean;
  /**
   * Whether the candidate's total and first-token log-prob are the reference's. Without a
   * reference the engine falls back to the recorded numbers of a clean record; say so.
   */
  totalIsReference: boolean;
  firstIsReference: boolean;
}

export interface RecordTarget {
  kind: 'record';
  line: number;
  verdict: RecordVerdict;
  /** Its record-level finding after the group had its say, as audit reports it. */
  finding: Finding | null;
}

export interface InvalidTarget {
  kind: 'invalid' | 'skipped';
  line: number;
  message: string;
}

export interface GroupView {
  outcome: GroupOutcome;
  /** members[i] describes outcome.context.candidates[i]. */
  members: Member[];
}

export interface Found {
  file: string;
  format: string | null;
  target: RecordTarget | InvalidTarget;
  group: GroupView | null;
}

/**
 * Reads the file once. Grouped records are kept as they stream by, since the target's siblings
 * may come before it; once the target is known, other groups are dropped, and an ungrouped
 * target needs nothing from the rest of the file.
 */
export async function locate(file: string, wanted: string, config: EngineConfig, read: ReadOptions): Promise<Found> {
  const reading = await readFileItems(file, read);
  const ids = new IdList();
  const members = new Map<RecordId, Member[]>();
  let target: RecordTarget | null = null;
  let targetGroup: RecordId | undefined;
  let outcome: GroupOutcome | null = null;
  let other: InvalidTarget | null = null;
  let firstProblem: Extract<RawItem, { kind: 'invalid' }> | null = null;
  let aggregates = 0;

  await passFile(file, reading, config, new Map(), {
    item(item) {
      if (item.kind === 'aggregate') {
        aggregates++;
        return;
      }
      if (item.kind === 'invalid') firstProblem ??= item;
      if (item.recordId === undefined) return;
      ids.add(item.recordId);
      // A later readable record with the same id wins: it is what audit checks.
      if (!target && !other && String(item.recordId) === wanted) {
        other = { kind: item.kind, line: item.line, message: item.kind === 'invalid' ? item.message : item.reason };
      }
    },
    record(record, line, verdict, finding) {
      ids.add(record.id);
      const isTarget = target === null && String(record.id) === wanted;
      const key = record.group;
      if (isTarget) {
        target = { kind: 'record', line, verdict, finding: key === undefined ? finding : null };
        targetGroup = key;
        for (const k of [...members.keys()]) if (k !== key) members.delete(k);
      }
      if (key === undefined || (target !== null && key !== targetGroup)) return;
      let list = members.get(key);
      if (!list) members.set(key, (list = []));
      list.push(memberOf(verdict, record, finding, isTarget));
    },
    group(o) {
      if (target !== null && targetGroup !== undefined && o.context.group === targetGroup) outcome = o;
    },
    stop: () => target !== null && targetGroup === undefined,
  });

  const found = target as RecordTarget | null;
  if (found) {
    const o = outcome as GroupOutcome | null;
    let group: GroupView | null = null;
    if (o !== null && targetGroup !== undefined) {
      const list = members.get(targetGroup)!;
      // The pass drops a finding whose (possibly renamed) rule is off, as audit does.
      const own = list.find((m) => m.isTarget)?.finding ?? null;
      found.finding = own && o.recordFindings.includes(own) ? own : null;
      group = { outcome: o, members: list };
    }
    return { file, format: reading.format, target: found, group };
  }
  if (other) return { file, format: reading.format, target: other, group: null };
  throw new ExplainError(notFoundMessage(file, wanted, ids, firstProblem, aggregates));
}

function memberOf(v: RecordVerdict, record: AuditRecord, finding: Finding | null, isTarget: boolean): Member {
  return {
    completion: record.completion ?? (record.tokens ? record.tokens.join('') : undefined),
    finding,
    isTarget,
    totalIsReference: !Number.isNaN(v.ctx.ref.total),
    firstIsReference: v.ctx.n > 0 && !Number.isNaN(v.ctx.ref.exact[0]),
  };
}

/** The first few distinct ids, for the not-found message, and how many there are. */
class IdList {
  readonly shown: string[] = [];
  private readonly seen = new Set<string>();
  add(id: RecordId): void {
    const s = String(id);
    if (this.seen.has(s)) return;
    this.seen.add(s);
    if (this.shown.length < LISTED_IDS) this.shown.push(s);
  }
  get count(): number {
    return this.seen.size;
  }
}

function notFoundMessage(file: string, wanted: string, ids: IdList, problem: Extract<RawItem, { kind: 'invalid' }> | null, aggregates: number): string {
  const head = `no record with id ${JSON.stringify(wanted)} in ${file}`;
  if (ids.count === 0) {
    // A harness results file: the records are in its samples file.
    if (aggregates > 0) return `${head}: the file holds only aggregate metrics (${aggregates}), no per-record data; explain a samples file instead`;
    return problem ? `${head}: the file has no readable records (line ${problem.line}: ${problem.message})` : `${head}: the file has no records`;
  }
  const more = ids.count > ids.shown.length ? `, … (${ids.count - ids.shown.length} more)` : '';
  return `${head}; ids in this file: ${ids.shown.map((s) => JSON.stringify(s)).join(', ')}${more}`;
}
