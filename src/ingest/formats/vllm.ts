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
import type { AuditRecord, RawItem } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { readWrapperFields, readWrapperId } from './wrapper.js';
import { contextTokensFromText, entry, promptSpan } from './prompt-logprobs.js';
import { invalid, isIntegerAtLeast, isObject, show, skipped } from './values.js';

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

  const record = promptSpan(id, ids as number[], plp, start);
  if (typeof context === 'string') record.prompt = context;
  const trailing = generatedLogprobs(out.outputs);
  if (trailing) record.trailing_logprobs = trailing;
  return record;
}

/** Why a bare RequestOutput with neither prompt nor output log-probs is skipped. */
export const NO_OUTPUT_LOGPROBS = 'a generation requested without logprobs or prompt_logprobs';

/**
 * A bare RequestOutput of a generation (no `prompt_logprobs`): the first output's tokens, with
 * their `logprobs` dicts (the sampled token's entry and the top k), are the continuation, read
 * as promptSpan reads prompt positions; `text` is the completion, `prompt` the prompt. Null when
 * the output carries no log-probs (nothing to audit).
 */
function generationRecord(id: string | number, out: Record<string, unknown>): AuditRecord | string | null {
  const first = Array.isArray(out.outputs) ? out.outputs[0] : undefined;
  if (!isObject(first) || first.logprobs === null || first.logprobs === undefined) return null;
  const { token_ids: ids, logprobs } = first;
  if (!Array.isArray(ids) || !ids.every((t) => Number.isInteger(t) && t >= 0)) return 'outputs[0].token_ids is not a list of token ids';
  if (!Array.isArray(logprobs) || logprobs.length !== ids.length) return `outputs[0].logprobs must hold one entry per generated token (${ids.length}), found ${show(logprobs)}`;
  const record = promptSpan(id, ids as number[], logprobs, 0);
  delete record.context_logprobs;
  if (typeof first.text === 'string') record.completion = first.text;
  if (typeof out.prompt === 'string') record.prompt = out.prompt;
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
  description: 'vLLM RequestOutput dicts with prompt_logprobs, bare or in an eval script wrapper {id, score, context_tokens, output}; a bare generation without prompt_logprobs by its output log-probs',
  containers: ['jsonl', 'json'],
  detect(first) {
    if (!isObject(first)) return false;
    const out = isObject(first.output) ? first.output : first;
    // A server response (vllm-server) carries the same keys beside its choices.
    return 'prompt_logprobs' in out && 'prompt_token_ids' in out && !('choices' in out);
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
      // A generation requested without prompt_logprobs: its output's tokens are the continuation.
      if (!Array.isArray(v.prompt_logprobs)) {
        const generated = generationRecord(id, v);
        if (generated === null) return [skipped(file, line, NO_OUTPUT_LOGPROBS, id)];
        return [typeof generated === 'string' ? invalid(file, line, generated, id) : { kind: 'record', file, line, record: generated }];
      }
      const record = vllmRecord(id, v, undefined, undefined);
      const item: RawItem = typeof record === 'string' ? invalid(file, line, record, id) : { kind: 'record', file, line, record };
      return [item];
    };
  },
};
