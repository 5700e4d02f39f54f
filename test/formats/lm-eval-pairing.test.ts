/**
 * Which samples an lm-eval results file's headlines are checked against, on real outputs
 * (provenance in each fixture folder's README): the mid-2023 development layout, whose rows keep
 * only their first request but still carry the per-sample `acc` the headline averages, undated
 * (≤ v0.4.2) folders where several models' `<model_args>_<task>.jsonl` sit beside one results file,
 * and a `simple_evaluate()` dict saved whole, which holds its samples itself.
 */
import { readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { AMBIGUOUS_SAMPLES_SKIP, NO_SAMPLES_SKIP } from '../../src/ingest/formats/lm-eval-results.js';
import type { Finding } from '../../src/types.js';
import { copyFixtures, editJson } from './audit-files.js';

const DEV_2023 = join(__dirname, '../fixtures/real/lm-eval-dev-2023');
const EMBEDDED = join(__dirname, '../fixtures/real/lm-eval-embedded');
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
  const { records, audited, skipped, invalid, skipReasons } = result.summary;
  return { findings, headlines: result.summary.headlines ?? 0, skipReasons, counts: { records, audited, skipped, invalid } };
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

describe('a results dict that holds its samples (simple_evaluate(log_samples=True) saved whole)', () => {
  const TASK = 'leaderboard_bbh_hyperbaton';
  /** The same bugs planted in the embedded dict and in its split equivalent. */
  function planted(): { embedded: string; split: string } {
    const dir = copy(EMBEDDED);
    const embedded = join(dir, 'qwen3-8b-leaderboard-excerpt');
    const split = join(dir, 'qwen3-8b-split-DERIVED');
    editJson(join(embedded, 'results.json'), (v) => {
      v.samples[TASK][0].acc_norm = 0;
      v.results.leaderboard_bbh_web_of_lies['acc_norm,none'] = 0.5;
    });
    const results = readdirSync(split).find((n) => n.startsWith('results_'))!;
    editJson(join(split, results), (v) => (v.results.leaderboard_bbh_web_of_lies['acc_norm,none'] = 0.5));
    const samples = join(split, readdirSync(split).find((n) => n.startsWith(`samples_${TASK}_`))!);
    const row = JSON.parse(readFileSync(samples, 'utf8'));
    row.acc_norm = 0;
    writeFileSync(samples, `${JSON.stringify(row)}\n`);
    return { embedded, split };
  }
  // Doc ids repeat across the tasks of one dict, so its groups are `<task>/<doc_id>`.
  const bugs = (findings: Finding[]) =>
    findings.filter((f) => f.ruleId !== 'low-precision').map((f) => [f.ruleId, f.messageId, String(f.recordId).replace(`${TASK}/`, ''), f.recorded, f.expected]);

  it('reads the embedded samples as the split files give them, and checks the headlines against them', async () => {
    const embedded = await run([join(EMBEDDED, 'qwen3-8b-leaderboard-excerpt')]);
    const split = await run([join(EMBEDDED, 'qwen3-8b-split-DERIVED')]);
    expect(embedded.skipReasons[NO_SAMPLES_SKIP]).toBeUndefined();
    expect(embedded.counts).toEqual({ records: 7, audited: 6, skipped: 1, invalid: 0 });
    expect(embedded.counts).toEqual(split.counts);
    expect(embedded.skipReasons).toEqual(split.skipReasons);
    expect([embedded.headlines, split.headlines]).toEqual([5, 5]);
    // Honest (bfloat16 totals: low-precision warnings, one per file read, are all there is).
    expect(embedded.findings.map((f) => f.ruleId)).toEqual(['low-precision']);
    expect(bugs(split.findings)).toEqual([]);
  });

  it('a planted per-sample acc_norm and a planted headline give the same findings as in the split files', async () => {
    const { embedded, split } = planted();
    const found = bugs((await run([embedded])).findings);
    expect(found).toEqual(bugs((await run([split])).findings));
    expect(found.map((f) => f.slice(0, 3))).toEqual([
      ['metric-mismatch', 'headline', 'leaderboard_bbh_hyperbaton'],
      ['metric-mismatch', 'headline', 'leaderboard_bbh_web_of_lies'],
      ['metric-mismatch', 'pickIsGold', '0/0'],
    ]);
  });
});
