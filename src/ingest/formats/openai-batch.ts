/**
 * OpenAI Batch API files, and the servers that write the same lines (vLLM's `run_batch`,
 * SGLang, Mistral, Azure OpenAI): one request a line.
 *
 * - An output (or error) file line is a BatchRequestOutput (the OpenAI API reference's "The
 *   per-line object of the batch output and error files"): `{id, custom_id, response:
 *   {status_code, request_id, body}, error}`. `body` is what the endpoint would have answered
 *   (a chat completion, a legacy completion, a Responses API response, an embeddings list): it is
 *   read by that endpoint's own reader, its record ids the request's `custom_id` (which the
 *   caller chose, unique within a batch, so findings name the eval's own item) followed by the
 *   choice (`<custom_id>/<choice>`). A failed request (`error` set, or a status other than 200)
 *   is skipped with its error: the batch has no answer to audit.
 * - An input file line (`{custom_id, method, url, body}`), often kept beside the output, is a
 *   request: skipped, nothing to audit. So is a line of Anthropic's Message Batches results
 *   (`{custom_id, result}`), found in the same folders: that API gives no log-probs.
 */
import type { FormatAdapter } from '../adapter.js';
import type { RawItem } from '../../types.js';
import { invalidFor, isObject, show, skipped } from './values.js';
import { openaiChatAdapter } from './openai-chat.js';
import { openaiCompletionsAdapter } from './openai-completions.js';
import { openaiResponsesAdapter } from './openai-responses.js';
import { vllmServerAdapter } from './vllm-server.js';

const fail = invalidFor('openai-batch');

/** The readers of the bodies a batch can hold, in the order detection asks them (vllm-server before the plain OpenAI ones, as in the registry). */
const BODY_ADAPTERS: readonly FormatAdapter[] = [vllmServerAdapter, openaiChatAdapter, openaiCompletionsAdapter, openaiResponsesAdapter];

/**
 * An output or error file line: a custom_id, and `response` and `error` (each may be null); a
 * provider that leaves `error` out writes a response with a status or a body (or, vLLM v0.4, the reply).
 */
function isBatchOutput(v: Record<string, unknown>): boolean {
  if (typeof v.custom_id !== 'string' || !('response' in v)) return false;
  if ('error' in v) return v.response === null || isObject(v.response);
  const r = v.response;
  return isObject(r) && ('status_code' in r || 'body' in r || 'choices' in r);
}

/** An input file line: the request the batch was asked to make (OpenAI's and vLLM's with `method` and `url`; Mistral's and Together's `custom_id` and `body` alone). */
function isBatchInput(v: Record<string, unknown>): boolean {
  return typeof v.custom_id === 'string' && isObject(v.body) && !('response' in v);
}

/**
 * `error` as a message: `code: message` (OpenAI's BatchRequestOutput error and an error body's
 * `error`), what it wraps (vLLM's `{error: {message, type, code}}`), a string as it is (vLLM's
 * make_error_request_output), or the value shown.
 */
function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  if (!isObject(error)) return show(error);
  if (isObject(error.error)) return errorText(error.error);
  const code = typeof error.code === 'string' || typeof error.code === 'number' ? String(error.code) : null;
  const message = typeof error.message === 'string' ? error.message : null;
  return code && message ? `${code}: ${message}` : (message ?? code ?? show(error));
}

/** An Anthropic Message Batches result line (`{custom_id, result: {type: "succeeded" | "errored" | …}}`): that API gives no log-probs. */
function isAnthropicResult(v: Record<string, unknown>): boolean {
  return typeof v.custom_id === 'string' && isObject(v.result) && typeof v.result.type === 'string' && !('response' in v);
}

/** The reply of a body that holds none to audit, named for the reason: embeddings, scores (vLLM's /score), reranking. */
function replyWithoutLogprobs(body: Record<string, unknown>): string | null {
  if (body.object === 'embedding') return 'an embeddings reply';
  if (body.object === 'list') {
    const first = Array.isArray(body.data) && isObject(body.data[0]) ? body.data[0].object : undefined;
    return first === 'score' ? 'a score reply' : 'an embeddings reply';
  }
  return Array.isArray(body.results) && !('choices' in body) ? 'a rerank reply' : null;
}

export const openaiBatchAdapter: FormatAdapter = {
  name: 'openai-batch',
  description: 'OpenAI Batch API output and error files ({custom_id, response: {status_code, body}, error}; vLLM run_batch, SGLang, Mistral, Azure alike): each body read by its endpoint\'s reader; input files skipped',
  containers: ['jsonl'],
  detect(first) {
    return isObject(first) && (isBatchOutput(first) || isBatchInput(first) || isAnthropicResult(first));
  },
  createConverter(file, options) {
    const converters = new Map<FormatAdapter, ReturnType<FormatAdapter['createConverter']>>();
    const converterOf = (a: FormatAdapter) => {
      let c = converters.get(a);
      if (!c) converters.set(a, (c = a.createConverter(file, options)));
      return c;
    };
    return (row): Iterable<RawItem> => {
      const v = row.value;
      const line = row.line;
      if (!isObject(v)) return [fail(file, line, `expected a batch output line, found ${show(v)}`)];
      const id = typeof v.custom_id === 'string' ? v.custom_id : undefined;
      if (id === undefined) return [fail(file, line, `custom_id must be a string, found ${show(v.custom_id)}`)];
      if (isBatchInput(v)) return [skipped(file, line, `a batch input line (the request${typeof v.url === 'string' ? ` to ${v.url}` : ''}): nothing to audit`, id)];
      if (isAnthropicResult(v)) return [skipped(file, line, 'an Anthropic Message Batches result: that API gives no log-probs', id)];
      if (!isBatchOutput(v)) return [fail(file, line, 'a batch output line needs response and error (each an object or null)', id)];
      if (v.error !== null && v.error !== undefined) return [skipped(file, line, `the request failed in the batch (${errorText(v.error)})`, id)];
      const response = v.response;
      if (!isObject(response)) return [fail(file, line, 'neither response nor error: the line says nothing of its request', id)];
      const status = response.status_code;
      // vLLM before its BatchResponseData (v0.4) wrote the reply itself as `response`.
      const body = !('body' in response) && ('choices' in response || 'output' in response) ? response : response.body;
      if (typeof status === 'number' && status !== 200) {
        const message = isObject(body) && 'error' in body ? errorText(body.error) : show(body);
        return [skipped(file, line, `the request failed in the batch (HTTP ${status}: ${message})`, id)];
      }
      if (!isObject(body)) return [fail(file, line, `response.body must be an object, found ${show(body)}`, id)];
      const without = replyWithoutLogprobs(body);
      if (without) return [skipped(file, line, `${without}: no log-probs`, id)];
      // The body under the request's own id: its reader names each choice `<custom_id>/<choice>`.
      const bare = { ...body, id };
      const reader = BODY_ADAPTERS.find((a) => a.detect(bare, file));
      if (!reader) return [fail(file, line, `response.body is no reply evalaudit reads (object ${show(body.object)}): a chat completion, a completion or a Responses API response`, id)];
      return converterOf(reader)({ ...row, value: bare });
    };
  },
};
