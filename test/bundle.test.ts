/**
 * The bundle the command runs (scripts/bundle.mjs → dist/bundle/, built by the global setup as by
 * `npm run build`): self-contained but for packages an install has (a package it named that is
 * only a devDependency would break every install from the registry), and what bin/evalaudit.js
 * loads instead of dist/src, unless tsc wrote dist/src after it (then dist/src runs, never an
 * older build). That the bundled worker runs is checked by the --jobs 2 command-line test
 * (test/parallel.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
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

  it('gives way to dist/src when tsc wrote it after the bundle (a copy of the package, its dist/src/cli.js touched), but not in an installed package', () => {
    const copy = mkdtempSync(join(tmpdir(), 'evalaudit-stale-'));
    try {
      for (const part of ['bin', 'dist', 'schema', 'package.json']) cpSync(join(root, part), join(copy, part), { recursive: true, preserveTimestamps: true });
      symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
      // The copy's own bin (runCli runs the repository's).
      const run = () => {
        const r = spawnSync(process.execPath, [join(copy, 'bin', 'evalaudit.js'), 'audit', join(root, 'sample-runs', 'cat.jsonl'), '--no-config', '--format', 'json', '--fail-on', 'none'], { encoding: 'utf8', env: { ...process.env, NODE_DEBUG: 'esm' } });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
      };
      const asBuilt = run();
      expect(asBuilt.code).toBe(0);
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(copy, 'dist', 'src', 'cli.js'), later, later);
      const stale = run();
      expect(stale.code).toBe(0);
      expect(stale.stdout).toBe(asBuilt.stdout);
      const modules = (r: { stderr: string }) => [...r.stderr.matchAll(/Storing file:\/\/(\S+) /g)].map((m) => m[1].replace(`${copy}/`, ''));
      expect(modules(asBuilt)).toContain('dist/bundle/cli.js');
      expect(modules(stale)).toContain('dist/src/cli.js');
      expect(modules(stale).filter((m) => m.startsWith('dist/bundle/'))).toEqual([]);
      // Installed (under node_modules), the package runs its bundle whatever its files' times.
      const installed = join(copy, 'node_modules-test', 'node_modules', 'evalaudit');
      for (const part of ['bin', 'dist', 'schema', 'package.json']) cpSync(join(copy, part), join(installed, part), { recursive: true, preserveTimestamps: true });
      symlinkSync(join(root, 'node_modules'), join(installed, 'node_modules'), 'dir');
      const r = spawnSync(process.execPath, [join(installed, 'bin', 'evalaudit.js'), 'audit', join(root, 'sample-runs', 'cat.jsonl'), '--no-config', '--format', 'json', '--fail-on', 'none'], { encoding: 'utf8', env: { ...process.env, NODE_DEBUG: 'esm' } });
      expect(r.stdout).toBe(asBuilt.stdout);
      expect([...r.stderr.matchAll(/Storing file:\/\/(\S+) /g)].map((m) => m[1].replace(`${installed}/`, ''))).toContain('dist/bundle/cli.js');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
