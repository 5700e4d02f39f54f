/**
 * SGLang's native `/generate` with `return_logprob: true` (`top_logprobs_num: k` for lists,
 * `logprob_start_len` for where prompt log-probs start; python/sglang/srt/managers/
 * tokenizer_manager.py writes them): `{text, meta_info: {id, prompt_tokens, finish_reason,
 * input_token_logprobs, output_token_logprobs, input_top_logprobs, output_top_logprobs}}`. Each
 * token is a `[logprob, token_id, text]` triple (`text` null unless `return_text_in_logprobs`);
 * the first prompt token's log-prob is null (nothing predicts it); a step's top list is a list of
 * triples, best first, null where there is none.
 *
 * The prompt entries cover prompt positions `prompt_tokens - entries` … end (they start at
 * `logprob_start_len`). Records: the generated tokens are the continuation and the prompt's
 * values its context; with a wrapper's `context_tokens` (prompt tokens before the continuation,
 * as lm-evaluation-harness counts them) the continuation is the prompt from there, scored with
 * `max_new_tokens` 0 or 1, the generated tokens trailing. Rows are a bare response (a list of them
 * for a batch) or a wrapper `{id, group, gold, score, …, context_tokens, request, response}`.
 */
import type { AuditRecord, RawItem, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { FieldReader, NO_LOGPROBS, rawValuesTell } from './server-tokens.js';
import { readWrapper } from './wrapper.js';
import { invalidFor, isIntegerAtLeast, isObject, show } from './values.js';

const FORMAT = 'sglang';
const fail = invalidFor(FORMAT);

interface Step {
  value: number | null;
  id: number;
  text: string | null;
}

function triple(r: FieldReader, v: unknown, where: string): Step {
  const t = r.list(v, where);
  if (r.error === null && t.length < 2) r.fail(`${where} is not [logprob, token_id, text]: ${show(v)}`);
  const text = t[2];
  if (text !== undefined && text !== null && typeof text !== 'string') r.fail(`${where}[2] is not a string: ${show(text)}`);
  return { value: r.numberOrNull(t[0], `${where}[0]`), id: r.tokenId(t[1], `${where}[1]`), text: typeof text === 'string' ? text : null };
}

function steps(r: FieldReader, v: unknown, where: string): Step[] {
  if (v === undefined || v === null) return [];
  const items = r.list(v, where);
  const out: Step[] = [];
  for (let i = 0; i < items.length && r.error === null; i++) out.push(triple(r, items[i], `${where}[${i}]`));
  return out;
}

/** Top lists for `n` steps, or undefined when the response has none; a step's null is an empty list. */
function topLists(r: FieldReader, v: unknown, n: number, where: string): TopLogprob[][] | undefined {
  if (v === undefined || v === null) return undefined;
  const items = r.list(v, where);
  if (items.length !== n) {
    r.fail(`${where} has ${items.length} lists for ${n} tokens`);
    return undefined;
  }
  return items.map((s, i) =>
    steps(r, s, `${where}[${i}]`)
      .filter((e) => e.value !== null)
      .map((e) => ({ token: e.text ?? '', logprob: e.value as number, id: e.id })),
  );
}

/** The part of a record the steps make: ids, values, texts when all are given, lists. */
function fill(record: AuditRecord, span: Step[], top: TopLogprob[][] | undefined): void {
  record.token_ids = span.map((s) => s.id);
  const raw = span.map((s) => s.value);
  if (rawValuesTell(raw)) record.logprobs = raw;
  record.reference_logprobs = raw.slice();
  if (span.every((s) => s.text !== null)) record.tokens = span.map((s) => s.text as string);
  // A list's tokens are known by id (their texts are '' without return_text_in_logprobs).
  if (top) record.top_logprobs = top;
}

function sglangRecord(id: string | number, resp: Record<string, unknown>, contextTokens: unknown): AuditRecord | string | null {
  const meta = resp.meta_info;
  if (!isObject(meta) || (meta.output_token_logprobs === undefined && meta.input_token_logprobs === undefined)) return null;
  const r = new FieldReader();
  const input = steps(r, meta.input_token_logprobs, 'meta_info.input_token_logprobs');
  const output = steps(r, meta.output_token_logprobs, 'meta_info.output_token_logprobs');
  const inputTop = topLists(r, meta.input_top_logprobs, input.length, 'meta_info.input_top_logprobs');
  const outputTop = topLists(r, meta.output_top_logprobs, output.length, 'meta_info.output_top_logprobs');
  if (r.error) return r.error;
  const record: AuditRecord = { id };
  if (contextTokens !== undefined && contextTokens !== null) {
    // Prompt entries start at logprob_start_len: prompt_tokens - entries (0 when the count is not given).
    const promptTokens = isIntegerAtLeast(meta.prompt_tokens, 0) ? meta.prompt_tokens : input.length;
    const start = promptTokens - input.length;
    if (start < 0) return `meta_info.input_token_logprobs has ${input.length} entries for ${promptTokens} prompt tokens`;
    if (!isIntegerAtLeast(contextTokens, 0) || contextTokens > promptTokens) return `context_tokens must be an integer from 0 to ${promptTokens}, found ${show(contextTokens)}`;
    if (contextTokens < start) return `context_tokens ${contextTokens} is before the first prompt token with a log-prob (${start}: logprob_start_len)`;
    const at = contextTokens - start;
    fill(record, input.slice(at), inputTop?.slice(at));
    record.context_logprobs = input.slice(0, at).map((s) => s.value);
    record.trailing_logprobs = output.map((s) => s.value);
    return record;
  }
  if (meta.output_token_logprobs === undefined) return 'meta_info has input_token_logprobs but no output_token_logprobs: give context_tokens to score the prompt';
  fill(record, output, outputTop);
  if (input.length > 0) record.context_logprobs = input.map((s) => s.value);
  if (typeof resp.text === 'string') record.completion = resp.text;
  return record;
}

function item(file: string, line: number, id: string | number, made: AuditRecord | string | null): RawItem {
  if (made === null) return { kind: 'skipped', file, line, recordId: id, reason: NO_LOGPROBS };
  if (typeof made === 'string') return fail(file, line, made, id);
  return { kind: 'record', file, line, record: made };
}

function isSglangResponse(v: unknown): v is Record<string, unknown> {
  if (!isObject(v) || !isObject(v.meta_info) || !('text' in v || 'output_ids' in v)) return false;
  const m = v.meta_info;
  return 'output_token_logprobs' in m || 'input_token_logprobs' in m || ('prompt_tokens' in m && 'finish_reason' in m);
}

function responseId(resp: Record<string, unknown>, fallback: string): string {
  const meta = resp.meta_info as Record<string, unknown>;
  return typeof meta.id === 'string' ? meta.id : fallback;
}

export const sglangAdapter: FormatAdapter = {
  name: FORMAT,
  description: "SGLang native /generate responses with return_logprob (meta_info's [logprob, token_id, text] triples), bare, as a batch list, or in an eval script wrapper {id, score, context_tokens, request, response}",
  containers: ['jsonl', 'json'],
  detect(first) {
    const v = isObject(first) && 'response' in first ? first.response : first;
    return isSglangResponse(Array.isArray(v) ? v[0] : v);
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (Array.isArray(v)) {
        return v.map((resp, i) => {
          if (!isSglangResponse(resp)) return fail(file, line, `element ${i} is not a /generate response`, `line-${line}/${i}`);
          const id = responseId(resp, `line-${line}/${i}`);
          return item(file, line, id, sglangRecord(id, resp, undefined));
        });
      }
      if (!isObject(v)) return [fail(file, line, `expected a /generate response object, found ${show(v)}`)];
      if (!('response' in v)) {
        if (!isSglangResponse(v)) return [fail(file, line, 'not a /generate response (text and meta_info)')];
        const id = responseId(v, `line-${line}`);
        return [item(file, line, id, sglangRecord(id, v, undefined))];
      }
      const opened = readWrapper(v, file, line, fail);
      if ('kind' in opened) return [opened];
      const { id, fields } = opened;
      if (!isSglangResponse(v.response)) return [fail(file, line, 'response is not one /generate response (text and meta_info)', id)];
      const made = sglangRecord(id, v.response, v.context_tokens);
      // A recorded score beside a response without log-probs has no evidence behind it.
      if (made === null && fields.score !== undefined) return [fail(file, line, `a score beside a ${NO_LOGPROBS}`, id)];
      const out = item(file, line, id, made);
      if (out.kind === 'record') {
        Object.assign(out.record, fields);
        const request = v.request;
        if (isObject(request) && typeof request.text === 'string') out.record.prompt = request.text;
      }
      return [out];
    };
  },
};
