/**
 * Validation of canonical records against the published JSON Schema (schema/record.schema.json),
 * compiled once by ajv.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { AuditRecord } from '../types.js';
import { packageJson } from '../package-root.js';

export const recordSchema = packageJson('schema/record.schema.json');

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled === null) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    compiled = ajv.compile(recordSchema);
  }
  return compiled;
}

/** Replaces non-finite numbers by 0 so that ajv (which rejects NaN for "number") checks the shape only. */
function finiteShadow(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0;
  if (Array.isArray(value)) return value.map(finiteShadow);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = finiteShadow(v);
    return out;
  }
  return value;
}

/** null when valid, else ajv's first message with the path it concerns. */
export function validateRecord(value: unknown, hasNonFinite: boolean): string | null {
  const validate = validator();
  if (validate(hasNonFinite ? finiteShadow(value) : value)) return null;
  const errors = validate.errors ?? [];
  // anyOf failures list each branch first; the anyOf entry itself says what is really missing.
  return formatAjvError(errors.find((e) => e.keyword === 'anyOf' && e.instancePath === '') ?? errors[0]);
}

export function formatAjvError(e: ErrorObject | undefined): string {
  if (!e) return 'does not match the record schema';
  const where = e.instancePath ? `${e.instancePath}` : 'record';
  if (e.keyword === 'anyOf' && e.instancePath === '') {
    return 'record has no evidence: it needs at least one of score, logprobs, logits, reference_logprobs';
  }
  if (e.keyword === 'enum') return `${where} ${e.message}: ${JSON.stringify(e.params.allowedValues)}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/** True when the value (deeply) holds NaN or ±Infinity. */
export function hasNonFiniteNumber(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) {
    for (const v of value) if (hasNonFiniteNumber(v)) return true;
    return false;
  }
  if (value !== null && typeof value === 'object') {
    for (const k in value) if (hasNonFiniteNumber((value as Record<string, unknown>)[k])) return true;
  }
  return false;
}

export type { AuditRecord };
