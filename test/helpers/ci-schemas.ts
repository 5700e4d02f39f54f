/** Validators of the CI report formats against their published schemas (vendored in test/fixtures/schemas). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';
import { validateXML } from 'xmllint-wasm';

// CommonJS packages whose default export NodeNext types do not see through.
const require = createRequire(import.meta.url);
const Ajv04 = (require('ajv-draft-04') as { default: new (options: Options) => Ajv }).default;
const addFormats = (require('ajv-formats') as { default: (ajv: Ajv) => Ajv }).default;

const dir = join(__dirname, '..', 'fixtures', 'schemas');

let sarif: ((doc: unknown) => string[]) | null = null;

/** The errors of a SARIF log against the OASIS SARIF 2.1.0 schema ([] when valid). */
export function sarifErrors(doc: unknown): string[] {
  if (!sarif) {
    const ajv = new Ajv04({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(dir, 'sarif-schema-2.1.0.json'), 'utf8')));
    sarif = (d) => (validate(d) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
  }
  return sarif(doc);
}

/** The errors of a JUnit XML report against Jenkins' JUnit XSD ([] when valid), by libxml2. */
export async function junitErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [readFileSync(join(dir, 'junit-10.xsd'), 'utf8')] });
  return result.errors.map((e) => e.message ?? String(e));
}
