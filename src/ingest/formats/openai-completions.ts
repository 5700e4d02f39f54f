/**
 * OpenAI legacy completions (`/v1/completions`) with `logprobs`: parallel lists `tokens`,
 * `token_logprobs`, `top_logprobs` (dicts token text → log-prob) and `text_offset`.
 *
 * With `echo: true` the list covers the prompt and then the generated token(s); the first
 * position has no log-prob (null). This is how lm-evaluation-harness scores a continuation
 * through an OpenAI-compatible server: prompt = context + continuation, max_tokens 0 or 1.
 * The continuation is then the prompt tokens after the context's; the tokens after the
 * prompt's were generated.
 *
 * lm-evaluation-harness's `local-completions` backend sends the prompt as token ids
 * (`prompt: [[id, …], …]`, one list per request of the batch) with `echo: true, logprobs: 1,
 * max_tokens: 1` and scores `token_logprobs[ctxlen:-1]` (lm_eval/models/openai_completions.py,
 * `parse_logprobs`): the prompt's own length is the end of the continuation, whatever
 * `usage.prompt_tokens` sums over the batch.
 *
 * Without echo the generated text is the continuation; a reply that stopped on a stop sequence
 * (`finish_reason: "stop"`) keeps only the tokens that start inside the returned `text`.
 *
 * Rows are either bare responses or an eval script's wrapper `{id, group, gold, score, …,
 * context | context_tokens, request, response}`.
 */
import type { AuditRecord, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { WITHOUT_LOGPROBS, bareChoiceItems, failedChoice, firstChoiceLogprobs, hasPromptLogprobs, isResponseWithoutLogprobs, openWrapper, responseOf, choicelessChunk } from './wrapper.js';
import { stoppedEarly, tokensWithinText } from './returned-text.js';
import { codePointLength, invalid, isIntegerAtLeast, isObject, show, sliceCodePoints } from './values.js';

export interface CompletionLogprobs {
  tokens: string[];
  values: (number | null)[];
  top: unknown[] | null;
  offsets: number[] | null;
}

export function readLogprobs(lp: unknown): CompletionLogprobs | string {
  if (lp === null || lp === undefined) return WITHOUT_LOGPROBS;
  if (!isObject(lp)) return `choice.logprobs is not an object: ${show(lp)}`;
  const { tokens, token_logprobs: values, top_logprobs: top, text_offset: offsets } = lp;
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) return 'logprobs.tokens is not a list of strings';
  if (!Array.isArray(values) || values.length !== tokens.length) return 'logprobs.token_logprobs is not a list as long as tokens';
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== null && typeof values[i] !== 'number') return `logprobs.token_logprobs[${i}] is not a number: ${show(values[i])}`;
  }
  if (top !== undefined && top !== null && (!Array.isArray(top) || top.length !== tokens.length)) return 'logprobs.top_logprobs is not a list as long as tokens';
  if (offsets !== undefined && offsets !== null) {
    if (!Array.isArray(offsets) || offsets.length !== tokens.length || !offsets.every((o) => typeof o === 'number')) {
      return 'logprobs.text_offset is not a list of numbers as long as tokens';
    }
  }
  return {
    tokens: tokens as string[],
    values: values as (number | null)[],
    top: Array.isArray(top) ? top : null,
    offsets: Array.isArray(offsets) ? (offsets as number[]) : null,
  };
}

/** A token holding bytes of an unfinished UTF-8 character, as servers render it. */
function isPartial(token: string): boolean {
  return token.startsWith('bytes:') || token.endsWith('\uFFFD');
}

/**
 * Where each token's character starts. `text_offset` is the length of the decoded text before
 * the token, and an unfinished character decodes to one U+FFFD: the second and later byte
 * tokens of a multi-byte character sit one past its start, which would put the last byte of a
 * context's (or prompt's) final character on the wrong side of the boundary.
 */
