/**
 * Builds the records of one canonical sample file: multiple-choice groups (and long ungrouped
 * continuations) drawn from the toy model until every planted bug is visible in the record's own
 * evidence, scored by each candidate's scorer, picked by the group's policy.
 */
import type { AuditRecord } from '../../../src/types.js';
import { argmaxOf, argminOf } from '../../lib/pipeline-math.js';
import { mulberry32 } from '../../lib/prng.js';
import { candidate, sampleTokens, topLogprobs, type Candidate, type ToyModel } from './model.js';
import { evidenceFor, SCORERS, type Bug, type Level, type Recorded } from './scorers.js';

/** How the pipeline picked its answer: 'max' (highest recorded score: correct), 'greedy' (highest first-token log-prob), 'inverted' (lowest total). */
export type Policy = 'max' | 'greedy' | 'inverted';

/** One group of a file, or one long ungrouped continuation of `long` tokens (as long-form scoring writes them). */
export type GroupSpec =
  | {
      size: number;
      /** The scorer of every candidate unless `bugs` names one per candidate (default clean). */
      bug?: Bug;
      bugs?: Bug[];
      policy?: Policy;
      /** Candidate lengths in tokens (default 1 to 4). */
      minLen?: number;
      maxLen?: number;
    }
  | { long: number; bug: Bug };

export type PlantedBug = Exclude<Bug, 'clean'> | Exclude<Policy, 'max'>;

/** A planted case for the README: a record id, or `<group> (selected <id>)` for a planted pick. */
export interface Planted {
  file: string;
  id: string;
  bug: PlantedBug;
}

const PROMPTS = [
  'The cat sat on the',
  'After the rain, the old house by the river',
  'Question: Which colour is the sky on a clear day?\nAnswer:',
  'She opened the door and saw',
  'In the morning the sun rose over the',
  'Q: What do you call frozen water?\nA:',
  'The dog ran across the',
  'He said it was too late to',
  'Once upon a time, in a small village,',
  'The recipe calls for two cups of',
  'Review: The film was long but\nSentiment:',
  'At night the moon shone on the',
  'Complete the sentence: A friend in need is',
  'The train left the station and',
];

/** Near ties make "the best candidate" depend on float32 noise: keep totals apart. */
function wellSeparated(cands: readonly Candidate[]): boolean {
  const t = cands.map((c) => c.total).sort((a, b) => a - b);
  return t.every((v, i) => i === 0 || v - t[i - 1] > 0.05);
}

interface GroupRequest {
  model: ToyModel;
  level: Level;
  k: number;
  gid: string;
  size: number;
  bugs: Bug[];
  policy: Policy;
  minLen: number;
  maxLen: number;
  rand: () => number;
}

/**
 * A multiple-choice group: one candidate sampled from the model (likely), the rest sampled at a
 * higher temperature (less likely). `bugs[i]` is candidate i's scorer.
 */
function makeGroup(spec: GroupRequest): AuditRecord[] {
  const { model, level, k, gid, size, bugs, policy, minLen, maxLen, rand } = spec;
  for (let attempt = 0; attempt < 5000; attempt++) {
    const prompt = PROMPTS[Math.floor(rand() * PROMPTS.length)];
    const cands: Candidate[] = [];
    for (let i = 0; i < size; i++) {
      const n = minLen + Math.floor(rand() * (maxLen - minLen + 1));
      cands.push(candidate(model, prompt, sampleTokens(model, prompt, n, i === 0 ? 1 : 1.6, rand)));
    }
    // Candidates are distinct answers.
    if (new Set(cands.map((c) => c.ids.join(','))).size !== size) continue;
    if (!wellSeparated(cands)) continue;
    if (!cands.every((c, i) => evidenceFor(bugs[i], c, level, k))) continue;
    const recorded = cands.map((c, i) => SCORERS[bugs[i]](c));
    const totals = cands.map((c) => c.total);
    const best = argmaxOf(totals);
    // The picks other policies would make: a planted policy must differ from all of them, or
    // the evidence could not tell which one the pipeline used.
    const firstPick = argmaxOf(recorded.map((r) => r.logprobs[0]));
    const meanPick = argmaxOf(cands.map((c) => c.total / c.ids.length));
    const worst = argminOf(totals);
    let selected: number;
    if (policy === 'greedy') {
      selected = firstPick;
      const first = recorded.map((r) => r.logprobs[0]).sort((a, b) => b - a);
      if (selected === best || selected === worst || selected === meanPick || first[0] - first[1] < 0.1) continue;
    } else if (policy === 'inverted') {
      selected = worst;
      if (selected === firstPick || selected === meanPick) continue;
    } else {
      selected = argmaxOf(recorded.map((r) => (Number.isNaN(r.score) ? -Infinity : r.score)));
    }
    // Gold: the reference-best answer where the policy is the planted bug (the pick is then
    // wrong), otherwise the best answer two times in three, like a decent model on an easy task.
    const gold = policy !== 'max' || rand() < 0.67 ? best : Math.floor(rand() * size);
    return cands.map((c, i) => toRecord(c, recorded[i], { id: `${gid}-c${i}`, group: gid, level, k, selected: i === selected, gold: i === gold, bug: bugs[i] }));
  }
  throw new Error(`could not build group ${gid}: constraints too tight`);
}

