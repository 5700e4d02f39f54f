/** The published report schema, compiled once: every report a test makes can be held to it. */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

let compiled: ValidateFunction | null = null;

export function reportValidator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(
    JSON.parse(readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as object,
  );
  return compiled;
}
