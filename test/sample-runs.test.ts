/**
 * sample-runs/README.md lists every planted bug with the rule that must name it (the table is
 * written by scripts/samples/canonical/). The audit must find each one, with that rule.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRuleSet } from '../rules/index.js';
import { audit } from '../src/engine/index.js';

interface Planted {
  file: string;
  /** A record id, or `group:<id>` for a group's pick. */
  key: string;
  rule: string;
}

function plantedCases(): Planted[] {
  const out: Planted[] = [];
  for (const line of readFileSync(new URL('../sample-runs/README.md', import.meta.url), 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim().replace(/`/g, ''));
    if (cells.length < 6 || !/\.(jsonl|csv)$/.test(cells[1])) continue;
    const [file, ids, rule] = [cells[1], cells[2], cells[cells.length - 2]];
    for (const part of ids.split(/,\s*(?![^()]*\))/)) {
      const id = part.split(/\s+/)[0];
      out.push({ file, key: part.includes('(selected') ? `group:${id}` : id, rule });
    }
  }
  return out;
}

describe('sample-runs', () => {
  it('names every planted case with the rule its README promises', async () => {
    const cases = plantedCases();
    expect(cases.length).toBeGreaterThan(80);
    const result = await audit(['sample-runs'], { rules: defaultRuleSet });
    const found = new Set<string>();
    for (const f of result.findings) {
      const file = f.file.replace(/^.*sample-runs\//, '');
      found.add(`${file} ${f.recordId} ${f.ruleId}`);
      if (f.group !== undefined) found.add(`${file} group:${f.group} ${f.ruleId}`);
    }
    const missing = cases.filter((c) => !found.has(`${c.file} ${c.key} ${c.rule}`));
    expect(missing).toEqual([]);
  });
});
