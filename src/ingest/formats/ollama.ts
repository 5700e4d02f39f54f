/**
 * Ollama's native API (`/api/generate`, `/api/chat`) requested with `logprobs: true` (and
 * `top_logprobs: k`), Ollama v0.12.11 and later (`api/types.go`): the response's `logprobs[]`
 * holds one entry per generated token, `{token, logprob, bytes, top_logprobs: [{token, logprob,
 * bytes}]}` (`top_logprobs` left out when empty), beside `response` (generate) or
 * `message.content` (chat), `done` and `done_reason`. The entries are chat completions'
 * `logprobs.content[]` entries, so a reply is read as openai-chat reads a choice (chatRecord).
 *
 * Ollama's replies carry no id: a bare reply is `line-<n>` (a streamed chunk, `done: false`, is a
 * line and a record of its own tokens); a wrapper `{id, score, score_kind, request, response}`
 * names it, and its request's `prompt` (generate) or last message (chat) is the prompt. A reply
 * without `logprobs` was requested without them: skipped.
 */
import type { FormatAdapter } from '../adapter.js';
import { chatRecord } from './openai-chat.js';
import { failedChoice, readWrapper, responseOf } from './wrapper.js';
import { invalid, isObject, show, skipped } from './values.js';

/** Why a stream's closing chunk is skipped. */
export const STREAM_END = "a stream's closing chunk (its counts, no token)";

/** An Ollama reply: `model`, `created_at`, `done`, and the generated text as `response` or `message`. */
function isOllamaReply(r: Record<string, unknown> | null): r is Record<string, unknown> {
  return r !== null && typeof r.model === 'string' && typeof r.created_at === 'string' && typeof r.done === 'boolean' && (typeof r.response === 'string' || isObject(r.message));
}

/** The reply as the chat choice it is equivalent to. */
function asChoice(r: Record<string, unknown>): Record<string, unknown> {
  const text = typeof r.response === 'string' ? r.response : isObject(r.message) && typeof r.message.content === 'string' ? r.message.content : undefined;
  return {
    index: 0,
    finish_reason: r.done ? (typeof r.done_reason === 'string' ? r.done_reason : 'stop') : null,
    message: { role: 'assistant', content: text },
    logprobs: Array.isArray(r.logprobs) ? { content: r.logprobs } : null,
  };
}

export const ollamaAdapter: FormatAdapter = {
  name: 'ollama',
  description: 'Ollama /api/generate and /api/chat replies with logprobs, bare (a stream chunk a line) or in an eval script wrapper {id, score, request, response}',
  containers: ['jsonl', 'json'],
  detect(first) {
    return isOllamaReply(responseOf(first));
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (!isObject(v)) return [invalid(file, line, `expected an Ollama reply object, found ${show(v)}`)];
      const wrapped = isObject(v.response);
      const reply = wrapped ? (v.response as Record<string, unknown>) : v;
      if (!isOllamaReply(reply)) return [invalid(file, line, 'not an Ollama reply (model, created_at, done, and response or message)')];
      if (wrapped) {
        const opened = readWrapper(v, file, line);
        if ('kind' in opened) return [opened];
        const { id, fields } = opened;
        // chatRecord takes a chat request's last message as the prompt; a generate request names it.
        const request = isObject(v.request) ? v.request : undefined;
        const record = chatRecord(id, asChoice(reply), request, 'logprobs');
        if (typeof record === 'string') return [failedChoice(file, line, record, id, fields.score !== undefined)];
        if (typeof request?.prompt === 'string') record.prompt = request.prompt;
        return [{ kind: 'record', file, line, record: Object.assign(record, fields) }];
      }
      const id = `line-${line}`;
      // A stream ends on a chunk with the run's counts and no token: nothing to audit, nothing missing.
      if (reply.done === true && reply.logprobs === undefined && reply.response === '' && typeof reply.eval_count === 'number') return [skipped(file, line, STREAM_END, id)];
      const record = chatRecord(id, asChoice(reply), undefined, 'logprobs');
      if (typeof record === 'string') return [failedChoice(file, line, record, id)];
      return [{ kind: 'record', file, line, record }];
    };
  },
};
