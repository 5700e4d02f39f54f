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
  it('installs from the same project URL package.json names', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { repository: { url: string }; homepage: string; bugs: { url: string } };
    expect(readme).toContain(`npm install --save-dev ${pkg.repository.url}`);
    const project = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
    expect(pkg.homepage.startsWith(project)).toBe(true);
    expect(pkg.bugs.url.startsWith(project)).toBe(true);
    expect(readme).toContain(`${project}/blob/main/rules/<id>.md`);
  });

  it('documents the CLI options', () => {
    for (const opt of ['--format', '--output', '--report', '--step-summary', '--max-findings', '--fail-on', '--max-warnings', '--max-accuracy-change', '--rule', '--baseline', '--update-baseline', '--ignore', '--concurrency', '--jobs', '--input-format', '--map', '--map-config', '--allow-empty', '--config', '--no-config', '--print-config', '--color', '--record']) {
      expect(readme, opt).toContain(opt);
    }
  });
});
