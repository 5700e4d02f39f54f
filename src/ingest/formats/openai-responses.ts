/**
 * OpenAI Responses API (`POST /v1/responses`, `object: "response"`) requested with
 * `include: ["message.output_text.logprobs"]`: each `output[]` item of `type: "message"` holds
 * `content[]` parts, and a part of `type: "output_text"` carries `text` and `logprobs[]`, one
 * entry per generated token with `token`, `bytes`, `logprob` and up to 20 `top_logprobs`: the
 * entries of chat completions' `logprobs.content[]`, one level deeper. So each part is read as
 * openai-chat reads a choice (chatRecord). Reasoning, tool-call and other items carry no
 * log-probs and are passed over.
 *
 * A bare response gives one record per output_text part, `<response id>/<k>` (k counts the parts
 * from 0); a wrapper `{id, score, score_kind, request, response}` scores its first part. A part
 * whose `logprobs` is absent or empty while it has text was requested without them: skipped.
 */
import type { RawItem } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { chatRecord } from './openai-chat.js';
import { failedChoice, readWrapper, responseOf } from './wrapper.js';
import { invalid, isObject, show, skipped } from './values.js';

/** Why a response with no output text is skipped (only reasoning, tool calls, a refusal). */
export const NO_OUTPUT_TEXT = 'a response with no output text (reasoning, tool calls or a refusal only)';

/** The response's output_text parts, in order. */
function outputTexts(resp: Record<string, unknown>): Record<string, unknown>[] {
  const parts: Record<string, unknown>[] = [];
  if (!Array.isArray(resp.output)) return parts;
  for (const item of resp.output) {
    if (!isObject(item) || item.type !== 'message' || !Array.isArray(item.content)) continue;
    for (const part of item.content) if (isObject(part) && part.type === 'output_text') parts.push(part);
  }
  return parts;
}

/** A part as the chat choice it is equivalent to: a completed response stopped where its text ends. */
function asChoice(resp: Record<string, unknown>, part: Record<string, unknown>, k: number): Record<string, unknown> {
  const lp = part.logprobs;
  return {
    index: k,
    finish_reason: resp.status === 'completed' ? 'stop' : 'length',
    message: { role: 'assistant', content: part.text },
    logprobs: Array.isArray(lp) && (lp.length > 0 || part.text === '') ? { content: lp } : null,
  };
}

/**
 * A streamed Responses event (`{type: "response.…", sequence_number, …}`, one per line or per
 * server-sent event). The closing `response.completed` (or `.incomplete`, `.failed`) holds the
 * whole reply (`response`), read as a bare response; the `response.output_text.delta` events
 * before it carry the same tokens' `logprobs` a delta at a time, so they are skipped with that
 * reason, as are the events without tokens. A stream cut before its end has no reply to read:
 * its deltas' reason says so, and nothing of it counts as audited.
 */
function isStreamEvent(v: Record<string, unknown>): boolean {
  // `sequence_number` came later (2025): a response object itself has `object`, no `type`.
  return typeof v.type === 'string' && v.type.startsWith('response.') && !('object' in v);
}

const CLOSING_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** The skip of an event that is not the stream's closing one. */
function streamEventSkip(v: Record<string, unknown>, file: string, line: number): RawItem {
  const type = v.type as string;
  if (type === 'response.output_text.delta') return skipped(file, line, "a Responses stream's text delta: its tokens are read from the stream's closing response.completed event (a stream without one is not audited)");
  return skipped(file, line, `a Responses stream event without tokens (${type})`);
}

/** The prompt of a request: `input` as text, or the text of its last input message. */
function promptOf(request: unknown): string | undefined {
  if (!isObject(request)) return undefined;
  const input = request.input;
  if (typeof input === 'string') return input;
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const last = input[input.length - 1];
  if (!isObject(last)) return undefined;
  if (typeof last.content === 'string') return last.content;
  if (!Array.isArray(last.content)) return undefined;
  const texts = last.content.filter((c): c is Record<string, unknown> => isObject(c) && typeof c.text === 'string').map((c) => c.text as string);
  return texts.length > 0 ? texts.join('') : undefined;
}

export const openaiResponsesAdapter: FormatAdapter = {
  name: 'openai-responses',
  description: 'OpenAI Responses API (object "response") with output_text logprobs, bare or in an eval script wrapper {id, score, request, response}',
  containers: ['jsonl', 'json'],
  detect(first) {
    if (isObject(first) && isStreamEvent(first)) return true;
    const resp = responseOf(first);
    return resp !== null && resp.object === 'response' && Array.isArray(resp.output);
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (!isObject(v)) return [invalid(file, line, `expected a Responses API response object, found ${show(v)}`)];
      const event = isStreamEvent(v);
      if (event && !(CLOSING_EVENTS.has(v.type as string) && isObject(v.response))) return [streamEventSkip(v, file, line)];
      // A closing event's reply is a bare response (the event is no eval script's wrapper).
      const wrapped = !event && isObject(v.response);
      const resp = isObject(v.response) ? v.response : v;
      if (!Array.isArray(resp.output)) return [invalid(file, line, 'response has no output list')];
      const parts = outputTexts(resp);
      const request = wrapped && isObject(v.request) ? v.request : undefined;

      if (wrapped) {
        const opened = readWrapper(v, file, line);
        if ('kind' in opened) return [opened];
        const { id, fields } = opened;
        if (parts.length === 0) return [fields.score !== undefined ? invalid(file, line, `a score beside ${NO_OUTPUT_TEXT}`, id) : skipped(file, line, NO_OUTPUT_TEXT, id)];
        const record = chatRecord(id, asChoice(resp, parts[0], 0), undefined, 'output_text part 0: logprobs');
        if (typeof record === 'string') return [failedChoice(file, line, record, id, fields.score !== undefined)];
        const prompt = promptOf(request);
        if (prompt !== undefined) record.prompt = prompt;
        return [{ kind: 'record', file, line, record: Object.assign(record, fields) }];
      }

      const base = typeof resp.id === 'string' || typeof resp.id === 'number' ? String(resp.id) : `line-${line}`;
      if (parts.length === 0) return [skipped(file, line, NO_OUTPUT_TEXT, base)];
      const items: RawItem[] = [];
      for (let k = 0; k < parts.length; k++) {
        const id = `${base}/${k}`;
        const record = chatRecord(id, asChoice(resp, parts[k], k), undefined, `output_text part ${k}: logprobs`);
        items.push(typeof record === 'string' ? failedChoice(file, line, record, id) : { kind: 'record', file, line, record });
      }
      return items;
    };
  },
};
