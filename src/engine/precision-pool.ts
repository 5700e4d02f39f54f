/**
 * Precision evidence pooled over one file. A 10k-record bfloat16 run is one fact, not 10k
 * findings: records whose numbers fit only half precision are counted here (their verdict stays
 * on the record, for explain), and the numbers of every record that fits float32 are pooled to see whether
 * the file as a whole lies on a half-precision grid (one lm-eval total such as -10.125 proves
 * nothing; a file of them does). The low-precision run rule turns each summary into one finding.
 *
 * A half-precision run makes nearly every record that has a reference miss float32. When the
 * records that fit only half precision are fewer than those with a bug, the file is no
 * half-precision run: those records are reported one by one, as what they are (differences
 * beyond float32 in a float32 file).
 */
import type { Finding, RecordId } from '../types.js';
import { type Format, type HalfFormat } from '../reference/precision.js';
import { GRID_CHANCE, GridEvidence, anyPrintResolution } from '../reference/storage.js';

/** What the pool reads of one record's outcome (file-pass.ts's RecordOutcome). */
export interface PoolRecord {
  id: RecordId;
  line: number;
  verdict: 'clean' | 'bug' | 'precision';
  score: number | undefined;
  /** A half-precision record's precision and largest per-token difference. */
  format?: Format;
  worst?: number;
  /** A clean record's per-token values. */
  values?: ArrayLike<number>;
  /** A half-precision record whose score, read as a print of its own digits, fits float32 (RecordContext.fitsAsPrint). */
  printed?: boolean;
}

/** Records named in a summary's evidence. */
const EXAMPLES = 3;
/** Past this many half-precision records a file is a half-precision run whatever else it holds: no more are held one by one. */
const MAX_HELD = 1000;

export interface PrecisionExample {
  id: RecordId;
  line: number;
  /** The precision whose error the record's numbers fit. */
  format: Format;
  /** Largest per-token difference from the reference (0 when only a total was compared). */
  worst: number;
}

/** Numbers of a file that lie on a half-precision grid beyond chance. */
export interface GridClaim {
  format: HalfFormat;
  /** log10 of the chance that that many numbers would lie on the grid had they been computed in float32 or printed. */
  chanceLog10: number;
  /** Numbers that carried information. */
  informative: number;
  /** Records they came from, and the first one. */
  records: number;
  line: number;
  id: RecordId;
}

export interface FilePrecision {
  file: string;
  /** Records audited. */
  records: number;
  /** Records whose numbers differ from the reference beyond float32 and within half precision (not reported one by one). */
  verdicts: number;
  examples: PrecisionExample[];
  values: GridClaim | null;
  scores: GridClaim | null;
  /** The precision was declared (`--precision`), not inferred. */
  declared: boolean;
}

/** A grid pool over one kind of number, with the first record that informed it. */
class Pool {
  readonly grid = new GridEvidence();
  records = 0;
  line = 0;
  id: RecordId = '';

  /** Adds one record's numbers; a file whose numbers left every grid stops looking. */
  add(xs: ArrayLike<number>, line: number, id: RecordId): void {
    if (!this.grid.alive) return;
    const before = this.grid.informative;
    for (let i = 0; i < xs.length && this.grid.alive; i++) this.grid.add(xs[i]);
    if (this.grid.informative > before) {
      if (this.records === 0) {
        this.line = line;
        this.id = id;
      }
      this.records++;
    }
  }

  claim(): GridClaim | null {
    const g = this.grid.grid(GRID_CHANCE);
    if (!g) return null;
    return { format: g.format, chanceLog10: g.chanceLog10, informative: this.grid.informative, records: this.records, line: this.line, id: this.id };
  }
}

/** The first scores of a file looked at to tell whether it prints them (PrintedScores). */
const PRINT_SAMPLE = 256;
/** Short decimals among them (and nothing else) that make a file one that prints its scores. */
const MIN_PRINTS = 3;

/**
 * Whether a file prints its scores with few digits ("%.6g", round(x, 4)), from its first
 * PRINT_SAMPLE scores: at least MIN_PRINTS of them, every one a short decimal (a float32 value
 * among them or not), none written whole (a float64's 16–17 digits, a float32 value's long
 * expansion). A file of float32 or float64 sums writes its scores whole; a file summed in half
 * precision does too where its values are half precision (they show it themselves). Such a file's
 * scores that lie on a binary fraction (one print in 25 at two decimals; every "%.3g" of a
 * total between -100 and -999) are prints too.
 */
class PrintedScores {
  private seen = 0;
  private short = 0;
  private whole = 0;

  add(score: number): void {
    if (this.seen >= PRINT_SAMPLE || !Number.isFinite(score) || score === 0) return;
    this.seen++;
    if (anyPrintResolution(score) > 0) this.short++;
    else this.whole++;
  }

