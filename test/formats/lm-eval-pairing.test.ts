/**
 * Which samples an lm-eval results file's headlines are checked against, on real outputs
 * (provenance in each fixture folder's README): the mid-2023 development layout, whose rows keep
 * only their first request but still carry the per-sample `acc` the headline averages.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { copyFixtures, editJson } from './audit-files.js';

const DEV_2023 = join(__dirname, '../fixtures/real/lm-eval-dev-2023');

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
function copy(src: string): string {
  const dir = copyFixtures(src);
  scratch.push(dir);
  return dir;
}

async function run(paths: string[]) {
  const result = await audit(paths, { rules: defaultRuleSet });
  const findings = [...result.findings].filter((f) => f.severity !== 'info');
  return { findings, headlines: result.summary.headlines ?? 0, skipReasons: result.summary.skipReasons };
}

describe('mid-2023 development layout: a first-request-only row still counts towards its headline', () => {
  it('w.json (winogrande acc 0.5) is checked against the acc of its two samples, which agree', async () => {
    const dir = copy(DEV_2023);
    const { findings, headlines } = await run([dir]);
    expect(findings).toEqual([]);
    expect(headlines).toBe(1);
  });

  it('a planted headline (acc 0.5 → 0.9) is found', async () => {
    const dir = copy(DEV_2023);
    editJson(join(dir, 'w.json'), (v) => (v.results.winogrande['acc,none'] = 0.9));
    const { findings } = await run([dir]);
    expect(findings.map((f) => [f.ruleId, f.messageId, f.recordId, f.file.split('/').pop(), f.expected])).toEqual([['metric-mismatch', 'headline', 'winogrande', 'w.json', 0.5]]);
  });
});
