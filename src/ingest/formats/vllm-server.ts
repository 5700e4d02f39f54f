/**
 * vLLM's OpenAI-compatible server, as people save its responses (`RequestOutput` objects do not
 * `json.dumps`; the server's JSON does). Shapes from vllm/entrypoints/openai/completion/protocol.py
 * and serving.py (`CompletionResponseChoice`, `request_output_to_completion_response`):
 *
 * - `/v1/completions` with `prompt_logprobs` (a vLLM extension, or implied by `echo` + `logprobs`):
 *   `choices[].prompt_logprobs`, first entry null, then `{"<token id>": {logprob, rank,
 *   decoded_token}}`; beside it the legacy `logprobs` (with `echo` they cover the prompt and then
 *   the generated tokens), and `prompt_token_ids` / `token_ids` only with `return_token_ids`.
 * - `/v1/chat/completions`: `prompt_logprobs` and `prompt_token_ids` on the response, the reply's
 *   `logprobs.content[]` in OpenAI's chat shape.
 *
 * The server clamps a -inf log-prob to -9999.0 (`clamp_prompt_logprobs`, and `max(logprob,
 * -9999.0)` for the legacy lists): that value is a stand-in, never summed as a number.
 *
 * Records: a completion's continuation is prompt[context:] (the boundary from the wrapper's
 * `context_tokens`, its `context` token ids or text, or after the first token for a bare
 * response), read from each position's entry for the prompt's own token; the generated tokens are
 * trailing. A chat reply is the continuation (as openai-chat reads it) with the prompt's values as
 * its context, unless the wrapper puts the boundary inside the prompt. Responses without
 * prompt_logprobs are read by the openai-completions and openai-chat adapters.
 */
import type { AuditRecord } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { openaiChatAdapter, chatRecord } from './openai-chat.js';
import { isTokenIds, openaiCompletionsAdapter, promptOfChoice, readLogprobs } from './openai-completions.js';
import { contextTokensFromText, promptSpan } from './prompt-logprobs.js';
import { candidates, resolvePromptIds, type Candidate, type Echo } from './prompt-tokens.js';
import { NO_TOKENS, bareChoiceItems, hasPromptLogprobs, readWrapperFields, readWrapperId, responseOf, type WrapperFields } from './wrapper.js';
import { codePointLength, invalidFor, isIntegerAtLeast, isObject, show, sliceCodePoints } from './values.js';

const FORMAT = 'vllm-server';
/** vLLM's stand-in for a -inf log-prob. */
export const VLLM_SENTINEL = -9999;

const fail = invalidFor(FORMAT);

interface Boundary {
  contextTokens?: unknown;
  context?: unknown;
}

function hasBoundary(b: Boundary): boolean {
  return (b.contextTokens !== undefined && b.contextTokens !== null) || typeof b.context === 'string' || isTokenIds(b.context);
}

/** The prompt's token ids: returned by the server, sent as the prompt, or recognised in the dicts. */
function promptIds(
  plp: unknown[],
  where: string,
  known: unknown,
  echo: Echo | undefined,
  k: unknown,
  text: unknown,
): (number | null)[] | string {
  const n = plp.length;
  if (n > 0 && plp[0] !== null && !isObject(plp[0])) return `${where}[0] is neither null nor an object`;
  const steps = new Array<Candidate[] | null>(n).fill(null);
  for (let i = 1; i < n; i++) {
    if (plp[i] === null) continue;
    const c = candidates(plp[i], `${where}[${i}]`);
    if (typeof c === 'string') return c;
    steps[i] = c;
  }
  if (isTokenIds(known) && known.length === n) {
    for (let i = 1; i < n; i++) {
      if (steps[i] && !steps[i]!.some((c) => c.id === known[i])) return `${where}[${i}] has no entry for the prompt's token id ${known[i]}`;
    }
    return known.slice();
  }
  const ids = resolvePromptIds({
    steps,
    echo,
    k: isIntegerAtLeast(k, 0) ? k : undefined,
    text: typeof text === 'string' ? text : undefined,
  });
  return ids;
}

