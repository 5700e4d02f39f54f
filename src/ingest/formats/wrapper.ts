/**
 * The eval script's own fields around a native payload. Scripts that score through an API or
 * vLLM store each request/response with what they made of it: their record id, the
 * multiple-choice group, the gold flag, their pick and the score they computed. Those are the
 * numbers under audit; the payload beside them is the evidence.
 */
import type { AuditRecord, RawItem, RecordId } from '../../types.js';
import { invalid, isIntegerAtLeast, isObject, show, skipped } from './values.js';
import { isScoreKind, SCORE_KIND_NAMES } from '../../reference/score-kinds.js';

export type WrapperFields = Pick<AuditRecord, 'group' | 'gold' | 'selected' | 'score' | 'score_kind' | 'task'>;

/**
 * Copies the wrapper's canonical fields (except id, which the caller checks). Returns a message
 * naming the first field of the wrong type instead of the fields.
 */
export function readWrapperFields(w: Record<string, unknown>): WrapperFields | string {
  const out: WrapperFields = {};
  const { group, gold, selected, score, score_kind: kind, task } = w;
  if (group !== undefined && group !== null) {
    if (typeof group !== 'string' && typeof group !== 'number') return `group must be a string or number, found ${show(group)}`;
    out.group = group;
  }
  if (gold !== undefined && gold !== null) {
    if (typeof gold !== 'boolean') return `gold must be true or false, found ${show(gold)}`;
    out.gold = gold;
  }
  if (selected !== undefined && selected !== null) {
    if (typeof selected !== 'boolean') return `selected must be true or false, found ${show(selected)}`;
    out.selected = selected;
  }
  if (score !== undefined) {
    // null is a recorded "no score" (the canonical schema allows it).
    if (score !== null && typeof score !== 'number') return `score must be a number, found ${show(score)}`;
    out.score = score as number;
  }
  if (kind !== undefined && kind !== null) {
    if (!isScoreKind(kind)) return `score_kind must be one of ${SCORE_KIND_NAMES.join(', ')}, found ${show(kind)}`;
    out.score_kind = kind;
  }
  if (typeof task === 'string') out.task = task;
  return out;
}

/** The wrapper's record id, or a message when it has none usable. */
export function readWrapperId(w: Record<string, unknown>): string | number | { error: string } {
  const id = w.id;
  if (typeof id === 'string' || typeof id === 'number') return id;
  return { error: id === undefined ? 'the wrapper has no id' : `id must be a string or number, found ${show(id)}` };
}

/**
 * Why a choice is skipped whose request asked for no log-probs: OpenAI and the servers that
 * follow it (vLLM, TGI) write `"logprobs": null` then. Nothing to audit, nothing wrong.
 */
export const WITHOUT_LOGPROBS = 'response without log-probs (requested without logprobs)';

/**
 * Why a choice is skipped whose log-probs list no token: a stream's first chunk (the role, and
 * `content: []`), a reply whose text is empty. Nothing was generated to audit; a record of no
 * tokens would count as audited and let a file of nothing pass.
 */
export const NO_TOKENS = 'no tokens (its log-probs list is empty)';

/** Why a stream's closing chunk is skipped: `finish_reason` set, an empty `delta`, `logprobs: null`, as OpenAI ends every stream. */
export const STREAM_CLOSE = "a stream's closing chunk (finish_reason, no tokens)";

/** The reasons failedChoice skips for: the choice holds nothing to audit. */
const NOTHING_TO_AUDIT: ReadonlySet<string> = new Set([WITHOUT_LOGPROBS, NO_TOKENS, STREAM_CLOSE]);

/**
 * Where a chat choice's token entries stand: `content`, or `refusal` when `content` is null or
 * absent and `refusal` is a list. A refused request's reply is `message.refusal`, and its tokens,
 * with their log-probs, are `logprobs.refusal` (openai-python `ChoiceLogprobs.refusal`, "a list
 * of message refusal tokens with log probability information"; gpt-4o sends it so): what the
 * model generated, audited as the reply. Null when neither is a list.
 */
