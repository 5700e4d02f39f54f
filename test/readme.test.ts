import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withRuleTable } from '../scripts/gen-docs.js';
import { adapters } from '../src/ingest/index.js';
import { reporters } from '../src/report/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README matches the code', () => {
  it('has the rule table generated from rule metadata (run `npm run docs` to refresh)', () => {
    expect(withRuleTable(readme)).toBe(readme);
  });
  it('names every input format and report format', () => {
    for (const a of adapters) expect(readme, a.name).toContain(`\`${a.name}\``);
    for (const f of Object.keys(reporters)) expect(readme, f).toContain(`\`${f}\``);
  });
  it('documents the CLI options', () => {
    for (const opt of ['--format', '--output', '--fail-on', '--rule', '--concurrency', '--input-format', '--map', '--map-config', '--record']) {
      expect(readme, opt).toContain(opt);
    }
  });
});
