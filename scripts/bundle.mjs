#!/usr/bin/env node
/**
 * Part of `npm run build`, after tsc: bundles the command (dist/src/cli.js) and the worker
 * threads' entry (dist/src/parallel/worker.js) into dist/bundle/, which bin/evalaudit.js runs.
 * One module per entry instead of ~150 saves the ESM loader's resolving, reading and compiling
 * each file on every start (a one-record audit: ~0.15 → ~0.10 s). Modules imported lazily
 * (report formats, Parquet and zip readers, explain) stay lazy: each is a chunk of its own.
 * Packages (node_modules) and Node's own modules are not bundled: they load as they always do,
 * from where npm put them. dist/src stays as tsc wrote it: it is the library (package.json main).
 */
import { rmSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
await build({
  input: { cli: join(root, 'dist', 'src', 'cli.js'), worker: join(root, 'dist', 'src', 'parallel', 'worker.js') },
  platform: 'node',
  // A bare specifier is a package or a node: module; paths are ours.
  external: (id) => !id.startsWith('.') && !isAbsolute(id),
  logLevel: 'warn',
  output: {
    dir: out,
    format: 'esm',
    // worker.js beside cli.js: src/parallel/worker-module.ts finds it there (`new URL('./worker.js', import.meta.url)`).
    entryFileNames: '[name].js',
    chunkFileNames: 'chunk-[name]-[hash].js',
  },
});
