/**
 * Builds dist/ once before the tests, so that tests running the real command (bin/evalaudit.js,
 * which loads dist/) test the sources as they are, not the last build. Gives the run a temporary
 * directory of its own (TMPDIR, which os.tmpdir() reads in every test worker and in every
 * command the tests start) and removes it at the end: the suite leaves nothing in the machine's
 * temporary directory (it left ~75 directories a run). EVALAUDIT_KEEP_TMP=1 keeps it, to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): () => void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  // The rest of `npm run build`: the schemas' validators as code (src/lazy-ajv.ts), and the
  // bundle bin/evalaudit.js runs (scripts/bundle.mjs).
  for (const script of ['build-validators.mjs', 'bundle.mjs']) execFileSync(process.execPath, [join(root, 'scripts', script)], { cwd: root, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-test-'));
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.EVALAUDIT_KEEP_TMP === '1') console.log(`evalaudit tests: temporary files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