/** Where the continuation starts in a prompt of n tokens. */
function contextLength(b: Boundary, n: number, ids: (number | null)[], plp: unknown[], promptText: unknown): number | string {
  if (b.contextTokens !== undefined && b.contextTokens !== null) {
    if (!isIntegerAtLeast(b.contextTokens, 0) || b.contextTokens > n) return `context_tokens must be an integer from 0 to ${n}, found ${show(b.contextTokens)}`;
    return b.contextTokens;
  }
  if (isTokenIds(b.context)) {
    if (b.context.length > n) return `the context (${b.context.length} tokens) is longer than the prompt (${n} tokens)`;
    return b.context.length;
  }
  if (typeof b.context === 'string') return contextTokensFromText(promptText, ids, plp, b.context);
  return Math.min(1, n);
}

/** The first position in [start, n) whose token nothing decides, or -1. */
function firstUnknown(ids: (number | null)[], plp: unknown[], start: number): number {
  for (let i = Math.max(start, 1); i < ids.length; i++) if (ids[i] === null && plp[i] !== null) return i;
  return -1;
}

function undecided(where: string, i: number): string {
  return `cannot tell which entry of ${where}[${i}] is the prompt's own token (the dict lists it among its top entries and nothing else in the response says which): save prompt_token_ids (request with return_token_ids) or send the prompt as token ids`;
}

/** A completion choice with prompt_logprobs. */
function completionRecord(
  id: string | number,
  choice: Record<string, unknown>,
  c: number,
  request: Record<string, unknown> | undefined,
  b: Boundary,
): AuditRecord | string {
  const where = `choices[${c}].prompt_logprobs`;
  const plp = choice.prompt_logprobs as unknown[];
  const n = plp.length;
  const prompt = promptOfChoice(request?.prompt, choice, request?.n);
  const lp = isObject(choice.logprobs) ? readLogprobs(choice.logprobs) : null;
  if (typeof lp === 'string') return `choices[${c}].${lp}`;
  // The legacy lists echo the prompt when they are longer than it (echo + logprobs).
  const echoed = lp !== null && (request?.echo === true || (request?.echo === undefined && lp.tokens.length >= n && lp.values[0] === null));
  const echo: Echo | undefined = echoed && lp ? { tokens: lp.tokens, values: lp.values } : undefined;
  const k = request?.prompt_logprobs ?? (request?.echo === true ? request?.logprobs : undefined);
  const ids = promptIds(plp, where, isTokenIds(choice.prompt_token_ids) ? choice.prompt_token_ids : prompt, echo, k, prompt);
  if (typeof ids === 'string') return ids;
  const start = contextLength(b, n, ids, plp, prompt);
  if (typeof start === 'string') return start;
  const open = firstUnknown(ids, plp, start);
  if (open >= 0) return undecided(where, open);

  const record = promptSpan(id, ids, plp, start, { sentinel: VLLM_SENTINEL });
  // Generated tokens follow the prompt: after it in an echo, or the whole non-echo list.
  if (lp) record.trailing_logprobs = echoed ? lp.values.slice(n) : lp.values;
  if (typeof prompt === 'string') {
    if (typeof b.context === 'string' && prompt.startsWith(b.context)) {
      record.prompt = b.context;
      record.completion = sliceCodePoints(prompt, codePointLength(b.context));
    } else if (typeof b.context === 'string') record.prompt = b.context;
  }
  return record;
}

/** A chat response with prompt_logprobs: the reply with the prompt as context, or a span of the prompt. */
function chatPromptRecord(
  id: string | number,
  resp: Record<string, unknown>,
  choice: Record<string, unknown>,
  request: Record<string, unknown> | undefined,
  b: Boundary,
): AuditRecord | string {
  const plp = resp.prompt_logprobs as unknown[];
  const n = plp.length;
  const ids = promptIds(plp, 'prompt_logprobs', resp.prompt_token_ids, undefined, request?.prompt_logprobs, undefined);
  if (typeof ids === 'string') return ids;
  // A reply of no tokens still carries the prompt's log-probs: it is a record all the same.
  const chat = chatRecord(id, choice, request);
  const reply: AuditRecord | string = chat === NO_TOKENS ? { id, tokens: [], logprobs: [], reference_logprobs: [], top_logprobs: [] } : chat;
  if (hasBoundary(b)) {
    const start = contextLength(b, n, ids, plp, undefined);
    if (typeof start === 'string') return start;
    const open = firstUnknown(ids, plp, start);
    if (open >= 0) return undecided('prompt_logprobs', open);
    const record = promptSpan(id, ids, plp, start, { sentinel: VLLM_SENTINEL });
    if (typeof reply !== 'string') record.trailing_logprobs = [...(reply.reference_logprobs ?? []), ...(reply.trailing_logprobs ?? [])];
    return record;
  }
  if (typeof reply === 'string') return reply;
  // Context values are only read, never scored: an undecided position is simply unknown.
  reply.context_logprobs = promptSpan(id, ids, plp, n, { sentinel: VLLM_SENTINEL }).context_logprobs;
  return reply;
}

