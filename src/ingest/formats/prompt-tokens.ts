/**
 * Which entry of each `prompt_logprobs` dict is the prompt's own token, when the response does
 * not say. vLLM's server gives `prompt_token_ids` only with `return_token_ids`, and a dict is
 * keyed by token id: the prompt's token is one of its entries, but JSON objects keep no order a
 * reader can trust (integer keys come back sorted), so it must be recognised from what the dict
 * and the rest of the response hold:
 *
 * 1. the ids the request sent (a token-id prompt) or the server returned;
 * 2. an echo of the prompt in the legacy `logprobs` (`tokens`, `token_logprobs`): the entry with
 *    that text and that value, or the id itself with `return_tokens_as_token_ids`;
 * 3. the ranks: the top k hold ranks 1…k, and the prompt's token is added with its own rank when
 *    it ranks lower, so a lone entry, an entry ranked past the dict's size, or (k known) the
 *    (k+1)-th entry of a k+1-entry dict is it;
 * 4. the prompt text: the decoded tokens must spell it, which leaves one choice at almost every
 *    step where the ranks could not decide.
 *
 * A step still undecided is null: the caller refuses to score it rather than guess.
 */
import { isObject } from './values.js';

export interface Candidate {
  id: number;
  logprob: number | null;
  rank: number;
  decoded: string | null;
}

/** The entries of one dict, or a message naming the first bad one. */
export function candidates(d: unknown, where: string): Candidate[] | string {
  if (!isObject(d)) return `${where} is not an object`;
  const out: Candidate[] = [];
  for (const key in d) {
    const e = d[key];
    const id = Number(key);
    if (!Number.isInteger(id) || id < 0) return `${where} has the key ${JSON.stringify(key)}, not a token id`;
    if (!isObject(e)) return `${where}["${key}"] is not an object`;
    if (e.logprob !== null && typeof e.logprob !== 'number') return `${where}["${key}"].logprob is not a number`;
    out.push({
      id,
      logprob: e.logprob as number | null,
      rank: typeof e.rank === 'number' ? e.rank : Infinity,
      decoded: typeof e.decoded_token === 'string' ? e.decoded_token : null,
    });
  }
  return out;
}

export interface Echo {
  tokens: readonly string[];
  values: readonly (number | null)[];
}

const TOKEN_ID_PREFIX = 'token_id:';

/** Step i's token from the echo: its id when tokens are ids, else the entry with its text and value. */
function fromEcho(cands: readonly Candidate[], echo: Echo, i: number): number | null {
  const t = echo.tokens[i];
  if (t === undefined) return null;
  if (t.startsWith(TOKEN_ID_PREFIX)) {
    const id = Number(t.slice(TOKEN_ID_PREFIX.length));
    return cands.some((c) => c.id === id) ? id : null;
  }
  const v = echo.values[i];
  const hits = cands.filter((c) => c.decoded === t && (v === null || c.logprob === null || Math.abs(c.logprob - v) <= 1e-9 * Math.max(1, Math.abs(v))));
  return hits.length === 1 ? hits[0].id : null;
}

/** Step i's token from the ranks alone (k: the top-k the dicts list, when known). */
function fromRanks(cands: readonly Candidate[], k: number | undefined): number | null {
  const m = cands.length;
  if (m === 1) return cands[0].id;
  let best = cands[0];
  for (const c of cands) if (c.rank > best.rank) best = c;
  // Ranks run 1…k: an entry ranked past the dict's size was added for being the prompt's token.
  if (best.rank > m) return best.id;
  if (k !== undefined && m === k + 1) {
    const low = cands.filter((c) => c.rank > k);
    if (low.length === 1) return low[0].id;
  }
  return null;
}

/**
 * The k the dicts list when the request does not say: a dict with an entry ranked past its size
 * holds k + 1 entries; dicts of two sizes a and a + 1 hold k = a.
 */
function inferK(steps: readonly (readonly Candidate[] | null)[]): number | undefined {
  const sizes = new Set<number>();
  for (const c of steps) {
    if (!c || c.length === 0) continue;
    let maxRank = 0;
    for (const e of c) maxRank = Math.max(maxRank, e.rank);
    if (maxRank > c.length && Number.isFinite(maxRank)) return c.length - 1;
    sizes.add(c.length);
  }
  if (sizes.size === 2) {
    const [a, b] = [...sizes].sort((x, y) => x - y);
    if (b === a + 1) return a;
  }
  return undefined;
}

