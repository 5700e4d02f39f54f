/**
 * The benchmark's inputs, by name: what each one is (generate.ts spec, or a split of another into
 * 100 files), where it lives (bench/out/, gitignored), and how to have it on disk. Inputs are
 * kept between runs and regenerated only when the generator's version or the spec changes.
 */
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInput, ensureSplit, type InputSpec, type Manifest } from './generate.js';

export interface InputDef {
  name: string;
  /** What a reader of the results table needs to know. */
  label: string;
  spec: InputSpec;
  /** A directory holding the bytes of input `splitOf` in this many files. */
  splitOf?: string;
  files?: number;
}

const MB = 1e6;

export const INPUTS: readonly InputDef[] = [
  { name: 'topk-10', label: '10 MB top-k rows', spec: { kind: 'topk', bytes: 10 * MB } },
  { name: 'topk-110', label: '110 MB top-k rows', spec: { kind: 'topk', bytes: 110 * MB } },
  { name: 'topk-440', label: '440 MB top-k rows', spec: { kind: 'topk', bytes: 440 * MB } },
  { name: 'topk-110-x100', label: '110 MB top-k rows in 100 files', spec: { kind: 'topk', bytes: 110 * MB }, splitOf: 'topk-110', files: 100 },
  { name: 'score-110', label: '110 MB score-only rows', spec: { kind: 'score', bytes: 110 * MB } },
  { name: 'score-440', label: '440 MB score-only rows', spec: { kind: 'score', bytes: 440 * MB } },
  { name: 'logits-110', label: '110 MB logits rows (4096-wide)', spec: { kind: 'logits', bytes: 110 * MB } },
  { name: 'groups-1m', label: '1M compact score rows in 250k groups', spec: { kind: 'score', compact: true, records: 1_000_000 } },
];

export interface Input {
  def: InputDef;
  path: string;
  manifest: Manifest;
}

function defOf(name: string): InputDef {
  const def = INPUTS.find((d) => d.name === name);
  if (!def) throw new Error(`no benchmark input ${name}`);
  return def;
}

/** Free bytes on the file system holding `dir`. */
function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** The input named `name` under `outDir`, generated (or split) first unless it is current. */
export function haveInput(outDir: string, name: string, log: (line: string) => void): Input {
  const def = defOf(name);
  const path = join(outDir, def.splitOf ? name : `${name}.jsonl`);
  const announce = () => {
    const need = (def.spec.bytes ?? (def.spec.records ?? 0) * 500) * 1.1;
    const free = freeBytes(outDir);
    if (free < need + 1e9) throw new Error(`not enough disk space for ${name}: ${(free / 1e9).toFixed(1)} GB free in ${outDir}, ${(need / 1e9).toFixed(1)} GB needed (plus 1 GB kept free)`);
    log(`generating ${name} (${def.label})…`);
  };
  if (def.splitOf) {
    const source = haveInput(outDir, def.splitOf, log);
    return { def, path, manifest: ensureSplit(source.path, source.manifest, path, def.files!, announce) };
  }
  return { def, path, manifest: ensureInput(path, def.spec, announce) };
}