function wrapperFields(v: Record<string, unknown>): { id: string | number; fields: WrapperFields } | string {
  const id = readWrapperId(v);
  if (typeof id === 'object') return id.error;
  const fields = readWrapperFields(v);
  return typeof fields === 'string' ? fields : { id, fields };
}

export const vllmServerAdapter: FormatAdapter = {
  name: FORMAT,
  description:
    "vLLM's OpenAI-compatible server with prompt_logprobs (/v1/completions choices[].prompt_logprobs, /v1/chat/completions prompt_logprobs), bare or in an eval script wrapper {id, score, context | context_tokens, request, response}",
  containers: ['jsonl', 'json'],
  detect(first) {
    const resp = responseOf(first);
    // A RequestOutput dict (the vllm adapter) has prompt_logprobs too, but no choices.
    return resp !== null && Array.isArray(resp.choices) && hasPromptLogprobs(resp);
  },
  createConverter(file, options) {
    // Rows without prompt_logprobs are plain OpenAI-shaped responses.
    const completions = openaiCompletionsAdapter.createConverter(file, options);
    const chat = openaiChatAdapter.createConverter(file, options);
    return (row) => {
      const v = row.value;
      const line = row.line;
      const resp = responseOf(v);
      if (resp === null) return [fail(file, line, `expected a completion response object, found ${show(v)}`)];
      const choices = resp.choices;
      if (!Array.isArray(choices) || choices.length === 0) return [fail(file, line, 'response has no choices')];
      if (!hasPromptLogprobs(resp)) {
        const first = choices[0];
        const isChat = isObject(first) && isObject(first.logprobs) && Array.isArray(first.logprobs.content);
        return (isChat ? chat : completions)(row);
      }
      const isChat = Array.isArray(resp.prompt_logprobs);
      const wrapped = resp !== v;
      const w = v as Record<string, unknown>;
      const request = wrapped && isObject(w.request) ? w.request : undefined;
      const b: Boundary = wrapped ? { contextTokens: w.context_tokens, context: w.context } : {};

      if (wrapped) {
        const opened = wrapperFields(w);
        if (typeof opened === 'string') return [fail(file, line, opened, claimed(w))];
        const { id, fields } = opened;
        const choice = choices[0];
        if (!isObject(choice)) return [fail(file, line, 'choices[0] is not an object', id)];
        // A scored completion must say where its continuation starts, or the whole prompt would be compared with it.
        if (!isChat && fields.score !== undefined && !hasBoundary(b)) {
          return [fail(file, line, 'the wrapper gives neither context nor context_tokens: cannot tell which prompt tokens were scored', id)];
        }
        const record = isChat ? chatPromptRecord(id, resp, choice, request, b) : completionRecord(id, choice, 0, request, b);
        if (typeof record === 'string') return [fail(file, line, record, id)];
        return [{ kind: 'record', file, line, record: Object.assign(record, fields) }];
      }

      return bareChoiceItems(
        resp,
        choices,
        file,
        line,
        (id, choice, c) => (isChat ? chatPromptRecord(id, resp, choice, undefined, b) : Array.isArray(choice.prompt_logprobs) ? completionRecord(id, choice, c, undefined, b) : `choices[${c}] has no prompt_logprobs`),
        fail,
      );
    };
  },
};

function claimed(w: Record<string, unknown>): string | number | undefined {
  return typeof w.id === 'string' || typeof w.id === 'number' ? w.id : undefined;
}