export function chatEntriesField(lp: unknown): 'content' | 'refusal' | null {
  if (!isObject(lp)) return null;
  if (Array.isArray(lp.content)) return 'content';
  return (lp.content === null || lp.content === undefined) && Array.isArray(lp.refusal) ? 'refusal' : null;
}

/**
 * A choice with `logprobs` null or absent (or, in chat, `logprobs.content` null with no
 * `refusal` tokens beside it). A chat choice whose `content` is null beside the completions
 * fields (`tokens`, `token_logprobs`) has log-probs: servers have sent that legacy shape in chat
 * replies (Together in 2024, vLLM before its #3179), and openai-python's `model_dump()` writes
 * it so, `content` defaulting to None.
 */
export function choiceWithoutLogprobs(choice: Record<string, unknown>): boolean {
  const lp = choice.logprobs;
  return lp === null || lp === undefined || (isObject(lp) && lp.content === null && !Array.isArray(lp.refusal) && !Array.isArray(lp.token_logprobs));
}

/**
 * A response whose `object` is one of `objects` ("chat.completion", "text_completion", …),
 * wrapped or bare, and whose first choice has no log-probs: the format is known, and its rows
 * are skipped (WITHOUT_LOGPROBS) rather than unrecognised.
 */
export function isResponseWithoutLogprobs(row: unknown, objects: ReadonlySet<string>): boolean {
  const resp = responseOf(row);
  if (resp === null || typeof resp.object !== 'string' || !objects.has(resp.object)) return false;
  const choices = resp.choices;
  return Array.isArray(choices) && isObject(choices[0]) && choiceWithoutLogprobs(choices[0]);
}

/** Why a stream's usage chunk is skipped. */
export const USAGE_CHUNK = "a stream's usage chunk (no choices)";

/** Why Azure OpenAI's prompt-filter chunk is skipped. */
export const PROMPT_FILTER_CHUNK = "Azure OpenAI's prompt-filter chunk (no choices)";

/**
 * A stream's chunk that holds no choice by design, skipped with its reason: the last chunk with
 * `stream_options: {include_usage: true}` (`choices` empty, `usage` for the whole request: the
 * OpenAI API reference), and the chunk Azure OpenAI streams first, `choices` empty beside the
 * content filter's verdict on the prompt (`prompt_filter_results`; its id, model and object
 * empty). Any other response without choices is not one of them (null).
 */
export function choicelessChunk(resp: Record<string, unknown>, file: string, line: number): RawItem | null {
  if (!Array.isArray(resp.choices) || resp.choices.length !== 0) return null;
  if (isObject(resp.usage)) return skipped(file, line, USAGE_CHUNK);
  if (Array.isArray(resp.prompt_filter_results)) return skipped(file, line, PROMPT_FILTER_CHUNK);
  return null;
}

/**
 * The item of a choice that failed to read: skipped when it holds nothing to audit
 * (WITHOUT_LOGPROBS, NO_TOKENS, STREAM_CLOSE), else invalid. `scored`: a wrapper recorded a
 * score, which such a choice leaves with no evidence behind it: unreadable, not skipped.
 */
export function failedChoice(file: string, line: number, message: string, recordId?: RecordId, scored = false): RawItem {
  return NOTHING_TO_AUDIT.has(message) && !scored ? skipped(file, line, message, recordId) : invalid(file, line, message, recordId);
}

/** A streamed choice that only closes its stream: finish_reason set, a delta with no text. */
export function isStreamClose(choice: Record<string, unknown>): boolean {
  const delta = choice.delta;
  return typeof choice.finish_reason === 'string' && isObject(delta) && (delta.content === undefined || delta.content === null || delta.content === '');
}

/** The `logprobs` object of an OpenAI response's first choice, wrapped (`response`) or bare. */
export function firstChoiceLogprobs(row: unknown): Record<string, unknown> | null {
  const resp = responseOf(row);
  if (resp === null) return null;
  const choices = resp.choices;
  if (!Array.isArray(choices) || !isObject(choices[0])) return null;
  const lp = choices[0].logprobs;
  return isObject(lp) ? lp : null;
}

