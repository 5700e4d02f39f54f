/**
 * Gemini `generateContent` responses (Google AI Studio and Vertex AI, REST JSON) requested with
 * `responseLogprobs: true` (and `logprobs: k` for alternatives): each `candidates[]` entry has
 * `content.parts[].text`, and `logprobsResult` with `chosenCandidates[]` (one per generated token:
 * `token`, `tokenId`, `logProbability`) and `topCandidates[]` (per step, `candidates[]` of the same
 * shape, best first). The JSON mapping of protocol buffers leaves out a field at its default, so
 * a `logProbability` that is absent is 0.
 *
 * Top candidates may carry -1.2676506e30 (about -2^100) beside a token at 0: a stand-in for a
 * probability too small to give, not a log-prob; such entries are left out of the lists, as
 * vLLM's -inf and llama.cpp's lowest float are. `avgLogprobs` (the candidate's mean log-prob) is
 * not read as a score: what it averages over (thinking tokens, a truncated list) is not stated.
 *
 * A bare response gives one record per candidate, `<responseId>/<index>`; a wrapper
 * `{id, score, score_kind, request, response}` scores its first candidate. A candidate without
 * `logprobsResult` was requested without log-probs: skipped.
 */
import type { AuditRecord, RawItem, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { WITHOUT_LOGPROBS, readWrapper, responseOf } from './wrapper.js';
import { invalid, isIntegerAtLeast, isObject, show, skipped } from './values.js';

/** Why a response with no candidates is skipped. */
export const NO_CANDIDATES = 'a response with no candidates (the prompt was blocked: promptFeedback)';

/** Below this a top candidate's value is Gemini's stand-in for "too small to give" (about -2^100), not a log-prob. */
const GEMINI_FLOOR = -1e29;

function logProbability(c: Record<string, unknown>): number | string {
  const v = c.logProbability;
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : `logProbability must be a number, found ${show(v)}`;
}

function geminiRecord(id: string | number, cand: Record<string, unknown>): AuditRecord | string | null {
  const result = cand.logprobsResult;
  if (result === undefined || result === null) return null;
  if (!isObject(result) || !Array.isArray(result.chosenCandidates)) return `logprobsResult is not {chosenCandidates: [...]}: ${show(result)}`;
  const chosen = result.chosenCandidates;
  const n = chosen.length;
  const tokens = new Array<string>(n);
  const values = new Array<number>(n);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = chosen[i];
    if (!isObject(c) || typeof c.token !== 'string') return `chosenCandidates[${i}] is not {token, logProbability}: ${show(c)}`;
    const v = logProbability(c);
    if (typeof v === 'string') return `chosenCandidates[${i}]: ${v}`;
    tokens[i] = c.token;
    values[i] = v;
    if (isIntegerAtLeast(c.tokenId, 0)) ids.push(c.tokenId);
  }
  const record: AuditRecord = { id, tokens, reference_logprobs: values };
  if (ids.length === n && n > 0) record.token_ids = ids;
  const steps = result.topCandidates;
  if (Array.isArray(steps) && steps.length === n) {
    const top = new Array<TopLogprob[]>(n);
    for (let i = 0; i < n; i++) {
      const step = steps[i];
      const list: TopLogprob[] = [];
      if (isObject(step) && Array.isArray(step.candidates)) {
        for (const c of step.candidates) {
          if (!isObject(c) || typeof c.token !== 'string') continue;
          const v = logProbability(c);
          if (typeof v === 'string' || !(v > GEMINI_FLOOR)) continue;
          const e: TopLogprob = { token: c.token, logprob: v };
          if (isIntegerAtLeast(c.tokenId, 0)) e.id = c.tokenId;
          list.push(e);
        }
      }
      top[i] = list;
    }
    record.top_logprobs = top;
  }
  const content = cand.content;
  if (isObject(content) && Array.isArray(content.parts)) {
    const texts = content.parts.filter((p): p is Record<string, unknown> => isObject(p) && typeof p.text === 'string' && p.thought !== true).map((p) => p.text as string);
    if (texts.length > 0) record.completion = texts.join('');
  }
  return record;
}