export function charStarts(tokens: string[], offsets: number[]): number[] {
  const starts = offsets.slice();
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i];
    const onlyBytes = t.startsWith('bytes:') || (t.length > 0 && /^\uFFFD+$/.test(t));
    if (onlyBytes && isPartial(tokens[i - 1]) && offsets[i] > 0) starts[i] = offsets[i] - 1;
  }
  return starts;
}

/** Number of tokens whose character starts before code-point position `end`. */
export function tokensBefore(starts: number[], end: number): number {
  let i = 0;
  while (i < starts.length && starts[i] < end) i++;
  return i;
}

/**
 * How many entries each top_logprobs dict really ranks. The API adds the sampled/echoed token
 * when it is not among the top k, so a dict may hold k + 1 entries; keeping only the k best
 * keeps the list a true top-k (every unlisted token is no likelier than the last listed one).
 */
export function topK(requested: unknown, top: unknown[] | null): number {
  if (isIntegerAtLeast(requested, 0)) return requested;
  let k = Infinity;
  if (top) for (const d of top) if (isObject(d)) k = Math.min(k, Object.keys(d).length);
  return k;
}

/**
 * A step's dict as a list, best first, cut to k. The entry of the step's own token (`token`, whose
 * log-prob the server also states as `value`, its `token_logprobs[i]`) is compared before the cut:
 * when the cut would drop it (the API added it for ranking below k) and it differs from `value`,
 * it stays, after the k, so the rules see the server's two statements of one log-prob disagree
 * (one was read at the wrong index, as llama-cpp-python's before its PR #453). An equal entry goes:
 * it says nothing `value` does not, and listing it would claim nothing ranks between. A token
 * holding U+FFFD is left to the cut: byte pieces share that text, so its entry is not surely its own.
 */
export function topList(d: unknown, k: number, token?: string, value?: number | null): TopLogprob[] | null {
  if (!isObject(d)) return null;
  const list: TopLogprob[] = [];
  for (const t in d) {
    const logprob = d[t];
    if (typeof logprob === 'number') list.push({ token: t, logprob });
  }
  list.sort((a, b) => b.logprob - a.logprob);
  if (list.length > k) {
    let own: TopLogprob | undefined;
    if (token !== undefined && typeof value === 'number' && !token.includes('\uFFFD')) {
      for (let j = k; j < list.length; j++) if (list[j].token === token && list[j].logprob !== value) own = list[j];
    }
    list.length = k;
    if (own) list.push(own);
  }
  return list;
}

/** The top-k lists of steps [start, end). */
function topLists(lp: CompletionLogprobs, start: number, end: number, k: number): TopLogprob[][] {
  const out = new Array<TopLogprob[]>(end - start);
  for (let i = start; i < end; i++) out[i - start] = topList(lp.top![i], k, lp.tokens[i], lp.values[i]) as TopLogprob[];
  return out;
}

interface Slice {
  /** First continuation token. */
  start: number;
  /** One past the last prompt token: generated tokens follow. */
  end: number;
  /** Code point where the continuation's text starts in the prompt, when offsets say. */
  charStart: number | null;
}

/**
 * Where the continuation sits in an echoed token list. The prompt's end comes from
 * usage.prompt_tokens, else from the request text and the offsets; the context's end from the
 * wrapper's context_tokens count, else its context text and the offsets. Without either, the
 * whole prompt after its first token (which has no log-prob) is the continuation.
 */
function echoSlice(
  lp: CompletionLogprobs,
  prompt: unknown,
  promptTokens: unknown,
  context: unknown,
  contextTokens: unknown,
): Slice | string {
  const n = lp.tokens.length;
  const starts = lp.offsets ? charStarts(lp.tokens, lp.offsets) : null;
  // The server's own count of prompt tokens is exact; offsets are the fallback.
  let end = n;
  if (isIntegerAtLeast(promptTokens, 0) && promptTokens <= n) end = promptTokens;
  else if (typeof prompt === 'string' && starts) end = tokensBefore(starts, codePointLength(prompt));
  let start: number;
  if (contextTokens !== undefined && contextTokens !== null) {
    if (!isIntegerAtLeast(contextTokens, 0)) return `context_tokens must be a non-negative integer, found ${show(contextTokens)}`;
    start = contextTokens;
  } else if (isTokenIds(context)) {
    // The context as the token ids the script sent (a token-id prompt starts with them).
    start = context.length;
  } else if (typeof context === 'string') {
    if (!starts) return 'cannot locate the context without logprobs.text_offset (give context_tokens instead)';
    start = tokensBefore(starts, codePointLength(context));
  } else {
    start = Math.min(1, end);
  }
  if (start > end) return `the context (${start} tokens) is longer than the prompt (${end} tokens)`;
  const charStart = starts && start < n ? starts[start] : null;
  return { start, end, charStart };
}

