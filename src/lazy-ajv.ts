/**
 * ajv, loaded and built only when a schema is first compiled: most runs never need it (the
 * record check proves common rows valid by hand, and there may be no config or baseline file),
 * and loading it costs more than a small audit. Schemas are ours and fixed, so they are not
 * checked against JSON Schema's meta-schema on every start (`validateSchema: false`);
 * test/validate-fast.test.ts checks them against it once, in the suite.
 *
 * Better still, the build writes each shipped schema's validator as code (ajv's standalone
 * output, scripts/build-validators.mjs, into dist/validators/): a run that reads a config or a
 * baseline file loads that small module instead of ajv (~45 ms) and compiling the schema
 * (~30 ms). A generated validator is used only when it was made from this very schema text and
 * these options; otherwise (a schema edited since the build, no build) ajv compiles the schema
 * as before. Both give the same verdicts and the same errors (test/schema-validators.test.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import { packageRoot } from './package-root.js';

const require = createRequire(import.meta.url);

/** A new ajv instance (ajv is CommonJS, so it can be required synchronously on first use). */
export function newAjv(options: Options): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  return new AjvClass({ validateSchema: false, ...options });
}

/**
 * Each shipped schema (schema/<name>.schema.json) and the ajv options it is compiled with, for
 * the build and the run alike. `verbose`: errors keep the offending value, which messages name.
 */
export const SCHEMA_OPTIONS = {
  config: { allErrors: false, strict: false, verbose: true },
  baseline: { allErrors: false, strict: false },
  record: { allErrors: false, strict: false, verbose: true },
  mapping: { allErrors: false, strict: false },
} as const satisfies Record<string, Options>;

export type SchemaName = keyof typeof SCHEMA_OPTIONS;

/** What a module in dist/validators/ exports (ajv's standalone module: the validator is its default). */
export interface GeneratedValidator {
  default: ValidateFunction;
  /** The schema's text and the options' JSON it was generated from. */
  schemaText: string;
  options: string;
}

/** Where the build writes schema `name`'s validator. */
export function generatedValidatorPath(name: SchemaName): string {
  return join(packageRoot(), 'dist', 'validators', `${name}.cjs`);
}

const validators = new Map<SchemaName, ValidateFunction>();

/** Schema `name`'s validator: the build's generated code when it is current, else ajv's compilation of the schema. */
export function schemaValidator(name: SchemaName): ValidateFunction {
  let v = validators.get(name);
  if (v === undefined) {
    const text = readFileSync(join(packageRoot(), 'schema', `${name}.schema.json`), 'utf8');
    v = generated(name, text) ?? newAjv(SCHEMA_OPTIONS[name]).compile(JSON.parse(text) as object);
    validators.set(name, v);
  }
  return v;
}

function generated(name: SchemaName, text: string): ValidateFunction | null {
  let mod: GeneratedValidator;
  try {
    mod = require(generatedValidatorPath(name)) as GeneratedValidator;
  } catch {
    return null; // not built (the sources run without a build) or unreadable: ajv compiles
  }
  return currentValidator(mod, name, text);
}

/** The generated module's validator when it was made from schema `name` as `text` with today's options, else null. */
export function currentValidator(mod: GeneratedValidator, name: SchemaName, text: string): ValidateFunction | null {
  return mod.schemaText === text && mod.options === JSON.stringify(SCHEMA_OPTIONS[name]) ? mod.default : null;
}
