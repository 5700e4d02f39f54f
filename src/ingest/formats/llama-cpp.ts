/**
 * llama.cpp server `/completion` with `n_probs` (tools/server/README.md; the JSON is written by
 * `completion_token_output::probs_vector_to_json` in tools/server/server-task.cpp, and checked by
 * tools/server/tests/unit/test_completion.py `test_n_probs`, `test_n_probs_post_sampling`):
 *
 * - `completion_probabilities: [{id, token, bytes, logprob, top_logprobs: [{id, token, bytes,
 *   logprob}]}]`, one entry per generated token: `logprob` is the log of the softmax of the raw
 *   logits (the model's own); a probability of 0 is written as -3.4028234663852886e+38
 *   (`std::numeric_limits<float>::lowest()`, because the JSON library writes -inf as null);
 * - with `post_sampling_probs: true`, `prob` and `top_probs` instead: probabilities of the
 *   sampler's candidates after the sampler chain (top-k, top-p, min-p, temperature, …), which
 *   are processed, never the model's: the record is marked `distribution: "processed"`;
 * - older builds: `completion_probabilities: [{content, probs: [{tok_str, prob}]}]` (a streamed
 *   chunk: `{content, probs}`), probabilities "given the sampling settings", i.e. after the
 *   sampler chain unless the temperature is ≤ 0 (then a plain softmax of the logits).
 *
 * `/completion` has no echo: the continuation is the generated tokens, up to the end of `content`
 * (which excludes a stopping word; the EOS token, listed with an empty text, is trailing). Rows are
 * a bare response or an eval script's wrapper `{id, group, gold, score, …, request, response}`.
 */
import type { AuditRecord, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { stoppedEarly, tokensWithinText } from './returned-text.js';
import { FieldReader, NO_LOGPROBS, rawValuesTell } from './server-tokens.js';
import { readWrapperFields, readWrapperId, responseOf } from './wrapper.js';
import { invalidFor, isObject, show } from './values.js';

const FORMAT = 'llama-cpp';
/** What llama.cpp writes for log(0): the lowest float32. */
export const LLAMA_LOG_ZERO = -3.4028234663852886e38;
/** Anything this low is that stand-in, however many digits the writer kept. */
const LOG_ZERO_BELOW = -1e38;

type Shape = 'logprob' | 'post-sampling' | 'legacy';

interface Step {
  token: string;
  id?: number;
  bytes?: number[];
  /** The log-prob (or log of the probability) of the generated token; null when not given. */
  value: number | null;
  top: TopLogprob[];
}

function shapeOf(e: Record<string, unknown>): Shape {
  if ('probs' in e && !('top_logprobs' in e)) return 'legacy';
  if ('prob' in e || 'top_probs' in e) return 'post-sampling';
  return 'logprob';
}

const logOf = (p: number | null): number | null => (p === null ? null : Math.log(p));

function readSteps(r: FieldReader, items: unknown[], shape: Shape): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < items.length && r.error === null; i++) {
    const where = `completion_probabilities[${i}]`;
    const e = r.object(items[i], where);
    if (shape === 'legacy') {
      const token = r.string(e.content, `${where}.content`);
      const probs = r.list(e.probs, `${where}.probs`);
      const top: TopLogprob[] = [];
      let value: number | null = null;
      for (let j = 0; j < probs.length && r.error === null; j++) {
        const p = r.object(probs[j], `${where}.probs[${j}]`);
        const tok = r.string(p.tok_str, `${where}.probs[${j}].tok_str`);
        const prob = r.number(p.prob, `${where}.probs[${j}].prob`);
        if (prob > 0) top.push({ token: tok, logprob: Math.log(prob) });
        if (tok === token && value === null) value = Math.log(prob);
      }
      out.push({ token, value, top });
      continue;
    }
    const post = shape === 'post-sampling';
    const valueKey = post ? 'prob' : 'logprob';
    const listKey = post ? 'top_probs' : 'top_logprobs';
    const step: Step = {
      token: r.string(e.token, `${where}.token`),
      id: r.tokenId(e.id, `${where}.id`),
      value: null,
      top: [],
    };
    if (Array.isArray(e.bytes)) step.bytes = e.bytes as number[];
    const v = r.numberOrNull(e[valueKey], `${where}.${valueKey}`);
    step.value = post ? logOf(v) : v !== null && v < LOG_ZERO_BELOW ? LLAMA_LOG_ZERO : v;
    const list = e[listKey] === undefined ? [] : r.list(e[listKey], `${where}.${listKey}`);
    for (let j = 0; j < list.length && r.error === null; j++) {
      const t = r.object(list[j], `${where}.${listKey}[${j}]`);
      const x = r.number(t[valueKey], `${where}.${listKey}[${j}].${valueKey}`);
      const logprob = post ? Math.log(x) : x;
      // A candidate with no probability is not a listed log-prob (post-sampling lists may hold
      // zeros; log(0) is written as the lowest float).
      if (!(logprob > LOG_ZERO_BELOW)) continue;
      step.top.push({ token: r.string(t.token, `${where}.${listKey}[${j}].token`), logprob, id: r.tokenId(t.id, `${where}.${listKey}[${j}].id`) });
    }
    out.push(step);
  }
  return out;
}

/** Each sampler setting with the value that leaves the distribution as it is. */
const NEUTRAL: [string, number][] = [['temperature', 1], ['top_k', 0], ['top_p', 1], ['min_p', 0], ['typical_p', 1], ['repeat_penalty', 1]];