/** What the request and the wrapper say about where the continuation is. */
interface Hints {
  prompt?: unknown;
  echo?: unknown;
  logprobs?: unknown;
  promptTokens?: unknown;
  context?: unknown;
  contextTokens?: unknown;
  /** A wrapper that records a score must say where its continuation starts. */
  needsBoundary?: boolean;
}

/**
 * How many generated tokens belong to the returned text. After a stop (`finish_reason: "stop"`)
 * the tokens past it sit at the end of `text` (OpenAI clamps their offsets there; vLLM's EOS or
 * stop token starts there): the continuation ends before them. `text_offset` counts from the
 * prompt's start (OpenAI) or the reply's (vLLM), so the reply starts at the first offset.
 */
export function generatedWithinText(choice: Record<string, unknown>, lp: CompletionLogprobs): number {
  const n = lp.tokens.length;
  const text = choice.text;
  if (!stoppedEarly(choice.finish_reason) || typeof text !== 'string' || n === 0) return n;
  if (lp.offsets) return tokensBefore(charStarts(lp.tokens, lp.offsets), lp.offsets[0] + codePointLength(text));
  return tokensWithinText(lp.tokens, text);
}

export function isTokenIds(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t) && t >= 0);
}

function completionRecord(id: string | number, choice: Record<string, unknown>, lp: CompletionLogprobs, hints: Hints): AuditRecord | string {
  const { prompt, context } = hints;
  // Echo shows as a first token without a log-prob at offset 0 when the request is not at hand.
  const echo = typeof hints.echo === 'boolean' ? hints.echo : lp.values[0] === null && (lp.offsets?.[0] ?? 0) === 0;
  const k = topK(hints.logprobs, lp.top);
  const record: AuditRecord = { id };

  if (!echo) {
    // A plain completion: the generated text is the continuation, up to where the reply stopped.
    const keep = generatedWithinText(choice, lp);
    record.tokens = lp.tokens.slice(0, keep);
    record.reference_logprobs = lp.values.slice(0, keep);
    if (lp.top) record.top_logprobs = topLists(lp, 0, keep, k);
    if (keep < lp.tokens.length) record.trailing_logprobs = lp.values.slice(keep);
    if (typeof prompt === 'string') record.prompt = prompt;
    if (typeof choice.text === 'string') record.completion = choice.text;
    return record;
  }

  if (hints.needsBoundary && typeof context !== 'string' && !isTokenIds(context) && (hints.contextTokens === undefined || hints.contextTokens === null)) {
    return 'the wrapper gives neither context nor context_tokens: cannot tell which prompt tokens were scored';
  }
  const slice = echoSlice(lp, prompt, hints.promptTokens, context, hints.contextTokens);
  if (typeof slice === 'string') return slice;
  const { start, end, charStart } = slice;
  record.tokens = lp.tokens.slice(start, end);
  record.reference_logprobs = lp.values.slice(start, end);
  if (lp.top) record.top_logprobs = topLists(lp, start, end, k);
  record.context_logprobs = lp.values.slice(0, start);
  record.trailing_logprobs = lp.values.slice(end);
  if (isTokenIds(prompt) && prompt.length === end) record.token_ids = prompt.slice(start, end);
  // Texts from the request where it is at hand: joined tokens garble split characters.
  if (typeof context === 'string') record.prompt = context;
  if (typeof prompt === 'string' && typeof context === 'string' && prompt.startsWith(context)) {
    record.completion = sliceCodePoints(prompt, codePointLength(context));
  } else if (typeof prompt === 'string' && charStart !== null) {
    record.prompt ??= prompt.slice(0, prompt.length - sliceCodePoints(prompt, charStart).length);
    record.completion = sliceCodePoints(prompt, charStart);
  } else {
    record.completion = record.tokens.join('');
  }
  return record;
}

