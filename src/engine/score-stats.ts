/**
 * What a file's recorded scores look like as a whole, gathered in the one file pass for rules
 * that judge a file at once (degenerate-scores): a scorer that returned nothing writes the same
 * number everywhere, or counts, and no single record can show it. Cheap: a few counters.
 */
import type { RecordId, ScoreKind } from '../types.js';
import type { Candidate } from './group-context.js';

export interface FileScores {
  file: string;
  /** Line of the first scored record (0 when none). */
  line: number;
  /** Records with a recorded, non-NaN score. */
  scored: number;
  /** The first such score, and whether every other one equals it. */
  first: number;
  allEqual: boolean;
  /** Scores declared as log-probs that are positive integers (a count, not a log-likelihood). */
  positiveIntegers: number;
  /** Scored records whose score the record's own logits, top-k lists or server log-probs reproduce (no finding). */
  witnessed: number;
  /** Multiple-choice groups whose every candidate has a score. */
  groups: number;
  /** Of those, the ones whose candidates all score the same; and those of three candidates or more. */
  equalGroups: number;
  equalLargeGroups: number;
  /** The first such group and the line of its first candidate, to point at. */
  equalExample: { group: RecordId; line: number } | null;
}

export function newFileScores(file: string): FileScores {
  return { file, line: 0, scored: 0, first: NaN, allEqual: true, positiveIntegers: 0, witnessed: 0, groups: 0, equalGroups: 0, equalLargeGroups: 0, equalExample: null };
}

/** `witnessed`: the record's independent evidence reproduces its score (see FileScores.witnessed). */
export function addScore(s: FileScores, score: number | undefined, kind: ScoreKind, line: number, witnessed = false): void {
  if (score === undefined || Number.isNaN(score)) return;
  if (witnessed) s.witnessed++;
  if (s.scored === 0) {
    s.first = score;
    s.line = line;
  } else if (score !== s.first) s.allEqual = false;
  s.scored++;
  if (kind === 'logprob' && score > 0 && Number.isInteger(score)) s.positiveIntegers++;
}

export function addGroupScores(s: FileScores, group: RecordId, cands: readonly Candidate[]): void {
  if (cands.length < 2) return;
  const first = cands[0].score;
  // Candidates of one item are scored alike; records of mixed kinds grouped together (a mean and
  // a sum of one sample) are not choices to tell apart.
  if (cands.some((c) => c.score === undefined || Number.isNaN(c.score) || c.kind !== cands[0].kind)) return;
  s.groups++;
  if (cands.every((c) => c.score === first)) {
    s.equalGroups++;
    s.equalExample ??= { group, line: cands[0].line };
    if (cands.length >= 3) s.equalLargeGroups++;
  }
}
