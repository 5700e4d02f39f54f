/**
 * Validation of canonical records against the published JSON Schema (schema/record.schema.json),
 * compiled once by ajv.
 *
 * Records are validated as they were read, never through a copy: ajv's `number` admits NaN and
 * ±Infinity (Python writes them; the rules flag them), while integers (token ids, indices) and
 * lengths carry bounds in the schema that only finite numbers meet.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { AuditRecord } from '../types.js';
import { packageJson } from '../package-root.js';
import { describeAjvError, pointerToPath } from '../schema-errors.js';

export const recordSchema = packageJson('schema/record.schema.json');

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled === null) {
    // verbose: errors keep the offending value, which the message names.
    const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
    compiled = ajv.compile(recordSchema);
  }
  return compiled;
}

/**
 * null when valid, else ajv's first message with the path it concerns. The second argument is
 * no longer needed (non-finite numbers need no special path) and is accepted for old callers.
 */
export function validateRecord(value: unknown, _hasNonFinite?: boolean): string | null {
  const validate = validator();
  if (validate(value)) return null;
  const errors = validate.errors ?? [];
  // anyOf failures list each branch first; the anyOf entry itself says what is really missing.
  return formatAjvError(errors.find((e) => e.keyword === 'anyOf' && e.instancePath === '') ?? errors[0], value);
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
