/**
 * vLLM `RequestOutput` as a dict (e.g. dataclasses.asdict or a script's own dump), requested
 * with `prompt_logprobs`: `prompt_token_ids`, and `prompt_logprobs` whose first entry is null
 * and whose others map token id (a string key) to `{logprob, rank, decoded_token}`. Each holds
 * the top-k by rank plus the prompt's actual token when it ranks lower. Generated tokens are in
 * `outputs[].token_ids` / `outputs[].logprobs` (same dicts) and `cumulative_logprob`.
 *
 * Scoring a continuation with vLLM means sending context + continuation as the prompt and
 * reading the continuation positions of prompt_logprobs. Rows are a bare RequestOutput or an
 * eval script's wrapper `{id, group, gold, score, context_tokens, output}`.
 */
import type { AuditRecord, RawItem, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { readWrapperFields, readWrapperId } from './wrapper.js';
import { codePointLength, invalid, isIntegerAtLeast, isObject, show } from './values.js';

interface VllmLogprob {
  logprob: number;
  rank?: number;
  decoded_token?: string | null;
}

function entry(d: Record<string, unknown>, id: number): VllmLogprob | undefined {
  const e = d[String(id)];
  return isObject(e) && typeof e.logprob === 'number' ? (e as unknown as VllmLogprob) : undefined;
}

/**
 * The step's ranked list, best first, cut where the ranks stop being 1, 2, 3, …: vLLM adds the
 * actual token with its true rank (say 37) after the top k, and listing it would claim that
 * nothing between rank k and 37 exists. A token ranked k + 1 continues the run and stays.
 */
function rankedList(d: Record<string, unknown>): TopLogprob[] {
  const all: (TopLogprob & { rank: number })[] = [];
  for (const key in d) {
    const e = d[key];
    if (!isObject(e) || typeof e.logprob !== 'number') continue;
    const id = Number(key);
    const rank = typeof e.rank === 'number' ? e.rank : Infinity;
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
function contextTokensFromText(prompt: unknown, ids: number[], plp: unknown[], context: string): number | string {
  if (typeof prompt !== 'string') return 'cannot locate the context text without output.prompt (give context_tokens)';
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

function vllmRecord(id: string | number, out: Record<string, unknown>, contextTokens: unknown, context: unknown): AuditRecord | string {
  const ids = out.prompt_token_ids;
  const plp = out.prompt_logprobs;
  if (!Array.isArray(ids) || !ids.every((t) => Number.isInteger(t) && t >= 0)) return 'prompt_token_ids is not a list of token ids';
  if (!Array.isArray(plp)) return 'no prompt_logprobs (the request was made without prompt_logprobs)';
  if (plp.length !== ids.length) return `prompt_logprobs has ${plp.length} entries for ${ids.length} prompt tokens`;
  const n = ids.length;

  let start: number;
  if (contextTokens !== undefined && contextTokens !== null) {
    if (!isIntegerAtLeast(contextTokens, 0) || contextTokens > n) return `context_tokens must be an integer from 0 to ${n}, found ${show(contextTokens)}`;
    start = contextTokens;
  } else if (typeof context === 'string') {
    const located = contextTokensFromText(out.prompt, ids as number[], plp, context);
    if (typeof located === 'string') return located;
    start = located;
  } else {
    // No boundary given: everything after the first token, which has no log-prob.
    start = Math.min(1, n);
  }

  const m = n - start;
  const tokenIds = (ids as number[]).slice(start);
  const tokens = new Array<string>(m);
  const reference = new Array<number | null>(m);
  const top = new Array<TopLogprob[] | null>(m);
  let decoded = true;
  for (let j = 0; j < m; j++) {
    const d = plp[start + j];
    const e = isObject(d) ? entry(d, tokenIds[j]) : undefined;
    reference[j] = e ? e.logprob : null;
    top[j] = isObject(d) ? rankedList(d) : null;
    if (typeof e?.decoded_token === 'string') tokens[j] = e.decoded_token;
    else decoded = false;
  }
  const contextValues = new Array<number | null>(start);
  for (let i = 0; i < start; i++) {
    const d = plp[i];
    contextValues[i] = isObject(d) ? (entry(d, ids[i] as number)?.logprob ?? null) : null;
  }

  const record: AuditRecord = {
    id,
    token_ids: tokenIds,
    reference_logprobs: reference,
    top_logprobs: top as TopLogprob[][],
    context_logprobs: contextValues,
  };
  if (decoded) {
    record.tokens = tokens;
    record.completion = tokens.join('');
  }
  if (typeof context === 'string') record.prompt = context;
  const trailing = generatedLogprobs(out.outputs);
  if (trailing) record.trailing_logprobs = trailing;
  return record;
}

/** The log-prob of each token of the first output, when vLLM was asked for them. */
function generatedLogprobs(outputs: unknown): (number | null)[] | undefined {
  if (!Array.isArray(outputs) || !isObject(outputs[0])) return undefined;
  const { token_ids: ids, logprobs } = outputs[0];
  if (!Array.isArray(ids) || !Array.isArray(logprobs) || logprobs.length !== ids.length) return undefined;
  return ids.map((t, j) => {
    const d = logprobs[j];
    return isObject(d) && typeof t === 'number' ? (entry(d, t)?.logprob ?? null) : null;
  });
}

export const vllmAdapter: FormatAdapter = {
  name: 'vllm',
  description: 'vLLM RequestOutput dicts with prompt_logprobs, bare or in an eval script wrapper {id, score, context_tokens, output}',
  containers: ['jsonl', 'json'],
  detect(first) {
    if (!isObject(first)) return false;
    const out = isObject(first.output) ? first.output : first;
    return 'prompt_logprobs' in out && 'prompt_token_ids' in out;
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (!isObject(v)) return [invalid(file, line, `expected a vLLM RequestOutput object, found ${show(v)}`)];
      if (isObject(v.output)) {
        const id = readWrapperId(v);
        if (typeof id === 'object') return [invalid(file, line, id.error)];
        const fields = readWrapperFields(v);
        if (typeof fields === 'string') return [invalid(file, line, fields, id)];
        // A scored record without a boundary would compare its score with the whole prompt.
        if ((v.context_tokens === undefined || v.context_tokens === null) && typeof v.context !== 'string' && fields.score !== undefined) {
          return [invalid(file, line, 'the wrapper gives neither context_tokens nor context: cannot tell which prompt tokens were scored', id)];
        }
        const record = vllmRecord(id, v.output, v.context_tokens, v.context);
        if (typeof record === 'string') return [invalid(file, line, record, id)];
        return [{ kind: 'record', file, line, record: Object.assign(record, fields) }];
      }
      const id = typeof v.request_id === 'string' || typeof v.request_id === 'number' ? v.request_id : `line-${line}`;
      const record = vllmRecord(id, v, undefined, undefined);
      const item: RawItem = typeof record === 'string' ? invalid(file, line, record, id) : { kind: 'record', file, line, record };
      return [item];
    };
  },
};