/** The prompt of a request: the text of its last `contents` entry. */
function promptOf(request: unknown): string | undefined {
  if (!isObject(request) || !Array.isArray(request.contents) || request.contents.length === 0) return undefined;
  const last = request.contents[request.contents.length - 1];
  if (!isObject(last) || !Array.isArray(last.parts)) return undefined;
  const texts = last.parts.filter((p): p is Record<string, unknown> => isObject(p) && typeof p.text === 'string').map((p) => p.text as string);
  return texts.length > 0 ? texts.join('') : undefined;
}

/** A Gemini response: candidates with content parts, beside the fields only Gemini writes. */
function isGeminiResponse(resp: Record<string, unknown> | null): resp is Record<string, unknown> {
  if (resp === null || !Array.isArray(resp.candidates) || !isObject(resp.candidates[0])) return false;
  const c = resp.candidates[0];
  return 'logprobsResult' in c || 'avgLogprobs' in c || ((isObject(c.content) || 'finishReason' in c) && ('usageMetadata' in resp || 'modelVersion' in resp));
}

/** A blocked prompt is answered with promptFeedback and no candidates: nothing to audit. */
function blocked(resp: Record<string, unknown>): boolean {
  return isObject(resp.promptFeedback) && (resp.candidates === undefined || (Array.isArray(resp.candidates) && resp.candidates.length === 0));
}

/** A blocked prompt's response, beside Gemini's own fields. */
function isBlockedResponse(resp: Record<string, unknown> | null): boolean {
  return resp !== null && blocked(resp) && ('usageMetadata' in resp || 'modelVersion' in resp);
}

export const geminiAdapter: FormatAdapter = {
  name: 'gemini',
  description: 'Gemini generateContent responses (AI Studio, Vertex AI) with logprobsResult, bare or in an eval script wrapper {id, score, request, response}',
  containers: ['jsonl', 'json'],
  detect(first) {
    const resp = responseOf(first);
    return isGeminiResponse(resp) || isBlockedResponse(resp);
  },
  createConverter(file) {
    return (row) => {
      const v = row.value;
      const line = row.line;
      if (!isObject(v)) return [invalid(file, line, `expected a Gemini generateContent response, found ${show(v)}`)];
      const wrapped = isObject(v.response);
      const resp = wrapped ? (v.response as Record<string, unknown>) : v;
      const candidates = resp.candidates;
      if (blocked(resp)) return [skipped(file, line, NO_CANDIDATES)];
      if (!Array.isArray(candidates) || candidates.length === 0) return [invalid(file, line, 'response has no candidates')];

      if (wrapped) {
        const opened = readWrapper(v, file, line);
        if ('kind' in opened) return [opened];
        const { id, fields } = opened;
        const cand = candidates[0];
        const record = isObject(cand) ? geminiRecord(id, cand) : 'candidates[0] is not an object';
        // A recorded score beside a reply without log-probs has no evidence behind it.
        if (record === null) return [fields.score !== undefined ? invalid(file, line, `a score beside ${WITHOUT_LOGPROBS}`, id) : skipped(file, line, WITHOUT_LOGPROBS, id)];
        if (typeof record === 'string') return [invalid(file, line, record, id)];
        const prompt = promptOf(v.request);
        if (prompt !== undefined) record.prompt = prompt;
        return [{ kind: 'record', file, line, record: Object.assign(record, fields) }];
      }

      const base = typeof resp.responseId === 'string' ? resp.responseId : `line-${line}`;
      const items: RawItem[] = [];
      for (let c = 0; c < candidates.length; c++) {
        const cand = candidates[c];
        const id = `${base}/${isObject(cand) && isIntegerAtLeast(cand.index, 0) ? cand.index : c}`;
        const record = isObject(cand) ? geminiRecord(id, cand) : `candidates[${c}] is not an object`;
        if (record === null) items.push(skipped(file, line, WITHOUT_LOGPROBS, id));
        else items.push(typeof record === 'string' ? invalid(file, line, record, id) : { kind: 'record', file, line, record });
      }
      return items;
    };
  },
};
