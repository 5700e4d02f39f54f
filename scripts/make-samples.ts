/**
 * Regenerates the committed sample runs in place (`npm run samples`), or into another folder:
 *
 *     node dist/scripts/make-samples.js [outDir]      (default: sample-runs/ of this package)
 *
 * Edit the generators in scripts/samples/, never the files; test/samples.test.ts holds the
 * committed files to what the generators write.
 */
import { join, resolve } from 'node:path';
import { packageRoot } from '../src/package-root.js';
import { listFiles, writeSamples } from './samples/index.js';

const out = resolve(process.argv[2] ?? join(packageRoot(), 'sample-runs'));
const written = writeSamples(out);
const paths = new Set(written.map((f) => f.path));
process.stdout.write(`wrote ${written.length} files under ${out}\n`);
const orphans = listFiles(out).filter((p) => !paths.has(p));
if (orphans.length > 0) {
  process.stderr.write(`not written by any generator (delete them, or add their generator): ${orphans.join(', ')}\n`);
  process.exitCode = 1;
}
