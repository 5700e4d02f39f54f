/**
 * The multiple-choice candidates of one file waiting for their group to be complete, with the
 * record findings their group may still rename (harmonize.ts).
 *
 * Groups are finished in the order they first appear (the order sums of floats, task tallies and
 * reports depend on). Holding every group until the file ends costs memory in proportion to the
 * file; streaming instead finishes a group as soon as a candidate of another group follows it
 * (an ungrouped record, an invalid or a skipped row does not end it), so only one group is ever
 * held. That is the same result whenever each group's candidates are contiguous. When a finished
 * group's id comes back, streaming cannot give the same result (the group's first candidates
 * are gone): `add` says so, and the file pass reads the file again holding every group.
 */
import type { RecordId } from '../types.js';
import type { Candidate } from './group-context.js';
import type { HeldFinding } from './harmonize.js';
import { IdSet } from '../ingest/id-set.js';

export type FinishGroup = (id: RecordId, candidates: Candidate[], held: HeldFinding[]) => void;

export class PendingGroups {
  /** Holding only: every group until the end, in first-appearance order (a Map keeps it). */
  private readonly groups = new Map<RecordId, Candidate[]>();
  private readonly held = new Map<RecordId, HeldFinding[]>();
  /** Streaming only: the id of every group opened so far (the open one included). */
  private readonly seen: IdSet | null;
  /** Streaming only: the open group, its candidates and the findings it holds. */
  private open: RecordId | undefined;
  private openCandidates: Candidate[] = [];
  private openHeld: HeldFinding[] | null = null;

  constructor(
    streaming: boolean,
    private readonly finish: FinishGroup,
  ) {
    this.seen = streaming ? new IdSet() : null;
  }

  /**
   * A candidate of `group`, with its record finding when it has one the group must settle.
   * Streaming, a candidate of another group than the open one finishes the open one first.
   * Returns false (and keeps nothing) when the group was finished already.
   */
  add(group: RecordId, candidate: Candidate, finding: HeldFinding | null): boolean {
    if (this.seen) {
      if (!sameId(group, this.open)) {
        this.finishOpen();
        // One look per group: a group seen before, and not the open one, was finished.
        if (!this.seen.add(group)) return false;
        this.open = group;
      }
      this.openCandidates.push(candidate);
      if (finding) (this.openHeld ??= []).push(finding);
      return true;
    }
    if (finding) {
      let list = this.held.get(group);
      if (!list) this.held.set(group, (list = []));
      list.push(finding);
    }
    let list = this.groups.get(group);
    if (!list) this.groups.set(group, (list = []));
    list.push(candidate);
    return true;
  }

  /** At the end of the file (or of a pass stopped early): every group still held, in first-appearance order. */
  finishAll(): void {
    this.finishOpen();
    for (const [id, candidates] of [...this.groups]) {
      const held = this.held.get(id) ?? [];
      this.groups.delete(id);
      this.held.delete(id);
      this.finish(id, candidates, held);
    }
  }

  /** Streaming: the open group, if any, finished. */
  private finishOpen(): void {
    if (this.open === undefined) return;
    const id = this.open;
    const candidates = this.openCandidates;
    const held = this.openHeld ?? [];
    this.open = undefined;
    this.openCandidates = [];
    this.openHeld = null;
    this.finish(id, candidates, held);
  }
}

/** As a Map compares keys (SameValueZero): a NaN id is itself. */
function sameId(a: RecordId, b: RecordId | undefined): boolean {
  return a === b || (a !== a && b !== b);
}
