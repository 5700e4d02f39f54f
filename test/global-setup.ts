/**
 * Builds dist/ once before the tests, so that tests running the real command (bin/evalaudit.js,
 * which loads dist/) test the sources as they are, not the last build.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  // The rest of `npm run build`: the schemas' validators as code (src/lazy-ajv.ts), and the
  // bundle bin/evalaudit.js runs (scripts/bundle.mjs).
  for (const script of ['build-validators.mjs', 'bundle.mjs']) execFileSync(process.execPath, [join(root, 'scripts', script)], { cwd: root, stdio: 'inherit' });
}
