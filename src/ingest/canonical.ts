/**
 * The canonical record format (schema/record.schema.json), in JSONL, JSON or CSV. CSV cells
 * arrive as strings: array columns hold JSON, booleans are true/false, numbers may be NaN.
 */
import type { AuditRecord, RawItem, RecordId } from '../types.js';
import type { FormatAdapter } from './adapter.js';
import { parseJsonTextEx, parseErrorMessage } from './json-text.js';
import { isObject } from './row.js';
import { validateRecord } from './validate.js';

const JSON_CELLS = new Set([
  'tokens', 'token_ids', 'logprobs', 'top_logprobs', 'logits',
  'reference_logprobs', 'context_logprobs', 'trailing_logprobs', 'metrics',
]);
const NUMBER_CELLS = new Set(['score', 'sentinel', 'norm_length', 'choice_index']);
const BOOLEAN_CELLS = new Set(['selected', 'gold']);

/** Types the string cells of a CSV row; returns an error message for a cell that cannot be read. */
export function typeCsvRow(row: Record<string, string>): { value: Record<string, unknown>; nonFinite: boolean } | string {
  const out: Record<string, unknown> = {};
  let nonFinite = false;
  for (const key in row) {
    const cell = row[key];
    if (cell === '') continue; // an empty cell is an absent field
    if (JSON_CELLS.has(key)) {
      try {
        const parsed = parseJsonTextEx(cell);
        out[key] = parsed.value;
        nonFinite ||= parsed.nonFinite;
      } catch (err) {
        return `column ${key}: not valid JSON: ${parseErrorMessage(err)}`;
      }
    } else if (NUMBER_CELLS.has(key)) {
      const n = parseNumberCell(cell);
      if (n === null) return `column ${key}: not a number: ${JSON.stringify(cell.slice(0, 40))}`;
      out[key] = n;
      nonFinite ||= !Number.isFinite(n);
    } else if (BOOLEAN_CELLS.has(key)) {
      const b = cell.trim().toLowerCase();
      if (b === 'true' || b === '1') out[key] = true;
      else if (b === 'false' || b === '0') out[key] = false;
      else return `column ${key}: not a boolean: ${JSON.stringify(cell.slice(0, 40))}`;
    } else {
      out[key] = cell;
    }
  }
  return { value: out, nonFinite };
}

function parseNumberCell(cell: string): number | null {
  const t = cell.trim();
  if (t === 'NaN' || t === 'nan') return NaN;
  if (t === 'Infinity' || t === 'inf' || t === '+inf') return Infinity;
  if (t === '-Infinity' || t === '-inf') return -Infinity;
  const n = Number(t);
  return t !== '' && !Number.isNaN(n) ? n : null;
}

/** The id a row claims, for naming it in an invalid-record finding. */
export function claimedId(value: unknown): RecordId | undefined {
  if (!isObject(value)) return undefined;
  const id = value.id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : undefined;
}

/**
 * What the schema cannot say: lengths and indices that must agree for the numbers to be read at
 * all. A record that breaks them cannot be audited, so it is an invalid record, not a finding.
 */
export function structuralProblem(r: AuditRecord): string | null {
  // Ids and groups name records in findings, and JSON has no NaN to name them with.
  if (typeof r.id === 'number' && !Number.isFinite(r.id)) return `id is ${r.id}`;
  if (typeof r.group === 'number' && !Number.isFinite(r.group)) return `group is ${r.group}`;
  if (r.tokens && r.token_ids && r.tokens.length !== r.token_ids.length) {
    return `tokens has ${r.tokens.length} entries, token_ids ${r.token_ids.length}`;
  }
  if (r.logits) {
    const n = r.token_ids?.length ?? r.tokens?.length;
    if (n !== undefined && r.logits.length !== n && r.logits.length !== n + 1) {
      return `logits has ${r.logits.length} rows for ${n} tokens (row i predicts token i: n or n+1 rows)`;
    }
    for (let i = 0; r.token_ids && i < r.token_ids.length && i < r.logits.length; i++) {
      const width = r.logits[i].length;
      if (width === 0) return `logits row ${i} is empty`;
      if (r.token_ids[i] >= width) return `token_ids[${i}] = ${r.token_ids[i]} is outside logits row ${i} (${width} entries)`;
    }
  }
  return null;
}

/**
 * Validates one canonical object: the schema, then the structure the schema cannot express.
 * `_nonFinite` is no longer needed (validation reads the object as it is) and kept for callers.
 */
export function canonicalItem(file: string, line: number, value: unknown, _nonFinite?: boolean): RawItem {
  if (!isObject(value)) {
    const what = Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
    return { kind: 'invalid', file, line, code: 'notObject', message: `expected a record object, found ${what}` };
  }
  const schema = validateRecord(value);
  const problem = schema ?? structuralProblem(value as unknown as AuditRecord);
  if (problem !== null) return { kind: 'invalid', file, line, recordId: claimedId(value), code: schema !== null ? 'schema' : 'structure', message: problem };
  return { kind: 'record', file, line, record: value as unknown as AuditRecord };
}

export const canonicalAdapter: FormatAdapter = {
  name: 'canonical',
  description: 'evalaudit canonical records (JSONL, CSV, or a JSON array / {"records": [...]})',
  containers: ['jsonl', 'csv', 'json'],
  detect(first) {
    return isObject(first) && 'id' in first && ('score' in first || 'logprobs' in first || 'logits' in first || 'reference_logprobs' in first);
  },
  createConverter(file, options) {
    // CSV cells are strings to type; stdin and pipes have no name to tell, their content did.
    const csv = options.container !== undefined ? options.container === 'csv' : file.toLowerCase().endsWith('.csv');
    return (row) => {
      let value = row.value;
      let nonFinite = row.nonFinite === true;
      if (csv && isObject(value)) {
        const typed = typeCsvRow(value as Record<string, string>);
        if (typeof typed === 'string') return [{ kind: 'invalid', file, line: row.line, recordId: claimedId(value), code: 'unreadable', message: typed }];
        value = typed.value;
        nonFinite = typed.nonFinite;
      }
      return [canonicalItem(file, row.line, value, nonFinite)];
    };
  },
};