interface RecordPlace {
  id: string;
  group?: string;
  level: Level;
  k: number;
  selected?: boolean;
  gold?: boolean;
  bug: Bug;
}

function toRecord(c: Candidate, rec: Recorded, { id, group, level, k, selected, gold, bug }: RecordPlace): AuditRecord {
  const tokens = c.ids.map((j) => c.model.vocab[j]);
  const r: AuditRecord = { id };
  if (group !== undefined) r.group = group;
  r.prompt = c.prompt;
  r.completion = tokens.join('');
  r.tokens = tokens;
  r.token_ids = c.ids;
  r.logprobs = rec.logprobs;
  if (level === 'topk' || level === 'logits') r.top_logprobs = c.ids.map((_, i) => topLogprobs(c.model, c.rows[i], k));
  // The model's logits for the continuation; the no-shift scorer read one row past them.
  if (level === 'logits') r.logits = c.rows.slice(0, bug === 'no_shift' ? c.ids.length + 1 : c.ids.length);
  r.score = rec.score;
  r.score_kind = 'logprob';
  if (group !== undefined) {
    r.selected = selected;
    r.gold = gold;
  }
  return r;
}

/** The records of one file, in order, and its planted cases (the README's table rows). */
export function buildFile(
  file: string,
  level: Level,
  model: ToyModel,
  k: number,
  seed: number,
  specs: readonly GroupSpec[],
): { records: AuditRecord[]; planted: Planted[] } {
  const rand = mulberry32(seed);
  const prefix = file.startsWith('choice-topk') ? 't' : file.startsWith('choice-pertoken') ? 'p' : 'l';
  const records: AuditRecord[] = [];
  const planted: Planted[] = [];
  specs.forEach((s, gi) => {
    const gid = `${prefix}${String(gi).padStart(2, '0')}`;
    if ('long' in s) {
      const bug = s.bug;
      for (;;) {
        const prompt = PROMPTS[Math.floor(rand() * PROMPTS.length)];
        const c = candidate(model, prompt, sampleTokens(model, prompt, s.long, 1.6, rand));
        if (!evidenceFor(bug, c, level, k)) continue;
        records.push(toRecord(c, SCORERS[bug](c), { id: `${gid}-long`, level, k, bug }));
        if (bug !== 'clean') planted.push({ file, id: `${gid}-long`, bug });
        break;
      }
      return;
    }
    const size = s.size;
    const bugs = s.bugs ?? Array<Bug>(size).fill(s.bug ?? 'clean');
    const policy = s.policy ?? 'max';
    const group = makeGroup({ model, level, k, gid, size, bugs, policy, minLen: s.minLen ?? 1, maxLen: s.maxLen ?? 4, rand });
    records.push(...group);
    group.forEach((r, i) => {
      const bug = bugs[i];
      if (bug !== 'clean') planted.push({ file, id: String(r.id), bug });
    });
    if (policy !== 'max') planted.push({ file, id: `${gid} (selected ${group.find((r) => r.selected)!.id})`, bug: policy });
  });
  return { records, planted };
}
