/**
 * Files shipped beside the code (schemas, package.json) are found from the package root, which
 * sits two levels above a compiled module (dist/src/x.js) and one above a source one (src/x.ts,
 * as vitest runs it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function packageRoot(): string {
  if (root !== null) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'evalaudit') return (root = dir);
    dir = dirname(dir);
  }
  throw new Error('evalaudit: cannot find its own package.json');
}

/** Reads a JSON file shipped with the package, by its path from the package root. */
export function packageJson<T = Record<string, unknown>>(relative: string): T {
  return JSON.parse(readFileSync(join(packageRoot(), relative), 'utf8')) as T;
}
