/**
 * ajv, loaded and built only when a schema is first compiled: most runs never need it (the
 * record check proves common rows valid by hand, and there may be no config or baseline file),
 * and loading it costs more than a small audit. Schemas are ours and fixed, so they are not
 * checked against JSON Schema's meta-schema on every start (`validateSchema: false`);
 * test/validate-fast.test.ts checks them against it once, in the suite.
 */
import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';

const require = createRequire(import.meta.url);

/** A new ajv instance (ajv is CommonJS, so it can be required synchronously on first use). */
export function newAjv(options: Options): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  return new AjvClass({ validateSchema: false, ...options });
}
