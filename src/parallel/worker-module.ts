/**
 * Where the default worker entry (worker.ts) is as a module Node can start in a thread: beside
 * this one in dist/, or, when vitest runs the sources, its build (the tests build dist/ first).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../package-root.js';

export function defaultWorkerModule(): URL {
  if (import.meta.url.endsWith('.js')) return new URL('./worker.js', import.meta.url);
  return pathToFileURL(join(packageRoot(), 'dist', 'src', 'parallel', 'worker.js'));
}