/**
 * The prompt a choice answers: the request's prompt, or its element for this choice when the
 * request is a batch (a list of strings or of token-id lists; `n` choices per prompt, numbered
 * in order as vLLM and OpenAI do).
 */
export function promptOfChoice(prompt: unknown, choice: Record<string, unknown>, n: unknown): unknown {
  if (!Array.isArray(prompt) || isTokenIds(prompt)) return prompt;
  const perPrompt = isIntegerAtLeast(n, 1) ? n : 1;
  const index = isIntegerAtLeast(choice.index, 0) ? choice.index : 0;
  return prompt[Math.floor(index / perPrompt)];
}

/**
 * The prompt's length in tokens: a token-id prompt's own length; else usage.prompt_tokens, which
 * counts it only when the response answers one text prompt with one choice.
 */
function promptTokens(resp: Record<string, unknown>, choices: unknown[], prompt: unknown, requestPrompt: unknown): unknown {
  if (isTokenIds(prompt)) return prompt.length;
  if (choices.length !== 1 || Array.isArray(requestPrompt) || !isObject(resp.usage)) return undefined;
  return resp.usage.prompt_tokens;
}

/** The legacy completions API's `object`. */
const COMPLETION_OBJECTS: ReadonlySet<string> = new Set(['text_completion']);

export const openaiCompletionsAdapter: FormatAdapter = {
  name: 'openai-completions',
  description: 'OpenAI legacy completions with logprobs (echo or not), bare or in an eval script wrapper {id, score, request, response}',
  containers: ['jsonl', 'json'],
  detect(first) {
    const lp = firstChoiceLogprobs(first);
    const resp = responseOf(first);
    if (resp && hasPromptLogprobs(resp)) return false;
    return (lp !== null && Array.isArray(lp.token_logprobs) && Array.isArray(lp.tokens)) || isResponseWithoutLogprobs(first, COMPLETION_OBJECTS);
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (!isObject(v)) return [invalid(file, line, `expected a completions response object, found ${show(v)}`)];
      const wrapped = isObject(v.response);
      const resp = wrapped ? (v.response as Record<string, unknown>) : v;
      const request = wrapped && isObject(v.request) ? v.request : undefined;
      const choices = resp.choices;
      const choiceless = choicelessChunk(resp, file, line);
      if (choiceless) return [choiceless];
      if (!Array.isArray(choices) || choices.length === 0) return [invalid(file, line, 'response has no choices')];

      if (wrapped) {
        const opened = openWrapper(v, choices, file, line);
        if ('kind' in opened) return [opened];
        const { id, fields, choice } = opened;
        const lp = readLogprobs(choice.logprobs);
        if (typeof lp === 'string') return [failedChoice(file, line, lp, id, fields.score !== undefined)];
        const prompt = promptOfChoice(request?.prompt, choice, request?.n);
        const record = completionRecord(id, choice, lp, {
          prompt,
          echo: request?.echo,
          logprobs: request?.logprobs,
          promptTokens: promptTokens(resp, choices, prompt, request?.prompt),
          context: v.context,
          contextTokens: v.context_tokens,
          needsBoundary: fields.score !== undefined,
        });
        if (typeof record === 'string') return [invalid(file, line, record, id)];
        return [{ kind: 'record', file, line, record: Object.assign(record, fields) }];
      }

      // A bare response: one record per choice, reference only (nobody recorded a score).
      return bareChoiceItems(resp, choices, file, line, (id, choice) => {
        const lp = readLogprobs(choice.logprobs);
        return typeof lp === 'string' ? lp : completionRecord(id, choice, lp, { promptTokens: promptTokens(resp, choices, undefined, undefined) });
      }, failedChoice);
    };
  },
};
