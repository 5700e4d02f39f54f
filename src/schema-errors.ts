/**
 * ajv's errors in words a user can act on: the key or field by name, what it must be, and what
 * it was ("score must be a number or null, got the string \"-1.2\"" rather than
 * "/score must be number,null"). Needs errors from an ajv compiled with `verbose: true`
 * (which keeps the offending value and its schema).
 */
import type { ErrorObject } from 'ajv';
import { didYouMean } from './suggest.js';

/** `/logprobs/2` → `logprobs[2]`, `/rules/x-y` → `rules.x-y`, `/map/a b` → `map["a b"]`. */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  null: 'null',
};

/** What a value is, briefly: `the string "-1.2"`, `the number 3`, `an array of 2 items`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? '' : 's'}`;
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

function oneOf(values: readonly unknown[]): string {
  return values.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
}

/** One error as a sentence; `root` names the whole document (`record`, `config`). */
export function describeAjvError(e: ErrorObject, root: string): string {
  const where = pointerToPath(e.instancePath) || root;
  const got = 'data' in e ? `, got ${describeValue(e.data)}` : '';
  // A key that a propertyNames schema refuses: ajv reports the inner error with the key's name on it.
  const badKey = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (typeof badKey === 'string') {
    const allowed = Array.isArray(e.params.allowedValues) ? (e.params.allowedValues as string[]) : [];
    return `${where}: key ${JSON.stringify(badKey)} is not allowed${didYouMean(badKey, allowed)}${allowed.length > 0 ? `; keys: ${allowed.join(', ')}` : ''}`;
  }
  switch (e.keyword) {
    case 'type': {
      const types = String(e.params.type).split(',');
      return `${where} must be ${types.map((t) => ARTICLE[t] ?? t).join(' or ')}${got}`;
    }
    case 'enum':
      return `${where} must be one of ${oneOf(e.params.allowedValues as unknown[])}${got}`;
    case 'const':
      return `${where} must be ${JSON.stringify(e.params.allowedValue)}${got}`;
    case 'required':
      return `${where} is missing ${JSON.stringify(e.params.missingProperty)}, which is required`;
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `${where}: unknown key ${JSON.stringify(key)}${didYouMean(key, known)}${known.length > 0 ? `; keys: ${known.filter((k) => k !== '$schema').join(', ')}` : ''}`;
    }
    case 'propertyNames':
      return `${where}: key ${JSON.stringify(e.params.propertyName)} is not allowed`;
    default:
      return `${where} ${e.message ?? 'is invalid'}${got}`;
  }
}
