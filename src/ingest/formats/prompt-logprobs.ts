/**
 * vLLM's `prompt_logprobs`, as `RequestOutput` and the OpenAI-compatible server both write them:
 * one entry per prompt token, the first null (nothing predicts it), each other a dict from token
 * id (a string key) to `{logprob, rank, decoded_token}` holding the top k by rank plus the prompt's
 * own token when it ranks lower. Shared by the `vllm` and `vllm-server` adapters.
 */
import type { AuditRecord, TopLogprob } from '../../types.js';
import { rawValuesTell } from './server-tokens.js';
import { codePointLength, isObject } from './values.js';

export interface VllmLogprob {
  logprob: number;
  rank?: number;
  decoded_token?: string | null;
}

/** The entry for token `id` at one position, when it has a numeric log-prob. */
export function entry(d: Record<string, unknown>, id: number | null): VllmLogprob | undefined {
  if (id === null) return undefined;
  const e = d[String(id)];
  return isObject(e) && typeof e.logprob === 'number' ? (e as unknown as VllmLogprob) : undefined;
}

/**
 * The step's ranked list, best first, cut where the ranks stop being 1, 2, 3, …: vLLM adds the
 * actual token with its true rank (say 37) after the top k, and listing it would claim that
 * nothing between rank k and 37 exists. A token ranked k + 1 continues the run and stays.
 * Entries at or below `floor` (a server's stand-in for -inf) are no log-probs and are left out.
 */
export function rankedList(d: Record<string, unknown>, floor = -Infinity): TopLogprob[] {
  const all: (TopLogprob & { rank: number })[] = [];
  for (const key in d) {
    const e = d[key];
    if (!isObject(e) || typeof e.logprob !== 'number' || e.logprob <= floor) continue;
    const id = Number(key);
    const rank = typeof e.rank === 'number' ? e.rank : Infinity;
    // No real rank is below 1: vLLM V0's speculative decoding (disable_logprobs) fills each
    // accepted token with logprob 0.0 at rank -1 (_create_dummy_logprob_lists), no ranked entry.
    if (rank < 1) continue;
    const item: TopLogprob & { rank: number } = { token: typeof e.decoded_token === 'string' ? e.decoded_token : '', logprob: e.logprob, rank };
    if (Number.isInteger(id) && id >= 0) item.id = id;
    all.push(item);
  }
  all.sort((a, b) => a.rank - b.rank || b.logprob - a.logprob);
  const out: TopLogprob[] = [];
  for (let i = 0; i < all.length; i++) {
    // Ranks tie when log-probs do; a gap means tokens in between were not reported.
    if (all[i].rank > out.length + 1) break;
    const { rank: _rank, ...e } = all[i];
    out.push(e);
  }
  return out;
}

/**
 * Context length in tokens from the context text, using the decoded prompt tokens: position 0
 * has no entry, so its text is what the prompt has beyond the others.
 */
export function contextTokensFromText(prompt: unknown, ids: readonly (number | null)[], plp: readonly unknown[], context: string): number | string {
  if (typeof prompt !== 'string') return 'cannot locate the context text without the prompt text (give context_tokens)';
  const lengths = new Array<number>(ids.length);
  let rest = 0;
  for (let i = 1; i < ids.length; i++) {
    const d = plp[i];
    const e = isObject(d) ? entry(d, ids[i]) : undefined;
    if (typeof e?.decoded_token !== 'string') return `cannot locate the context text: prompt token ${i} has no decoded_token (give context_tokens)`;
    lengths[i] = codePointLength(e.decoded_token);
    rest += lengths[i];
  }
  lengths[0] = codePointLength(prompt) - rest;
  const end = codePointLength(context);
  let offset = 0;
  let i = 0;
  while (i < ids.length && offset < end) offset += lengths[i++];
  return i;
}

export interface PromptSpanOptions {
  /**
   * A value the server writes instead of -inf (vLLM clamps to -9999.0): named as the record's
   * `sentinel` and left out of the reference, the raw values given as `logprobs` when they hold it
   * or a null. Without it the record carries the reference only (the `vllm` adapter's records).
   */
  sentinel?: number;
}

/**
 * The continuation prompt[start:] of a prompt with prompt_logprobs: each position's entry for its
 * own token (ids[i]; null where unknown), the ranked lists, and the context's values before it.
 */
export function promptSpan(id: string | number, ids: readonly (number | null)[], plp: readonly unknown[], start: number, options: PromptSpanOptions = {}): AuditRecord {
  const n = ids.length;
  const m = n - start;
  const { sentinel } = options;
  const tokenIds = new Array<number>(m);
  const tokens = new Array<string>(m);
  const raw = new Array<number | null>(m);
  const reference = new Array<number | null>(m);
  const top = new Array<TopLogprob[] | null>(m);
  let decoded = true;
  let idsKnown = true;
  for (let j = 0; j < m; j++) {
    const d = plp[start + j];
    const tid = ids[start + j];
    const e = isObject(d) ? entry(d, tid) : undefined;
    raw[j] = e ? e.logprob : null;
    reference[j] = e && e.logprob !== sentinel ? e.logprob : null;
    top[j] = isObject(d) ? rankedList(d, sentinel) : null;
    if (tid === null) idsKnown = false;
    else tokenIds[j] = tid;
    if (typeof e?.decoded_token === 'string') tokens[j] = e.decoded_token;
    else decoded = false;
  }
  const contextValues = new Array<number | null>(start);
  for (let i = 0; i < start; i++) {
    const d = plp[i];
    const v = isObject(d) ? (entry(d, ids[i])?.logprob ?? null) : null;
    contextValues[i] = v === sentinel ? null : v;
  }
  const record: AuditRecord = { id };
  if (idsKnown) record.token_ids = tokenIds;
  if (sentinel !== undefined) {
    if (rawValuesTell(raw, sentinel)) record.logprobs = raw;
    record.sentinel = sentinel;
  }
  record.reference_logprobs = reference;
  record.top_logprobs = top as TopLogprob[][];
  record.context_logprobs = contextValues;
  if (decoded) {
    record.tokens = tokens;
    record.completion = tokens.join('');
  }
  return record;
}
