/**
 * Which samples an lm-eval results file's headlines are checked against, on real outputs
 * (provenance in each fixture folder's README): the mid-2023 development layout, whose rows keep
 * only their first request but still carry the per-sample `acc` the headline averages, and undated
 * (≤ v0.4.2) folders where several models' `<model_args>_<task>.jsonl` sit beside one results file.
 */
import { rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { AMBIGUOUS_SAMPLES_SKIP } from '../../src/ingest/formats/lm-eval-results.js';
import { copyFixtures, editJson } from './audit-files.js';

const DEV_2023 = join(__dirname, '../fixtures/real/lm-eval-dev-2023');
/** w.json's model_args is '' (so its samples are `_winogrande.jsonl`); the folder also holds pythia-2.8b's. */
const PYTHIA_WINO = 'pretrained=EleutherAI__pythia-2.8b_winogrande.jsonl';

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

describe('undated results beside several models’ samples of a task', () => {
  it('pairs with the samples named after config.model_args, whichever file comes first', async () => {
    // pythia-2.8b's results, as the harness would have written them: its four samples' acc average 0.25.
    // Its samples file sorts after `_winogrande.jsonl` (the other model's, mean 0.5).
    const dir = copy(DEV_2023);
    editJson(join(dir, 'w.json'), (v) => {
      v.config.model_args = 'pretrained=EleutherAI/pythia-2.8b';
      v.results.winogrande['acc,none'] = 0.25;
    });
    expect(await run([dir])).toMatchObject({ findings: [], headlines: 1 });
    // And a wrong headline for that model is still found, against its own samples' mean.
    editJson(join(dir, 'w.json'), (v) => (v.results.winogrande['acc,none'] = 0.5));
    const { findings } = await run([dir]);
    expect(findings.map((f) => [f.messageId, f.expected, f.evidence?.sampleFiles])).toEqual([['headline', 0.25, [join(dir, PYTHIA_WINO)]]]);
  });

  it('the v0.4 spelling of the name (`/` and `=` both → `__`) pairs too', async () => {
    const dir = copy(DEV_2023);
    editJson(join(dir, 'w.json'), (v) => (v.config.model_args = 'pretrained=EleutherAI/pythia-2.8b'));
    // Rename pythia's samples the way v0.4.0–v0.4.2 name them; the headline 0.5 is then off its 0.25.
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, PYTHIA_WINO), join(dir, 'pretrained__EleutherAI__pythia-2.8b_winogrande.jsonl'));
    const { findings } = await run([dir]);
    expect(findings.map((f) => [f.messageId, f.expected])).toEqual([['headline', 0.25]]);
  });

  it('when model_args names none of the candidates, nothing is compared and the skip says why', async () => {
    const dir = copy(DEV_2023);
    editJson(join(dir, 'w.json'), (v) => {
      v.config.model_args = 'pretrained=gpt2';
      v.results.winogrande['acc,none'] = 0.9;
    });
    const { findings, headlines, skipReasons } = await run([dir]);
    expect(findings).toEqual([]);
    expect(headlines).toBe(0);
    expect(skipReasons[AMBIGUOUS_SAMPLES_SKIP]).toBe(1);
    // One candidate named after another model_args is that model's, not this run's.
    unlinkSync(join(dir, PYTHIA_WINO));
    expect(await run([dir])).toMatchObject({ findings: [], headlines: 0, skipReasons: { [AMBIGUOUS_SAMPLES_SKIP]: 1 } });
  });

  it('nor when the results file gives no model_args and several candidates exist', async () => {
    const dir = copy(DEV_2023);
    editJson(join(dir, 'w.json'), (v) => delete v.config.model_args);
    const { findings, headlines, skipReasons } = await run([dir]);
    expect([findings, headlines, skipReasons[AMBIGUOUS_SAMPLES_SKIP]]).toEqual([[], 0, 1]);
    // With one candidate left, it is the run's (as before).
    unlinkSync(join(dir, PYTHIA_WINO));
    expect(await run([dir])).toMatchObject({ findings: [], headlines: 1 });
  });
});