/** The sampler settings a response or request states (those that change anything), in words. */
function settings(s: Record<string, unknown> | undefined): string {
  if (!s) return '';
  const parts: string[] = [];
  for (const [key, neutral] of NEUTRAL) {
    const v = s[key];
    if (typeof v === 'number' && v !== neutral) parts.push(`${key} ${Number(v.toPrecision(6))}`);
  }
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function samplerSettings(resp: Record<string, unknown>, request: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const g = resp.generation_settings;
  if (isObject(g)) return isObject(g.params) ? g.params : g;
  return request;
}

/** Whether the server stopped on EOS or a stopping word (and so may list tokens past `content`). */
function stopped(resp: Record<string, unknown>): boolean {
  if (typeof resp.stop_type === 'string') return stoppedEarly(resp.stop_type);
  return resp.stopped_eos === true || resp.stopped_word === true;
}

function llamaRecord(id: string | number, resp: Record<string, unknown>, request: Record<string, unknown> | undefined): AuditRecord | string | null {
  // A streamed chunk of an old build is one step: {content, probs}.
  const items = Array.isArray(resp.completion_probabilities)
    ? resp.completion_probabilities
    : Array.isArray(resp.probs) && typeof resp.content === 'string'
      ? [{ content: resp.content, probs: resp.probs }]
      : null;
  if (items === null) return null;
  const r = new FieldReader();
  const shape = isObject(items[0]) ? shapeOf(items[0]) : 'logprob';
  const steps = readSteps(r, items, shape);
  const content = r.string(resp.content, 'content');
  if (r.error) return r.error;

  const tokens = steps.map((s) => s.token);
  const bytes = steps.every((s) => s.bytes) ? steps.map((s) => s.bytes) : undefined;
  const keep = stopped(resp) ? tokensWithinText(tokens, content, bytes) : steps.length;
  const kept = steps.slice(0, keep);
  const values = steps.map((s) => s.value);
  const record: AuditRecord = { id, tokens: tokens.slice(0, keep) };
  if (kept.every((s) => s.id !== undefined)) record.token_ids = kept.map((s) => s.id as number);
  const raw = values.slice(0, keep);
  record.top_logprobs = kept.map((s) => s.top);
  if (keep < steps.length) record.trailing_logprobs = values.slice(keep);
  record.completion = content;
  if (typeof request?.prompt === 'string') record.prompt = request.prompt;

  const sampler = samplerSettings(resp, request);
  const temperature = sampler?.temperature;
  let processing: string | null = null;
  if (shape === 'post-sampling') processing = `llama.cpp post_sampling_probs: probabilities after the sampler chain${settings(sampler)}`;
  else if (shape === 'legacy' && !(typeof temperature === 'number' && temperature <= 0)) {
    processing = `llama.cpp n_probs (older build): probabilities given the sampling settings${settings(sampler)}`;
  }
  if (processing !== null) {
    // The sampler's numbers are what the pipeline saw, not a reference of the model.
    record.logprobs = raw;
    record.distribution = 'processed';
    record.processing = processing;
  } else {
    const sentinel = shape === 'logprob' ? LLAMA_LOG_ZERO : undefined;
    if (rawValuesTell(raw, sentinel)) record.logprobs = raw;
    record.reference_logprobs = raw.map((v) => (v === LLAMA_LOG_ZERO ? null : v));
    if (sentinel !== undefined) record.sentinel = sentinel;
  }
  return record;
}

function looksLikeLlamaCpp(resp: Record<string, unknown> | null): boolean {
  if (resp === null || typeof resp.content !== 'string') return false;
  if (Array.isArray(resp.completion_probabilities) || Array.isArray(resp.probs)) return true;
  // A reply requested without n_probs: recognised so that it is skipped with its reason.
  return isObject(resp.generation_settings) && 'tokens_predicted' in resp;
}

const fail = invalidFor(FORMAT);

export const llamaCppAdapter: FormatAdapter = {
  name: FORMAT,
  description: 'llama.cpp server /completion responses with n_probs (completion_probabilities; post_sampling_probs marked processed), bare or in an eval script wrapper {id, score, request, response}',
  containers: ['jsonl', 'json'],
  detect(first) {
    return looksLikeLlamaCpp(responseOf(first));
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      const resp = responseOf(v);
      if (resp === null) return [fail(file, line, `expected a /completion response object, found ${show(v)}`)];
      let id: string | number = `line-${line}`;
      let request: Record<string, unknown> | undefined;
      const wrapped = resp !== v;
      const w = v as Record<string, unknown>;
      if (wrapped) {
        const claimed = readWrapperId(w);
        if (typeof claimed === 'object') return [fail(file, line, claimed.error)];
        id = claimed;
        if (w.context_tokens !== undefined && w.context_tokens !== null) {
          return [fail(file, line, 'context_tokens cannot apply: /completion gives log-probs for generated tokens only (no echo of the prompt)', id)];
        }
        request = isObject(w.request) ? w.request : undefined;
      }
      const made = llamaRecord(id, resp, request);
      if (made === null) return [{ kind: 'skipped', file, line, recordId: id, reason: NO_LOGPROBS }];
      if (typeof made === 'string') return [fail(file, line, made, id)];
      if (wrapped) {
        const fields = readWrapperFields(w);
        if (typeof fields === 'string') return [fail(file, line, fields, id)];
        Object.assign(made, fields);
        if (typeof w.context === 'string') made.prompt = w.context;
      }
      return [{ kind: 'record', file, line, record: made }];
    };
  },
};
