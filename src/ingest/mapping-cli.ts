/** CLI glue for field mapping: `--map field=path` pairs and `--map-config FILE`. */
export { loadMappingConfig } from './mapping.js';

export function parseMapArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const i = a.indexOf('=');
    if (i <= 0 || i === a.length - 1) throw new Error(`--map takes field=dotted.path, got ${JSON.stringify(a)}`);
    out[a.slice(0, i).trim()] = a.slice(i + 1).trim();
  }
  return out;
}
