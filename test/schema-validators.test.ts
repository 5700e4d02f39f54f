/**
 * The schemas' validators generated at build time (scripts/build-validators.mjs, used by
 * src/lazy-ajv.ts instead of loading ajv and compiling): they are what a run uses, they give
 * the verdicts and errors ajv's own compilation of the same schema gives (which the messages
 * are made from), and a generated validator that no longer matches its schema is not used.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCHEMA_OPTIONS, currentValidator, generatedValidatorPath, newAjv, schemaValidator, type GeneratedValidator, type SchemaName } from '../src/lazy-ajv.js';
import { packageRoot } from '../src/package-root.js';
import { runCli } from './helpers/cli-process.js';

const require = createRequire(import.meta.url);
const NAMES = Object.keys(SCHEMA_OPTIONS) as SchemaName[];
const schemaText = (name: SchemaName) => readFileSync(join(packageRoot(), 'schema', `${name}.schema.json`), 'utf8');
const generated = (name: SchemaName) => require(generatedValidatorPath(name)) as GeneratedValidator;

/** Objects with the schema's own keys (and one it does not know), any JSON values under them: valid and invalid alike. */
function documents(name: SchemaName): fc.Arbitrary<unknown> {
  const schema = JSON.parse(schemaText(name)) as { properties?: Record<string, unknown> };
  const keys = [...Object.keys(schema.properties ?? {}), 'notAKey'];
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('error', 'auto', 'fp16', -1, 0, 1.5, [], {}, ['a'], { a: 1 }));
  return fc.oneof({ weight: 9, arbitrary: fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 6 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
}

describe('generated schema validators', () => {
  it.each(NAMES)('%s: the run uses the generated validator, built from the schema as it is', (name) => {
    const mod = generated(name);
    expect(currentValidator(mod, name, schemaText(name))).toBe(mod.default);
    expect(schemaValidator(name)).toBe(mod.default);
  });

  it.each(NAMES)('%s: the same verdicts and errors as ajv compiling the schema', (name) => {
    const fast = generated(name).default;
    const compiled = newAjv(SCHEMA_OPTIONS[name]).compile(JSON.parse(schemaText(name)) as object);
    let invalid = 0;
    fc.assert(
      fc.property(documents(name), (doc) => {
        const ok = compiled(doc);
        expect(fast(doc)).toBe(ok);
        expect(fast.errors ?? null).toEqual(compiled.errors ?? null);
        if (!ok) invalid++;
      }),
      { numRuns: 400, seed: 20261202 },
    );
    expect(invalid).toBeGreaterThan(100);
  });

  it('a generated validator is not used once its schema text or options differ', () => {
    const mod = generated('config');
    const text = schemaText('config');
    expect(currentValidator(mod, 'config', `${text} `)).toBeNull();
    expect(currentValidator(mod, 'baseline', text)).toBeNull(); // another schema's options
    expect(currentValidator({ ...mod, default: mod.default, options: '{}' }, 'config', text)).toBeNull();
  });

  it('an audit with a config file and a baseline loads neither ajv nor its compiler (NODE_DEBUG=module lists what it loads)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalaudit-validators-'));
    try {
      const config = join(dir, 'evalaudit.config.json');
      writeFileSync(config, JSON.stringify({ rules: { 'low-precision': 'info' }, failOn: 'error', baseline: 'baseline.json' }));
      const run = join(packageRoot(), 'sample-runs');
      expect(runCli(['audit', run, '--config', config, '--update-baseline', '--format', 'json']).code).toBe(0);
      const r = runCli(['audit', run, '--config', config, '--format', 'json'], { env: { ...process.env, NODE_DEBUG: 'module' } });
      expect(r.code).toBe(0); // every finding is in the baseline
      expect(r.stderr).toContain('dist/validators/config.cjs');
      expect(r.stderr).toContain('dist/validators/baseline.cjs');
      expect(r.stderr).not.toMatch(/node_modules\/ajv\/dist\/(ajv|core|compile)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