export interface ResolveInput {
  /** Each position's entries (index 0: the first token, no dict). */
  steps: readonly (readonly Candidate[] | null)[];
  echo?: Echo;
  /** How many top entries each dict lists, from the request. */
  k?: number;
  /** The prompt as text, when the request sent text. */
  text?: string;
}

/** The prompt's token id at each position, null where nothing decides (always at position 0). */
export function resolvePromptIds(input: ResolveInput): (number | null)[] {
  const { steps, echo } = input;
  const n = steps.length;
  const k = input.k ?? inferK(steps);
  const ids = new Array<number | null>(n).fill(null);
  let open = 0;
  for (let i = 1; i < n; i++) {
    const c = steps[i];
    if (!c || c.length === 0) continue;
    ids[i] = (echo ? fromEcho(c, echo, i) : null) ?? fromRanks(c, k);
    if (ids[i] === null) open++;
  }
  if (open > 0 && input.text !== undefined) alignToText(input.text, steps, ids);
  return ids;
}

const REPLACEMENT = 0xfffd;

/**
 * Where token i can start if it ends at `end`: its decoded text must be the text just before
 * `end`. A token decoded to U+FFFD only (a byte of an unfinished character) may stand for up to
 * as many non-ASCII code points as it has replacement characters, or for none (it shares the
 * character with its neighbours).
 */
function startsFor(decoded: string, cp: readonly number[], end: number, out: number[]): void {
  const d = Array.from(decoded, (ch) => ch.codePointAt(0)!);
  if (d.length > 0 && d.every((c) => c === REPLACEMENT)) {
    for (let k = 0; k <= d.length && end - k >= 0; k++) {
      if (k > 0 && cp[end - k] < 128) break;
      out.push(end - k);
    }
    return;
  }
  if (d.length > end) return;
  for (let j = 0; j < d.length; j++) if (cp[end - d.length + j] !== d[j]) return;
  out.push(end - d.length);
}

/**
 * Fills the open steps of `ids` by spelling the prompt text with the decoded tokens, from the end
 * (the last token ends the text; the first token, with no dict, takes whatever is left at the
 * start). Counting the spellings through each state (capped at 2) tells which choices lie on
 * every spelling: a step is decided when all spellings pass through the same token id there.
 */
function alignToText(text: string, steps: readonly (readonly Candidate[] | null)[], ids: (number | null)[]): void {
  const n = steps.length;
  const cp = Array.from(text, (ch) => ch.codePointAt(0)!);
  const options = (i: number): readonly Candidate[] => {
    const c = steps[i] ?? [];
    const fixed = ids[i];
    return fixed === null ? c : c.filter((e) => e.id === fixed);
  };
  // layers[i]: the ends token i can have, with the number of spellings of tokens i+1… after it.
  const layers: Map<number, number>[] = new Array(n);
  layers[n - 1] = new Map([[cp.length, 1]]);
  const starts: number[] = [];
  for (let i = n - 1; i >= 1; i--) {
    const next = new Map<number, number>();
    for (const [end, count] of layers[i]) {
      for (const c of options(i)) {
        if (c.decoded === null) return; // nothing to spell with
        starts.length = 0;
        startsFor(c.decoded, cp, end, starts);
        for (const s of starts) next.set(s, Math.min(2, (next.get(s) ?? 0) + count));
      }
    }
    if (next.size === 0) return; // the tokens do not spell the text
    layers[i - 1] = next;
  }
  // below[i]: spellings of tokens 1…i that end at each end (every start of token 1 is possible).
  let below = new Map<number, number>();
  for (const end of layers[0].keys()) below.set(end, 1);
  for (let i = 1; i < n; i++) {
    const here = new Map<number, number>();
    const used = new Set<number>();
    for (const end of layers[i].keys()) {
      for (const c of options(i)) {
        starts.length = 0;
        startsFor(c.decoded!, cp, end, starts);
        for (const s of starts) {
          const b = below.get(s) ?? 0;
          if (b === 0) continue;
          here.set(end, Math.min(2, (here.get(end) ?? 0) + b));
          used.add(c.id);
        }
      }
    }
    if (ids[i] === null && used.size === 1) ids[i] = [...used][0];
    below = here;
  }
}
