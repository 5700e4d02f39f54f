/**
 * The model server behind the native-format samples: a seeded bigram table over 64 word tokens,
 * log-softmax in float64. The table is fixed (its own seed); sampling draws from one stream that
 * the format modules share in list order (see index.ts).
 */
import { argmaxOf, logSoftmax, sampleWeighted } from '../../lib/pipeline-math.js';
import { fnv1a, gaussian, mulberry32 } from '../../lib/prng.js';

export const VOCAB: readonly string[] = [
  ' the', ' a', ' cat', ' dog', ' sat', ' ran', ' on', ' in', ' mat', ' park', ' quickly', ' slowly', '.', ',',
  ' and', ' was', ' is', ' it', ' he', ' she', ' red', ' blue', ' green', ' big', ' small', ' house', ' tree',
  ' river', ' bird', ' flew', ' over', ' under', ' water', ' fire', ' cold', ' hot', ' day', ' night', ' sun',
  ' moon', ' light', ' dark', ' old', ' new', ' man', ' woman', ' child', ' book', ' read', ' wrote', ' sang',
  ' song', ' city', ' road', ' car', ' drove', ' fast', ' home', ' went', ' came', ' saw', ' heard', '\n', ' The',
];
const V = VOCAB.length;

const modelRand = mulberry32(20260115);
const base = Array.from({ length: V }, () => 1.2 * gaussian(modelRand));
const table = Array.from({ length: V }, () => Array.from({ length: V }, () => 2.2 * gaussian(modelRand)));

/** log Pr(next token | previous token), a full float64 log-softmax row. */
export function logprobsAfter(prev: number): number[] {
  return logSoftmax(base.map((b, j) => b + table[prev][j]));
}

/** Ids sorted by log-prob, best first (rank 1 first). */
export function ranking(row: readonly number[]): number[] {
  return row.map((_, j) => j).sort((a, b) => row[b] - row[a] || a - b);
}

export const text = (ids: readonly number[]) => ids.map((t) => VOCAB[t]).join('');

/** A stable 64-hex-digit stand-in for the sha256 hashes and response ids the tools write (FNV-1a, chained). */
export function hashLike(s: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let r = 0; r < 8; r++) {
    h = fnv1a(s + r, h);
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

/** A multiple-choice item: a sampled context, a likely gold continuation and unlikely distractors. */
export interface Item {
  context: number[];
  candidates: number[][];
  gold: number;
}

/** The sampling side of the toy server: one random stream, drawn in call order. */
export class BigramToy {
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = mulberry32(seed);
  }

  /** A token drawn from `row` at a temperature, never one in `exclude`. */
  sample(row: readonly number[], temperature = 1, exclude: ReadonlySet<number> = new Set()): number {
    return sampleWeighted(row.map((x, j) => (exclude.has(j) ? 0 : Math.exp(x / temperature))), this.rand);
  }

  sampleSequence(start: number, length: number, temperature: number): number[] {
    const ids = [start];
    while (ids.length < length) ids.push(this.sample(logprobsAfter(ids[ids.length - 1]), temperature));
    return ids;
  }

  /** Item k: its context length, candidate count, lengths and gold index follow from k. */
  item(k: number): Item {
    const context = this.sampleSequence(63 - (k % 2) * 62, 6 + (k % 3), 0.9);
    const last = context[context.length - 1];
    const candidates: number[][] = [];
    const gold = k % 3;
    for (let c = 0; c < 3 + (k % 2); c++) {
      const len = 2 + ((k + c) % 3);
      let ids: number[];
      if (c === gold) {
        ids = [this.sample(logprobsAfter(last), 0.5)];
        while (ids.length < len) ids.push(this.sample(logprobsAfter(ids[ids.length - 1]), 0.5));
      } else {
        ids = Array.from({ length: len }, () => Math.floor(this.rand() * V));
      }
      candidates.push(ids);
    }
    return { context, candidates, gold };
  }
}

/** Per-token log-probs of `ids` after `prev`, and each step's full row. */
export function score(prev: number, ids: readonly number[]): { values: number[]; rows: number[][] } {
  const rows: number[][] = [];
  const values: number[] = [];
  let p = prev;
  for (const t of ids) {
    const row = logprobsAfter(p);
    rows.push(row);
    values.push(row[t]);
    p = t;
  }
  return { values, rows };
}

/** One candidate of a multiple-choice item, as a scoring script would label it. */
export interface Choice {
  /** `<group>-c<index>` */
  id: string;
  group: string;
  context: number[];
  continuation: number[];
  gold: boolean;
}

/**
 * Multiple-choice groups as a scoring script writes them: items `first`, `first + 1`, … as
 * groups `<prefix>0`, `<prefix>1`, …, one record per candidate, and the script's pick (its best
 * recorded score) marked by `withSelected`, which decides where the field goes.
 */
export function choiceRecords<R extends { score: number }>(
  toy: BigramToy,
  groups: { prefix: string; count: number; first: number },
  record: (choice: Choice) => R,
  withSelected: (record: R, selected: boolean) => object,
): object[] {
  const out: object[] = [];
  for (let k = 0; k < groups.count; k++) {
    const { context, candidates, gold } = toy.item(groups.first + k);
    const group = `${groups.prefix}${k}`;
    const scored = candidates.map((continuation, c) => record({ id: `${group}-c${c}`, group, context, continuation, gold: c === gold }));
    const best = argmaxOf(scored.map((r) => r.score));
    scored.forEach((r, i) => out.push(withSelected(r, i === best)));
  }
  return out;
}