export interface WrappedChoice {
  id: string | number;
  fields: WrapperFields;
  /** The response's first choice: a wrapper describes one scored prompt. */
  choice: Record<string, unknown>;
}

/** A wrapper's id and script fields, or the invalid item (made by `fail`) saying what is wrong. */
export function readWrapper(w: Record<string, unknown>, file: string, line: number, fail: typeof invalid = invalid): { id: string | number; fields: WrapperFields } | RawItem {
  const id = readWrapperId(w);
  if (typeof id === 'object') return fail(file, line, id.error);
  const fields = readWrapperFields(w);
  if (typeof fields === 'string') return fail(file, line, fields, id);
  return { id, fields };
}

/** A wrapper's id, its script fields and its response's first choice, or the invalid item saying what is wrong. */
export function openWrapper(w: Record<string, unknown>, choices: unknown[], file: string, line: number): WrappedChoice | RawItem {
  const opened = readWrapper(w, file, line);
  if ('kind' in opened) return opened;
  const { id, fields } = opened;
  const choice = choices[0];
  if (!isObject(choice)) return invalid(file, line, 'choices[0] is not an object', id);
  return { id, fields, choice };
}

/**
 * The id of a bare response's choice c: `<response id>/<choice index>` (the line when the response
 * has no id). A streamed chunk's is `<response id>/<choice index>@<line>`: every chunk of a stream
 * repeats the response's id, and each is a piece of the reply with its own tokens, not the same
 * record again. A chunk is a `chat.completion.chunk`, or a choice whose `finish_reason` is null
 * (a stream's choice before its last chunk; a whole response always says why it stopped).
 */
export function bareChoiceId(resp: Record<string, unknown>, choice: unknown, c: number, line: number): string {
  const base = typeof resp.id === 'string' || typeof resp.id === 'number' ? String(resp.id) : `line-${line}`;
  const id = `${base}/${isObject(choice) && isIntegerAtLeast(choice.index, 0) ? choice.index : c}`;
  const chunk = base !== `line-${line}` && (resp.object === 'chat.completion.chunk' || (isObject(choice) && choice.finish_reason === null));
  return chunk ? `${id}@${line}` : id;
}

/**
 * Whether an OpenAI-shaped response carries vLLM's prompt_logprobs (on its first choice, or on a
 * chat response): then it is the vllm-server format, whose prompt log-probs are the evidence.
 */
export function hasPromptLogprobs(resp: Record<string, unknown>): boolean {
  if (Array.isArray(resp.prompt_logprobs)) return true;
  const choices = resp.choices;
  return Array.isArray(choices) && isObject(choices[0]) && Array.isArray(choices[0].prompt_logprobs);
}

/** The response of a row: a wrapper's `response`, or the row itself. */
export function responseOf(row: unknown): Record<string, unknown> | null {
  if (!isObject(row)) return null;
  return isObject(row.response) ? row.response : row;
}

/**
 * The items of a bare response: one record per choice (nobody recorded a score), made by `build`
 * from the choice's id and object, or the invalid item `fail` makes of its message.
 */
export function bareChoiceItems(
  resp: Record<string, unknown>,
  choices: unknown[],
  file: string,
  line: number,
  build: (id: string, choice: Record<string, unknown>, c: number) => AuditRecord | string,
  fail: (file: string, line: number, message: string, recordId?: RecordId) => RawItem = invalid,
): RawItem[] {
  const items: RawItem[] = [];
  for (let c = 0; c < choices.length; c++) {
    const choice = choices[c];
    const id = bareChoiceId(resp, choice, c, line);
    const record = isObject(choice) ? build(id, choice, c) : `choices[${c}] is not an object`;
    items.push(typeof record === 'string' ? fail(file, line, record, id) : { kind: 'record', file, line, record });
  }
  return items;
}
