/**
 * A team's own eval output read through a field map (`--map score=metrics.seq_lp`, see
 * ../mapping.ts): each canonical field comes from its mapped path, or else from a top-level key
 * of the same name. The result is then an ordinary canonical record, validated the same way.
 *
 * Never detected from content (any JSON row could be "custom"): the CLI selects it with
 * `--input-format mapped`, which --map / --map-config imply.
 */
import type { FormatAdapter } from '../adapter.js';
import { canonicalItem, claimedId, typeCsvRow } from '../canonical.js';
import { MAPPABLE_FIELDS, valueAtPath, type FieldMap } from '../mapping.js';
import { invalid, isObject, show } from './values.js';

/**
 * The canonical object for one row. A top-level key that a mapped path starts from is the
 * team's own structure (with `score=metrics.seq_lp`, their `metrics` holds seq_lp, not
 * evalaudit's per-sample metrics), so it is not also read as the field of the same name.
 */
function mapRow(row: Record<string, unknown>, map: FieldMap, roots: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of MAPPABLE_FIELDS) {
    const path = map[field];
    const value = path !== undefined ? valueAtPath(row, path) : roots.has(field) ? undefined : row[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

export const mappedAdapter: FormatAdapter = {
  name: 'mapped',
  description: 'custom rows read through --map field=path / --map-config (JSONL, CSV or JSON)',
  containers: ['jsonl', 'csv', 'json'],
  detect() {
    return false;
  },
  createConverter(file, options) {
    const map = options.fieldMap ?? {};
    const roots = new Set(Object.values(map).map((p) => p.split('.')[0]).filter((r) => !(r in map)));
    // CSV cells are strings to type; stdin and pipes have no name to tell, their content did.
    const csv = options.container !== undefined ? options.container === 'csv' : file.toLowerCase().endsWith('.csv');
    const empty = Object.keys(map).length === 0;
    return (row) => {
      if (empty) return [invalid(file, row.line, 'the mapped format needs a field map (--map field=path or --map-config)')];
      const v = row.value;
      if (!isObject(v)) return [invalid(file, row.line, `expected an object row, found ${show(v)}`)];
      let value: Record<string, unknown> = mapRow(v, map, roots);
      let nonFinite = row.nonFinite === true;
      if (csv) {
        // CSV cells are strings: type them by the canonical field they now fill.
        const typed = typeCsvRow(value as Record<string, string>);
        if (typeof typed === 'string') return [invalid(file, row.line, typed, claimedId(value))];
        value = typed.value;
        nonFinite = typed.nonFinite;
      }
      return [canonicalItem(file, row.line, value, nonFinite)];
    };
  },
};
