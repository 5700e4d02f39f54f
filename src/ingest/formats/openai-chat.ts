/**
 * OpenAI chat completions with `logprobs: true`: `choices[].logprobs.content[]`, one entry per
 * generated token with `token`, `logprob`, `bytes` and up to 20 `top_logprobs`. A token outside
 * the top 20 carries -9999.0, the API's "not reported" value, instead of a log-prob.
 *
 * Only generated tokens have log-probs (chat has no echo), so the continuation is the reply. A
 * reply that stopped (`finish_reason: "stop"`) may list the token it stopped on (vLLM keeps the
 * EOS token): tokens that start past the end of `message.content` are trailing, not scored.
 * A refusal is the reply too: its tokens are `logprobs.refusal` (beside `content: null`), its text
 * `message.refusal`.
 * vLLM's `return_token_ids` adds the reply's `token_ids`.
 * Rows are bare responses or an eval script's wrapper `{id, score, score_kind, request, response}`.
 */
import type { AuditRecord, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { NO_TOKENS, STREAM_CLOSE, WITHOUT_LOGPROBS, bareChoiceItems, isStreamClose, chatEntriesField, choiceWithoutLogprobs, failedChoice, firstChoiceLogprobs, hasPromptLogprobs, isResponseWithoutLogprobs, openWrapper, responseOf, choicelessChunk } from './wrapper.js';
import { stoppedEarly, tokensWithinText } from './returned-text.js';
import { invalid, isObject, show } from './values.js';

/** OpenAI's documented value for a token that is not among the top 20. */
export const OPENAI_SENTINEL = -9999;

/**
 * A choice's record; `entries` names where its token entries stand in the caller's format (for
 * messages: the Responses API's `output_text` parts and Ollama's `logprobs` hold the same entries).
 */
export function chatRecord(id: string | number, choice: Record<string, unknown>, request: Record<string, unknown> | undefined, entries = 'logprobs.content'): AuditRecord | string {
  const lp = choice.logprobs;
  if (choiceWithoutLogprobs(choice)) return isStreamClose(choice) ? STREAM_CLOSE : WITHOUT_LOGPROBS;
  const field = chatEntriesField(lp);
  if (field === null) return `choice.logprobs is not {content: [...]}: ${show(lp)}`;
  // A refusal's tokens stand in logprobs.refusal and its text in message.refusal.
  const where = field === 'refusal' ? 'logprobs.refusal' : entries;
  const content = (lp as Record<string, unknown>)[field] as unknown[];
  const n = content.length;
  if (n === 0) return NO_TOKENS;
  const tokens = new Array<string>(n);
  const recorded = new Array<number>(n);
  const reference = new Array<number | null>(n);
  const top = new Array<TopLogprob[]>(n);
  for (let i = 0; i < n; i++) {
    const e = content[i];
    if (!isObject(e) || typeof e.token !== 'string' || typeof e.logprob !== 'number') {
      return `${where}[${i}] is not {token, logprob}: ${show(e)}`;
    }
    tokens[i] = e.token;
    recorded[i] = e.logprob;
    // The sentinel is not a log-prob: the server gave none, so the reference is unknown there
    // (the rules then bound it by the top-20 list). The recorded values keep it as written.
    reference[i] = e.logprob === OPENAI_SENTINEL ? null : e.logprob;
    const list: TopLogprob[] = [];
    if (Array.isArray(e.top_logprobs)) {
      for (const t of e.top_logprobs) {
        if (isObject(t) && typeof t.token === 'string' && typeof t.logprob === 'number') list.push({ token: t.token, logprob: t.logprob });
      }
    }
    top[i] = list;
  }
  const message = choice.message;
  const said = isObject(message) ? message[field] : undefined;
  const text = typeof said === 'string' ? said : undefined;
  const keep = text !== undefined && stoppedEarly(choice.finish_reason) ? tokensWithinText(tokens, text, content.map((e) => (e as Record<string, unknown>).bytes)) : n;
  const record: AuditRecord = {
    id,
    tokens: tokens.slice(0, keep),
    logprobs: recorded.slice(0, keep),
    reference_logprobs: reference.slice(0, keep),
    top_logprobs: top.slice(0, keep),
    sentinel: OPENAI_SENTINEL,
  };
  if (keep < n) record.trailing_logprobs = reference.slice(keep);
  const ids = choice.token_ids;
  if (Array.isArray(ids) && ids.length === n && ids.every((t) => Number.isInteger(t) && t >= 0)) record.token_ids = ids.slice(0, keep) as number[];
  if (text !== undefined) record.completion = text;
  const messages = request?.messages;
  if (Array.isArray(messages) && messages.length > 0) {
    const last = messages[messages.length - 1];
    if (isObject(last) && typeof last.content === 'string') record.prompt = last.content;
  }
  return record;
}

/** The chat API's `object`s: a response, and a streamed chunk (whose choices carry `delta` for `message`). */
const CHAT_OBJECTS: ReadonlySet<string> = new Set(['chat.completion', 'chat.completion.chunk']);

export const openaiChatAdapter: FormatAdapter = {
  name: 'openai-chat',
  description: 'OpenAI chat completions with logprobs.content, bare or in an eval script wrapper {id, score, request, response}',
  containers: ['jsonl', 'json'],
  detect(first) {
    const lp = firstChoiceLogprobs(first);
    const resp = responseOf(first);
    if (resp && hasPromptLogprobs(resp)) return false;
    return chatEntriesField(lp) !== null || isResponseWithoutLogprobs(first, CHAT_OBJECTS);
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (!isObject(v)) return [invalid(file, line, `expected a chat completion object, found ${show(v)}`)];
      const wrapped = isObject(v.response);
      const resp = wrapped ? (v.response as Record<string, unknown>) : v;
      const choices = resp.choices;
      const choiceless = choicelessChunk(resp, file, line);
      if (choiceless) return [choiceless];
      if (!Array.isArray(choices) || choices.length === 0) return [invalid(file, line, 'response has no choices')];

      if (wrapped) {
        const opened = openWrapper(v, choices, file, line);
        if ('kind' in opened) return [opened];
        const { id, fields, choice } = opened;
        const record = chatRecord(id, choice, isObject(v.request) ? v.request : undefined);
        if (typeof record === 'string') return [failedChoice(file, line, record, id, fields.score !== undefined)];
        return [{ kind: 'record', file, line, record: Object.assign(record, fields) }];
      }

      return bareChoiceItems(resp, choices, file, line, (id, choice) => chatRecord(id, choice, undefined), failedChoice);
    };
  },
};
