/**
 * Validation of canonical records against the published JSON Schema (schema/record.schema.json).
 *
 * Two steps: a hand-written check (`provenValid`) that proves the common rows valid by looking at
 * the type of each field the schema defines, and ajv, compiled on first need, for every row the
 * check does not prove valid. ajv is the authority: the check only ever says "valid" or "not
 * sure", never "invalid", and every message comes from ajv. test/validate-fast.test.ts holds the
 * check to that (it never accepts a row ajv rejects).
 *
 * Records are validated as they were read, never through a copy: ajv's `number` admits NaN and
 * ±Infinity (Python writes them; the rules flag them), while integers (token ids, indices) and
 * lengths carry bounds in the schema that only finite numbers meet.
 */
import type { ErrorObject } from 'ajv';
import type { AuditRecord } from '../types.js';
import { describeAjvError, pointerToPath } from '../schema-errors.js';
import { schemaValidator } from '../lazy-ajv.js';
import { isScoreKind } from '../reference/score-kinds.js';

/** null when valid, else ajv's first message with the path it concerns (provenValid spares ajv the common rows). */
export function validateRecord(value: unknown): string | null {
  if (provenValid(value)) return null;
  const validate = schemaValidator('record');
  if (validate(value)) return null;
  const errors = validate.errors ?? [];
  // anyOf failures list each branch first; the anyOf entry itself says what is really missing.
  return formatAjvError(errors.find((e) => e.keyword === 'anyOf' && e.instancePath === '') ?? errors[0], value);
}

const MAX_INDEX = Number.MAX_SAFE_INTEGER;

const isIndex = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_INDEX;
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function everyString(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

function everyIndex(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!isIndex(v[i])) return false;
  return true;
}

/** An array of number-or-null (ajv's `number` includes NaN and ±Infinity, as typeof does). */
function everyNumberOrNull(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'number' && v[i] !== null) return false;
  return true;
}

function everyNumberRow(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const row = v[i];
    if (!Array.isArray(row)) return false;
    for (let j = 0; j < row.length; j++) if (typeof row[j] !== 'number') return false;
  }
  return true;
}

/** top_logprobs: per step null or a list of {logprob: number, token?: string, id?: index, …}. */
function everyTopStep(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const step = v[i];
    if (step === null) continue;
    if (!Array.isArray(step)) return false;
    for (let j = 0; j < step.length; j++) {
      const e = step[j];
      if (!isPlainObject(e) || typeof e.logprob !== 'number') return false;
      if (e.token !== undefined && typeof e.token !== 'string') return false;
      if (e.id !== undefined && !isIndex(e.id)) return false;
    }
  }
  return true;
}

function everyNumberValue(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  for (const k in v) if (typeof v[k] !== 'number') return false;
  return true;
}

/**
 * True when the record certainly matches the schema; false means "ask ajv", not "invalid".
 * Stricter than the schema wherever that is simpler (a non-finite length, an odd key on an
 * inherited property): such rows go to ajv, which decides.
 */
export function provenValid(value: unknown): boolean {
  if (!isPlainObject(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  let evidence = false;
  let hasId = false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    const v = value[key];
    switch (key) {
      case 'id':
        hasId = true;
        if (typeof v !== 'string' && typeof v !== 'number') return false;
        break;
      case 'group':
        if (typeof v !== 'string' && typeof v !== 'number') return false;
        break;
      case 'prompt':
      case 'completion':
      case 'task':
      case 'processing':
        if (typeof v !== 'string') return false;
        break;
      case 'tokens':
        if (!everyString(v)) return false;
        break;
      case 'token_ids':
        if (!everyIndex(v)) return false;
        break;
      case 'logprobs':
      case 'reference_logprobs':
        evidence = true;
        if (!everyNumberOrNull(v)) return false;
        break;
      case 'context_logprobs':
      case 'trailing_logprobs':
        if (!everyNumberOrNull(v)) return false;
        break;
      case 'top_logprobs':
        if (!everyTopStep(v)) return false;
        break;
      case 'logits':
        evidence = true;
        if (!everyNumberRow(v)) return false;
        break;
      case 'score':
        evidence = true;
        if (typeof v !== 'number' && v !== null) return false;
        break;
      case 'score_kind':
        if (!isScoreKind(v)) return false;
        break;
      case 'selected':
      case 'gold':
        if (typeof v !== 'boolean') return false;
        break;
      case 'sentinel':
        if (typeof v !== 'number') return false;
        break;
      case 'norm_length':
        if (typeof v !== 'number' || !(v >= 0 && v <= MAX_INDEX)) return false;
        break;
      case 'metrics':
        if (!everyNumberValue(v)) return false;
        break;
      case 'choice_index':
        if (!isIndex(v)) return false;
        break;
      case 'distribution':
        if (v !== 'model' && v !== 'processed') return false;
        break;
      default:
        break; // the schema admits other fields
    }
  }
  return hasId && evidence;
}

/** In words: the field by name, what it must be and what it was ("score must be a number or null, got the string \"-1.2\""). */
export function formatAjvError(e: ErrorObject | undefined, value?: unknown): string {
  if (!e) return 'does not match the record schema';
  if (e.keyword === 'anyOf' && e.instancePath === '') {
    return 'record has no evidence: it needs at least one of score, logprobs, logits, reference_logprobs';
  }
  const data = value === undefined ? undefined : atPointer(value, e.instancePath);
  if (typeof data === 'number' && !Number.isFinite(data)) return `${pointerToPath(e.instancePath) || 'record'} must be finite, found ${data}`;
  return describeAjvError(e, 'record');
}

/** The member a JSON Pointer (ajv's instancePath) names; undefined when there is none. */
function atPointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let cur: unknown = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export type { AuditRecord };
