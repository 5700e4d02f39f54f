/**
 * The bundle the command runs (scripts/bundle.mjs → dist/bundle/, built by the global setup as by
 * `npm run build`): self-contained but for packages an install has (a package it named that is
 * only a devDependency would break every install from the registry), and what bin/evalaudit.js
 * loads instead of dist/src. That the bundled worker runs is checked by the --jobs 2 command-line
 * test (test/parallel.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli-process.js';

const root = join(__dirname, '..');
const bundle = join(root, 'dist', 'bundle');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Every module specifier in a bundle file: its import and export statements (at line starts, as rolldown writes them), import() and require() of a literal. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  for (const re of [/^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm, /^import\s*"([^"]+)"/gm, /\bimport\(\s*"([^"]+)"\s*\)/g, /\brequire\(\s*"([^"]+)"\s*\)/g]) {
    for (const m of code.matchAll(re)) found.push(m[1]);
  }
  return found;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

/** Lines of NODE_DEBUG=esm output that name a module loaded, as paths from the repository root. */
function loaded(stderr: string): string[] {
  return [...stderr.matchAll(/Storing file:\/\/(\S+) /g)].map((m) => m[1].replace(`${root}/`, ''));
}

describe('the bundle', () => {
  const files = readdirSync(bundle).filter((f) => f.endsWith('.js'));

  it('holds the command and the worker entry, each beside the chunks they share', () => {
    expect(files).toContain('cli.js');
    expect(files).toContain('worker.js');
    expect(files.filter((f) => f.startsWith('chunk-')).length).toBeGreaterThan(0);
  });

  it("imports nothing but its own chunks, Node's modules and the package's runtime dependencies", () => {
    const builtins = new Set(builtinModules);
    const outside: string[] = [];
    let chunks = 0;
    for (const f of files) {
      for (const spec of specifiers(readFileSync(join(bundle, f), 'utf8'))) {
        if (spec.startsWith('./')) {
          chunks++;
          if (!files.includes(spec.slice(2))) outside.push(`${f}: ${spec} (no such chunk)`);
        } else if (spec.startsWith('node:') || builtins.has(spec)) continue;
        else if (!(packageOf(spec) in pkg.dependencies)) outside.push(`${f}: ${spec}`);
      }
    }
    expect(chunks).toBeGreaterThan(0);
    expect(outside).toEqual([]);
  });

  it('is what the command runs: an audit loads dist/bundle/cli.js and no module of dist/src', () => {
    const r = runCli(['audit', 'sample-runs/cat.jsonl', '--no-config', '--format', 'json', '--fail-on', 'none'], { cwd: root, env: { ...process.env, NODE_DEBUG: 'esm' } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.records).toBeGreaterThan(0);
    const modules = loaded(r.stderr);
    expect(modules).toContain('dist/bundle/cli.js');
    expect(modules.filter((m) => m.startsWith('dist/src/'))).toEqual([]);
  });
});
