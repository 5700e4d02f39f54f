/**
 * The gold choice of an lm-eval multiple-choice sample, derived as the harness derives it
 * (`ConfigurableTask.process_results` in lm_eval/api/task.py) from what a samples row keeps:
 *
 * - `gold = doc_to_target(doc)`: an int is an index, a list of ints is several (multiple
 *   targets), a string is the gold choice's text, looked up in `doc_to_choice(doc)`.
 * - Multiple-input tasks (winogrande and its variants): the choices go in the context and every
 *   request has the same continuation, which is what `doc_to_target` returns; the gold comes
 *   from `doc_to_text(doc)` instead, which the row does not keep. Those tasks' `doc_to_text`
 *   maps the doc's 1-based `answer` to an index, so the gold is read from the doc when the doc
 *   has that shape and the contexts prove it (each ends with its option).
 *
 * The row keeps `str(target)` since v0.4.4, so `"2"` may be the index 2 or the choice text "2".
 * Where the readings disagree, or the target fits several choices and nothing else decides, the
 * gold is unknown: no record is marked gold, and no accuracy is computed from a guess.
 */
import { codePointLength, isObject } from './values.js';

export interface ChoiceReading {
  /** The gold indices, or null when the row does not determine them. */
  gold: Set<number> | null;
  /** What acc_norm divides each request's log-likelihood by: `len(choice)` in code points. */
  normLengths: number[];
}

/** Keys of a doc most likely to hold the choice texts, asked first. */
const CHOICE_KEYS = ['choices', 'endings', 'options', 'answers'];

/**
 * The choice texts as `doc_to_choice` gave them, when the doc lists them: each continuation is
 * `target_delimiter + choice`, so it ends with its choice after nothing but whitespace.
 */
function listedChoices(doc: unknown, continuations: readonly string[]): string[] | null {
  if (!isObject(doc)) return null;
  const keys = [...CHOICE_KEYS.filter((k) => k in doc), ...Object.keys(doc).filter((k) => !CHOICE_KEYS.includes(k))];
  for (const key of keys) {
    let v = doc[key];
    if (isObject(v) && Array.isArray(v.text)) v = v.text; // ARC: {"text": [...], "label": [...]}
    if (!Array.isArray(v) || v.length !== continuations.length) continue;
    let fits = true;
    for (let i = 0; i < v.length && fits; i++) {
      const c = v[i];
      const cont = continuations[i];
      fits = typeof c === 'string' && cont.endsWith(c) && cont.slice(0, cont.length - c.length).trim() === '';
    }
    if (fits) return v as string[];
  }
  return null;
}

/** Every request scores the same continuation after a different context: choices are in the context. */
export function isMultipleInput(contexts: readonly string[], continuations: readonly string[]): boolean {
  if (continuations.length < 2) return false;
  return continuations.every((c) => c === continuations[0]) && contexts.some((c) => c !== contexts[0]);
}

function oneOrNone(matches: number[]): Set<number> | null {
  return matches.length === 1 ? new Set(matches) : null;
}

function indicesWhere(n: number, test: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (test(i)) out.push(i);
  return out;
}

/** The choices whose text is the target: by the doc's list, else by the continuation less its delimiter. */
function textMatches(target: string, continuations: readonly string[], choices: readonly string[] | null): number[] {
  const n = continuations.length;
  if (choices) {
    const exact = indicesWhere(n, (i) => choices[i] === target);
    if (exact.length > 0) return exact;
  }
  const whole = indicesWhere(n, (i) => continuations[i] === target);
  if (whole.length > 0) return whole;
  const t = target.trimStart();
  return indicesWhere(n, (i) => continuations[i].trimStart() === t);
}

function indexList(v: unknown, n: number): Set<number> | null {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isInteger(x) && (x as number) >= 0)) return null;
  return (v as number[]).every((i) => i < n) ? new Set(v as number[]) : null;
}

/** The gold of a task whose choices are the continuations. */
function goldOfTarget(target: unknown, continuations: readonly string[], choices: readonly string[] | null): Set<number> | null {
  const n = continuations.length;
  if (typeof target === 'number') return Number.isInteger(target) && target >= 0 && target < n ? new Set([target]) : null;
  if (Array.isArray(target)) return indexList(target, n);
  if (typeof target !== 'string') return null;
  const t = target.trim();
  if (t.startsWith('[') && t.endsWith(']')) {
    try {
      const list = indexList(JSON.parse(t), n);
      if (list) return list;
    } catch {
      // not a list of indices: read it as the choice text below
    }
  }
  const byText = textMatches(target, continuations, choices);
  if (!/^\d+$/.test(t)) return oneOrNone(byText);
  // `str(index)` or a choice whose text is digits: both readings must agree, or one be impossible.
  const index = Number(t);
  if (byText.length === 0) return index < n ? new Set([index]) : null;
  if (index >= n || (byText.length === 1 && byText[0] === index)) return oneOrNone(byText);
  return null;
}

/**
 * Winogrande's shape (`option1`…`optionN`, a 1-based `answer`, a `sentence` with `_`): the
 * choices are `sentence[:blank] + option`, appended to the context; its `doc_to_text` returns
 * `answer - 1`. Null unless every context ends with its choice.
 */
function multipleInputFromDoc(doc: unknown, contexts: readonly string[]): ChoiceReading | null {
  if (!isObject(doc) || typeof doc.sentence !== 'string') return null;
  const blank = doc.sentence.indexOf('_');
  if (blank < 0) return null;
  const prefix = doc.sentence.slice(0, blank);
  const choices: string[] = [];
  for (let i = 0; i < contexts.length; i++) {
    const option = doc[`option${i + 1}`];
    if (typeof option !== 'string' || !contexts[i].endsWith(prefix + option)) return null;
    choices.push(prefix + option);
  }
  const answer = typeof doc.answer === 'number' ? String(doc.answer) : doc.answer;
  const k = typeof answer === 'string' && /^\d+$/.test(answer.trim()) ? Number(answer) : NaN;
  const gold = k >= 1 && k <= contexts.length ? new Set([k - 1]) : null;
  return { gold, normLengths: choices.map(codePointLength) };
}

/**
 * The gold indices and acc_norm lengths of one multiple-choice sample, or null for a
 * multiple-input sample whose choices the doc does not show (nothing can be said then).
 */
export function readChoices(target: unknown, doc: unknown, contexts: readonly string[], continuations: readonly string[]): ChoiceReading | null {
  if (isMultipleInput(contexts, continuations)) return multipleInputFromDoc(doc, contexts);
  const choices = listedChoices(doc, continuations);
  // acc_norm divides by len(choice): the continuation without the target delimiter (a single
  // space unless the doc's list shows otherwise).
  const normLengths = continuations.map((c, i) => codePointLength(choices ? choices[i] : c.startsWith(' ') ? c.slice(1) : c));
  return { gold: goldOfTarget(target, continuations, choices), normLengths };
}
