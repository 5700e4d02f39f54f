/**
 * Hugging Face text-generation-inference `/generate` with `details: true` (and
 * `decoder_input_details: true` for the prompt). Shape: clients/python/text_generation/types.py
 * (`Response`, `Details`, `InputToken`, `Token`) and the snapshots in
 * integration-tests/models/__snapshots__/:
 *
 *   {generated_text, details: {finish_reason, generated_tokens, seed, prefill: [{id, text, logprob}],
 *    tokens: [{id, text, logprob, special}], top_tokens: [[{id, text, logprob, special}]] | null}}
 *
 * The first prefill log-prob is null (nothing predicts it), and so is every prompt token TGI took
 * from its prefix cache (server/text_generation_server/models/flash_causal_lm.py fills them with
 * NaN, which JSON writes as null).
 *
 * Prefill log-probs are log_softmax of the raw logits: the model's own. Generated tokens' log-probs
 * and `top_tokens` come from the NextTokenChooser after its processors
 * (server/text_generation_server/utils/tokens.py): with temperature ≠ 1, top_k, top_p < 1,
 * typical_p < 1, a repetition or frequency penalty, a watermark or a grammar they are the
 * sampler's distribution, marked `distribution: "processed"`. `do_sample` alone samples from the
 * unprocessed distribution. A response saved without its request, whose `details.seed` says
 * sampling was on, is marked processed too: its parameters cannot be known.
 *
 * Records: with the wrapper's `context_tokens` / `context` the continuation is prefill[context:]
 * (scoring a continuation as part of the prompt, `max_new_tokens: 1`), the generated tokens
 * trailing; otherwise the generated tokens are the continuation (up to the end of
 * `generated_text`: an EOS token TGI lists but does not render is trailing), the prefill its
 * context. Rows are a bare response, a list of them (the `/` route), or a wrapper
 * `{id, group, gold, score, …, context | context_tokens, request: {inputs, parameters}, response}`.
 */
