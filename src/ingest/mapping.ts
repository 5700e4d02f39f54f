/**
 * Field mapping for a team's own eval output: `--map score=metrics.seq_lp --map id=meta.uid`,
 * or the same as `{"map": {...}}` in a config file (schema/mapping.schema.json). The `mapped`
 * adapter (formats/mapped.ts) reads rows through it, so custom JSONL / CSV needs no conversion.
 */
import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
import { schemaValidator } from '../lazy-ajv.js';
import { parseJsonText, parseErrorMessage } from './json-text.js';

/** Canonical record fields a mapping may target (the properties of schema/record.schema.json). */
export const MAPPABLE_FIELDS = [
  'id', 'group', 'prompt', 'completion', 'tokens', 'token_ids', 'logprobs', 'top_logprobs', 'logits',
  'score', 'score_kind', 'selected', 'gold', 'reference_logprobs', 'context_logprobs', 'trailing_logprobs',
  'sentinel', 'norm_length', 'metrics', 'choice_index', 'task', 'distribution', 'processing',
] as const;

export type FieldMap = Record<string, string>;

const FIELD_SET: ReadonlySet<string> = new Set(MAPPABLE_FIELDS);
const PATH_PATTERN = /^[^.]+(\.[^.]+)*$/;

function ajvMessage(e: ErrorObject | undefined): string {
  if (!e) return 'does not match the mapping schema';
  const where = e.instancePath || '(root)';
  // ajv names an offending key on the error (propertyNames' inner error) or in its params.
  const name = (e as ErrorObject & { propertyName?: string }).propertyName ?? e.params.propertyName;
  const key = typeof name === 'string' ? ` key ${JSON.stringify(name)}` : '';
  const allowed = Array.isArray(e.params.allowedValues) ? `: ${e.params.allowedValues.join(', ')}` : '';
  const extra = typeof e.params.additionalProperty === 'string' ? ` (${JSON.stringify(e.params.additionalProperty)})` : '';
  return `${where}${key} ${e.message ?? 'is invalid'}${allowed}${extra}`;
}

/**
 * Reads a `--map-config` file: returns its field map, or throws an Error that names the file
 * and what is wrong with it (ajv's message for a schema violation).
 */
export function loadMappingConfig(path: string): FieldMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read mapping config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseJsonText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new Error(`mapping config ${path} is not valid JSON: ${parseErrorMessage(err)}`);
  }
  const validate = schemaValidator('mapping');
  if (!validate(doc)) throw new Error(`mapping config ${path}: ${ajvMessage(validate.errors?.[0])}`);
  return { ...(doc as { map: FieldMap }).map };
}

/**
 * Parses `--map field=path` arguments (later ones win). Throws an Error naming the argument
 * when it is not `field=path` or the field is not a canonical one.
 */
export function parseMapArgs(args: readonly string[]): FieldMap {
  const map: FieldMap = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const field = eq < 0 ? '' : arg.slice(0, eq).trim();
    const path = eq < 0 ? '' : arg.slice(eq + 1).trim();
    if (!field || !path) throw new Error(`--map ${JSON.stringify(arg)}: expected field=path, e.g. score=metrics.seq_lp`);
    if (!FIELD_SET.has(field)) throw new Error(`--map ${JSON.stringify(arg)}: ${field} is not a record field; fields: ${MAPPABLE_FIELDS.join(', ')}`);
    if (!PATH_PATTERN.test(path)) throw new Error(`--map ${JSON.stringify(arg)}: ${JSON.stringify(path)} is not a dotted path`);
    map[field] = path;
  }
  return map;
}

/**
 * The value at a dotted path. A key that itself contains the whole path wins (a CSV column or
 * a flattened key named "metrics.seq_lp"); numeric segments index arrays.
 */
export function valueAtPath(row: unknown, path: string): unknown {
  if (row === null || typeof row !== 'object') return undefined;
  if (Object.hasOwn(row, path) || !path.includes('.')) return own(row, path);
  let cur: unknown = row;
  for (const key of path.split('.')) cur = own(cur, key);
  return cur;
}

/** An own property only: a path must not reach inherited members such as "constructor". */
function own(v: unknown, key: string): unknown {
  return v !== null && typeof v === 'object' && Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}
