#!/usr/bin/env node
import { statSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';

// The build's bundle of the command (scripts/bundle.mjs): one module to load instead of ~150.
// Without it the modules tsc wrote run (the same code); in a checkout of the repository, also
// when tsc wrote dist/src/cli.js after the bundle (tsc run alone rewrites every file; tsc --watch
// only those that changed: rebuild the bundle after it). An installed package (under
// node_modules) runs its bundle: installers need not keep the files' times.
const bundle = new URL('../dist/bundle/cli.js', import.meta.url);
const sources = new URL('../dist/src/cli.js', import.meta.url);
const modified = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs;
const bundled = modified(bundle);
const installed = fileURLToPath(import.meta.url).includes(`${sep}node_modules${sep}`);
const fresh = bundled !== undefined && (installed || !(modified(sources) > bundled));
const { main, finalExitCode } = await import(fresh ? bundle.href : sources.href);

// Between full collections the old generation grows at most 1.5× (V8 lets a small heap grow up
// to 4×, and what it grows into is garbage, not data): a large audit's peak RSS is ~40 MB lower,
// and steadier, and it runs no slower (README, Limits). Read at each collection, so setting it
// now takes effect. Only on the Node majors whose V8 is known to have the flag (V8 prints an
// error for one it lacks).
const major = Number(process.versions.node.split('.')[0]);
if (major >= 20 && major <= 24) setFlagsFromString('--heap-growing-percent=50');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = finalExitCode(code);
  },
  (err) => {
    process.stderr.write(`evalaudit: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
