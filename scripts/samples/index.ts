/**
 * Every generator of the committed sample runs (sample-runs/), in one list. `npm run samples`
 * writes them all; test/samples.test.ts regenerates them into a temporary folder and requires
 * the committed files byte for byte, with none left over that no generator writes.
 *
 * A new native format is one module in scripts/samples/formats/ registered in FORMAT_SAMPLES
 * there; a new family of samples is a SampleGenerator (types.ts) added to SAMPLE_GENERATORS.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { canonicalSamples } from './canonical/index.js';
import { formatSamples } from './formats/index.js';
import type { SampleFile, SampleGenerator } from './types.js';

export const SAMPLE_GENERATORS: readonly SampleGenerator[] = [canonicalSamples, formatSamples];

/** All sample files, each path written by exactly one generator. */
export function sampleFiles(generators: readonly SampleGenerator[] = SAMPLE_GENERATORS): SampleFile[] {
  const owner = new Map<string, string>();
  const out: SampleFile[] = [];
  for (const g of generators) {
    for (const f of g.files()) {
      const other = owner.get(f.path);
      if (other !== undefined) throw new Error(`sample file ${f.path} is written by both ${other} and ${g.name}`);
      owner.set(f.path, g.name);
      out.push(f);
    }
  }
  return out;
}

/** Writes every sample file under `dir` (creating folders) and returns them. */
export function writeSamples(dir: string, generators?: readonly SampleGenerator[]): SampleFile[] {
  const files = sampleFiles(generators);
  for (const f of files) {
    const path = join(dir, ...f.path.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
  return files;
}

/** The files below `dir` by '/'-separated path, sorted. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}