import type { AuditRecord, RawItem, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { isTokenIds } from './openai-completions.js';
import { stoppedEarly, tokensWithinText } from './returned-text.js';
import { FieldReader, NO_LOGPROBS, rawValuesTell } from './server-tokens.js';
import { readWrapperFields, readWrapperId } from './wrapper.js';
import { codePointLength, invalidFor, isIntegerAtLeast, isObject, show, sliceCodePoints } from './values.js';

const FORMAT = 'tgi';

interface TgiToken {
  id: number;
  text: string;
  logprob: number | null;
  special: boolean;
}

function readTokens(r: FieldReader, v: unknown, where: string): TgiToken[] {
  if (v === undefined || v === null) return [];
  const out: TgiToken[] = [];
  const items = r.list(v, where);
  for (let i = 0; i < items.length && r.error === null; i++) {
    const e = r.object(items[i], `${where}[${i}]`);
    out.push({
      id: r.tokenId(e.id, `${where}[${i}].id`),
      text: r.string(e.text, `${where}[${i}].text`),
      logprob: r.numberOrNull(e.logprob, `${where}[${i}].logprob`),
      special: e.special === true,
    });
  }
  return out;
}

function topLists(r: FieldReader, v: unknown, n: number): TopLogprob[][] | undefined {
  if (v === undefined || v === null) return undefined;
  const steps = r.list(v, 'details.top_tokens');
  if (steps.length !== n && r.error === null) {
    r.fail(`details.top_tokens has ${steps.length} lists for ${n} tokens`);
    return undefined;
  }
  return steps.map((s, i) => listed(readTokens(r, s, `details.top_tokens[${i}]`)));
}

/** A step's top tokens as a list: those with a log-prob. */
function listed(tokens: TgiToken[]): TopLogprob[] {
  return tokens.filter((t) => t.logprob !== null).map((t) => ({ token: t.text, logprob: t.logprob as number, id: t.id }));
}

/** What processed the generated tokens' log-probs, or null when they are the model's own. */
export function tgiProcessing(params: Record<string, unknown> | undefined, seed: unknown, requestKnown: boolean): string | null {
  if (!requestKnown) {
    return typeof seed === 'number' ? 'TGI sampling (details.seed is set) with parameters not saved beside the response' : null;
  }
  if (!params) return null;
  const parts: string[] = [];
  const { temperature: t, top_k: k, top_p: p, typical_p: typical, repetition_penalty: rep, frequency_penalty: freq } = params;
  if (typeof t === 'number' && t !== 1) parts.push(`temperature ${t}`);
  if (typeof k === 'number' && k > 0) parts.push(`top_k ${k}`);
  if (typeof p === 'number' && p < 1) parts.push(`top_p ${p}`);
  if (typeof typical === 'number' && typical < 1) parts.push(`typical_p ${typical}`);
  if (typeof rep === 'number' && rep !== 1) parts.push(`repetition_penalty ${rep}`);
  if (typeof freq === 'number' && freq !== 0) parts.push(`frequency_penalty ${freq}`);
  if (params.watermark === true) parts.push('watermark');
  if (params.grammar !== undefined && params.grammar !== null) parts.push('grammar');
  return parts.length > 0 ? `TGI logits processors: ${parts.join(', ')}` : null;
}

/** Generated tokens' values: the model's reference, or (processed) the sampler's numbers, which are what the pipeline saw, not a reference of the model. */
function generatedValues(record: AuditRecord, raw: (number | null)[], processing: string | null): void {
  if (processing === null) {
    if (rawValuesTell(raw)) record.logprobs = raw;
    record.reference_logprobs = raw.slice();
  } else {
    record.logprobs = raw;
    record.distribution = 'processed';
    record.processing = processing;
  }
}

interface Boundary {
  contextTokens?: unknown;
  context?: unknown;
}

/**
 * Where the continuation starts in the prefill. The token texts locate a context text when they
 * spell the request's inputs (after special tokens such as BOS, which the inputs do not hold).
 */
function prefillStart(prefill: TgiToken[], b: Boundary, inputs: unknown): number | string {
  const n = prefill.length;
  if (b.contextTokens !== undefined && b.contextTokens !== null) {
    if (!isIntegerAtLeast(b.contextTokens, 0) || b.contextTokens > n) return `context_tokens must be an integer from 0 to ${n} (the prefill's length), found ${show(b.contextTokens)}`;
    return b.contextTokens;
  }
  if (isTokenIds(b.context)) {
    const c = b.context;
    if (c.length > n || c.some((t, i) => prefill[i].id !== t)) return 'the context token ids are not the start of details.prefill';
    return c.length;
  }
  const context = b.context as string;
  const joined = prefill.map((t) => t.text).join('');
  if (typeof inputs !== 'string' || !joined.endsWith(inputs)) {
    return 'cannot locate the context text in details.prefill (its token texts do not spell the request inputs): give context_tokens';
  }
  // Token i starts at its offset in the joined texts, less the special tokens' text before the inputs.
  const end = codePointLength(joined) - codePointLength(inputs) + codePointLength(context);
  let offset = 0;
  let i = 0;
  while (i < n && offset < end) offset += codePointLength(prefill[i++].text);
  return i;
}

function tgiRecord(id: string | number, resp: Record<string, unknown>, request: Record<string, unknown> | undefined, b: Boundary): AuditRecord | string | null {
  const details = resp.details;
  if (details === undefined || details === null) return null;
  const r = new FieldReader();
  const d = r.object(details, 'details');
  const prefill = readTokens(r, d.prefill, 'details.prefill');
  const tokens = readTokens(r, d.tokens, 'details.tokens');
  const top = topLists(r, d.top_tokens, tokens.length);
  if (r.error) return r.error;
  const params = isObject(request?.parameters) ? request.parameters : undefined;
  const inputs = request?.inputs;
  const generated = tokens.map((t) => t.logprob);
  const record: AuditRecord = { id };

  const scoresPrompt = (b.contextTokens !== undefined && b.contextTokens !== null) || typeof b.context === 'string' || isTokenIds(b.context);
  if (scoresPrompt) {
    if (prefill.length === 0) return 'details.prefill is empty (the request was made without decoder_input_details): no prompt token has a log-prob';
    const start = prefillStart(prefill, b, inputs);
    if (typeof start === 'string') return start;
    const span = prefill.slice(start);
    record.token_ids = span.map((t) => t.id);
    record.tokens = span.map((t) => t.text);
    const raw = span.map((t) => t.logprob);
    if (rawValuesTell(raw)) record.logprobs = raw;
    record.reference_logprobs = raw.slice();
    record.context_logprobs = prefill.slice(0, start).map((t) => t.logprob);
    record.trailing_logprobs = generated;
    if (typeof b.context === 'string') {
      record.prompt = b.context;
      if (typeof inputs === 'string' && inputs.startsWith(b.context)) record.completion = sliceCodePoints(inputs, codePointLength(b.context));
    }
    return record;
  }

  // The generated text, without the prompt that return_full_text puts before it.
  let text = typeof resp.generated_text === 'string' ? resp.generated_text : '';
  if (params?.return_full_text === true && typeof inputs === 'string' && text.startsWith(inputs)) text = text.slice(inputs.length);
  const keep = stoppedEarly(d.finish_reason) ? tokensWithinText(tokens.map((t) => t.text), text) : tokens.length;
  const kept = tokens.slice(0, keep);
  record.token_ids = kept.map((t) => t.id);
  record.tokens = kept.map((t) => t.text);
  const raw = generated.slice(0, keep);
  generatedValues(record, raw, tgiProcessing(params, d.seed, request !== undefined));
  if (top) record.top_logprobs = top.slice(0, keep);
  if (prefill.length > 0) record.context_logprobs = prefill.map((t) => t.logprob);
  if (keep < tokens.length) record.trailing_logprobs = generated.slice(keep);
  if (typeof inputs === 'string') record.prompt = inputs;
  record.completion = text;
  return record;
}

/**
 * `/generate_stream`: each server-sent event is `{index, token: {id, text, logprob, special},
 * top_tokens, generated_text, details}` (the last event's `generated_text` is the whole text, its
 * `details` the finish reason and seed, with no token list). An event is a record of its one token,
 * as a chat stream's chunk is; the special token a stream ends on (EOS) is not in the text: skipped.
 */
function isStreamEvent(v: unknown): boolean {
  return isObject(v) && typeof v.index === 'number' && isObject(v.token) && 'generated_text' in v;
}

/** Why a stream event of a special token is skipped. */
export const SPECIAL_TOKEN_EVENT = 'a stream event of a special token (EOS): not part of the text';

function streamEventItem(file: string, line: number, v: Record<string, unknown>): RawItem {
  const id = `line-${line}`;
  const r = new FieldReader();
  const [token] = readTokens(r, [v.token], 'token');
  const top = v.top_tokens === undefined || v.top_tokens === null ? undefined : readTokens(r, v.top_tokens, 'top_tokens');
  if (r.error) return fail(file, line, r.error, id);
  if (token.special) return { kind: 'skipped', file, line, recordId: id, reason: SPECIAL_TOKEN_EVENT };
  const record: AuditRecord = { id, tokens: [token.text], token_ids: [token.id] };
  generatedValues(record, [token.logprob], tgiProcessing(undefined, isObject(v.details) ? v.details.seed : undefined, false));
  if (top) record.top_logprobs = [listed(top)];
  record.completion = token.text;
  return { kind: 'record', file, line, record };
}

/** A wrapper's response: the object, or the one element of the list the `/` route answers with. */
function wrappedResponse(resp: unknown): unknown {
  return Array.isArray(resp) && resp.length === 1 ? resp[0] : resp;
}

function looksLikeTgi(v: unknown): boolean {
  const resp = Array.isArray(v) ? v[0] : isObject(v) && 'response' in v ? wrappedResponse(v.response) : v;
  return (isObject(resp) && typeof resp.generated_text === 'string' && (resp.details === undefined || resp.details === null || isObject(resp.details))) || isStreamEvent(resp);
}

const fail = invalidFor(FORMAT);

function item(file: string, line: number, id: string | number, made: AuditRecord | string | null): RawItem {
  if (made === null) return { kind: 'skipped', file, line, recordId: id, reason: NO_LOGPROBS };
  if (typeof made === 'string') return fail(file, line, made, id);
  return { kind: 'record', file, line, record: made };
}

export const tgiAdapter: FormatAdapter = {
  name: FORMAT,
  description: 'Hugging Face TGI /generate responses with details (and decoder_input_details), bare, as a list, or in an eval script wrapper {id, score, context | context_tokens, request, response}; /generate_stream events, one a line',
  containers: ['jsonl', 'json'],
  detect(first) {
    return looksLikeTgi(first);
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (Array.isArray(v)) {
        return v.map((resp, i) => {
          const id = `line-${line}/${i}`;
          return isObject(resp) ? item(file, line, id, tgiRecord(id, resp, undefined, {})) : fail(file, line, `element ${i} is not a response object`, id);
        });
      }
      if (!isObject(v)) return [fail(file, line, `expected a /generate response object, found ${show(v)}`)];
      if (isStreamEvent(v)) return [streamEventItem(file, line, v)];
      if (!('response' in v)) return [item(file, line, `line-${line}`, tgiRecord(`line-${line}`, v, undefined, {}))];
      const resp = wrappedResponse(v.response);
      const id = readWrapperId(v);
      if (typeof id === 'object') return [fail(file, line, id.error)];
      const fields = readWrapperFields(v);
      if (typeof fields === 'string') return [fail(file, line, fields, id)];
      if (!isObject(resp)) return [fail(file, line, `response is not one /generate response object: ${show(v.response)}`, id)];
      const request = isObject(v.request) ? v.request : undefined;
      const made = tgiRecord(id, resp, request, { contextTokens: v.context_tokens, context: v.context });
      const out = item(file, line, id, made);
      if (out.kind === 'record') Object.assign(out.record, fields);
      return [out];
    };
  },
};
