/**
 * The real entry point on the committed sample runs, one snapshot per report format (as Knip
 * and Vitest snapshot their own CLIs on fixtures). Paths are relative to the project root, so
 * the snapshots do not depend on the machine; the tool version is masked.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { reporters } from '../src/report/index.js';
import { toolVersion } from '../src/project.js';

const EXTENSION: Record<string, string> = { json: '.json', markdown: '.md', summary: '.md', sarif: '.sarif.json', junit: '.xml' };

const root = join(__dirname, '..');
let out = '';
let cwd = '';
beforeEach(() => {
  out = '';
  cwd = process.cwd();
  process.chdir(root);
  // The machine's terminal must not shape the snapshots: 80 columns, no colour.
  vi.stubEnv('COLUMNS', '80');
  vi.stubEnv('FORCE_COLOR', '0');
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.chdir(cwd);
});

describe('evalaudit audit sample-runs', () => {
  it.each(Object.keys(reporters))('--format %s', async (format) => {
    const code = await main(['audit', 'sample-runs', '--format', format]);
    expect(code).toBe(1); // the planted bugs are errors
    const text = out.replaceAll(`"version": "${toolVersion}"`, '"version": "<version>"').replaceAll(`"semanticVersion": "${toolVersion}"`, '"semanticVersion": "<version>"');
    await expect(text).toMatchFileSnapshot(`__snapshots__/cli.sample-runs.${format}${EXTENSION[format] ?? '.txt'}`);
  });
});
