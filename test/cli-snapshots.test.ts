/**
 * The real entry point on the committed sample runs, one snapshot per report format (as Knip
 * and Vitest snapshot their own CLIs on fixtures). Paths are relative to the project root, so
 * the snapshots do not depend on the machine; the tool version is masked.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { reporters } from '../src/report/index.js';

const root = join(__dirname, '..');
let out = '';
let cwd = '';
beforeEach(() => {
  out = '';
  cwd = process.cwd();
  process.chdir(root);
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  vi.restoreAllMocks();
  process.chdir(cwd);
});

describe('evalaudit audit sample-runs', () => {
  it.each(Object.keys(reporters))('--format %s', async (format) => {
    const code = await main(['audit', 'sample-runs', '--format', format]);
    expect(code).toBe(1); // the planted bugs are errors
    const text = out.replace(/"version": "[^"]+"/, '"version": "<version>"');
    await expect(text).toMatchFileSnapshot(`__snapshots__/cli.sample-runs.${format}${format === 'json' ? '.json' : format === 'markdown' ? '.md' : '.txt'}`);
  });
});