  get printing(): boolean {
    return this.short >= MIN_PRINTS && this.whole === 0;
  }
}

export class PrecisionPool {
  private records = 0;
  private verdicts = 0;
  /** Of the verdicts, those a print of the score explains (PoolRecord.printed). */
  private printedVerdicts = 0;
  private bugs = 0;
  /** Bug findings that stand unless the file is a half-precision run (Diagnosis.unlessHalfRun), held; and how many there were. */
  private unlessHalfRun: Finding[] = [];
  private unlessHalfRunCount = 0;
  /** Held findings and examples, each marked whether a print explains it. */
  private held: { finding: Finding; printed: boolean }[] = [];
  private readonly examples: { example: PrecisionExample; printed: boolean }[] = [];
  /** Examples held of each kind: [not printed, printed]. */
  private readonly exampleCounts = [0, 0];
  private readonly printedScores = new PrintedScores();
  private readonly values = new Pool();
  private readonly scores = new Pool();
  private readonly one = [0];

  constructor(
    readonly file: string,
    readonly declared: boolean,
  ) {}

  /**
   * One record's verdict: `precision` when its numbers fit only half precision (with the finding
   * that would report it alone), `bug` when a rule named a bug.
   */
  add(r: PoolRecord, finding: Finding | null): void {
    this.records++;
    if (r.verdict === 'bug') {
      // A record with a bug says nothing about the pipeline's precision.
      this.bugs++;
      return;
    }
    if (r.score !== undefined) this.printedScores.add(r.score);
    if (r.verdict === 'precision') {
      const printed = r.printed === true;
      this.verdicts++;
      if (printed) this.printedVerdicts++;
      // The first EXAMPLES of either kind: whichever counts at the end, its first ones are here.
      if (this.exampleCounts[+printed] < EXAMPLES) {
        this.exampleCounts[+printed]++;
        this.examples.push({ example: { id: r.id, line: r.line, format: r.format!, worst: r.worst! }, printed });
      }
      if (finding && this.verdicts <= MAX_HELD) this.held.push({ finding, printed });
      else this.held = [];
      // Its numbers are told in its own verdict; the grid pool speaks for records that fit float32.
      return;
    }
    if (r.values) this.values.add(r.values, r.line, r.id);
    // With one value, the score is that value: no second witness.
    if (r.score !== undefined && !(r.values && r.values.length === 1)) {
      this.one[0] = r.score;
      this.scores.add(this.one, r.line, r.id);
    }
  }

  /**
   * A record whose bug claim half precision explains as well (Diagnosis.unlessHalfRun): at the
   * file's end a half-precision run makes it one of the run's records, and a float32 file
   * reports it (its finding, held here: hold).
   */
  addUnlessHalfRun(r: PoolRecord): void {
    this.records++;
    this.unlessHalfRunCount++;
    if (r.score !== undefined) this.printedScores.add(r.score);
  }

  /** Holds such a record's finding until the file's end; false past MAX_HELD (the caller keeps it at once). */
  hold(finding: Finding): boolean {
    if (this.unlessHalfRun.length >= MAX_HELD) return false;
    this.unlessHalfRun.push(finding);
    return true;
  }

  /** At the file's end: the records reported one by one (a float32 file's few), and the summary for the run rule. */
  finish(): { individual: Finding[]; summary: FilePrecision | null } {
    // In a file that prints its scores, a verdict a print explains is no verdict.
    const dropPrinted = this.printedScores.printing;
    let counted = dropPrinted ? this.verdicts - this.printedVerdicts : this.verdicts;
    // A half-precision run (as many records fit only half precision as name a bug, these claims
    // included) explains the claims half precision explains as well: they are its records.
    const halfRun = this.unlessHalfRunCount > 0 && counted > 0 && counted >= this.bugs + this.unlessHalfRunCount;
    if (halfRun) counted += this.unlessHalfRun.length;
    const bugs = halfRun ? this.bugs : this.bugs + this.unlessHalfRunCount;
    const keep = (e: { printed: boolean }) => !(dropPrinted && e.printed);
    const oneByOne = counted > 0 && counted < bugs && this.verdicts <= MAX_HELD ? this.held.filter(keep).map((h) => h.finding) : [];
    const verdicts = oneByOne.length > 0 ? 0 : counted;
    const individual = halfRun ? oneByOne : oneByOne.concat(this.unlessHalfRun);
    const values = this.values.claim();
    const scores = this.scores.claim();
    const examples = verdicts ? this.examples.filter(keep).slice(0, EXAMPLES).map((e) => e.example) : [];
    const summary = verdicts === 0 && !values && !scores ? null : { file: this.file, records: this.records, verdicts, examples, values, scores, declared: this.declared };
    return { individual, summary };
  }
}
