/**
 * Real HELM run folders beyond the v3 suite (test/fixtures/real/helm/README.md says where each
 * comes from): an OpenAI chat run whose every log-prob is a placeholder, whose headline can
 * still be checked against its per-instance stats; a run folder shared without its
 * scenario_state.json.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { editJson } from './audit-files.js';
import { readItems } from './read.js';
import { capturedOutput } from '../helpers/captured-output.js';

const REAL = join(__dirname, '../fixtures/real/helm');
const GPT4_RUN = 'bbq:subject=all,method=multiple_choice_joint,model=openai_gpt-4-0125-preview';
const GPT4 = join(REAL, 'v1', GPT4_RUN);
const HARM_BENCH = join(REAL, 'v4', 'harm_bench:model=mistralai_mixtral-8x22b-instruct-v0.1');
const RUN_FILES = ['run_spec.json', 'scenario.json', 'instances.json', 'display_predictions.json', 'display_requests.json'];

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
function copyOf(src: string, sub = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-helm-'));
  scratch.push(dir);
  cpSync(src, join(dir, sub), { recursive: true });
  return dir;
}

const io = capturedOutput();

const notInfo = async (paths: string[]) => [...(await audit(paths, { rules: defaultRuleSet })).findings].filter((f) => f.severity !== 'info');

describe('a real HELM run whose client wrote placeholder log-probs (OpenAI chat: every token 0)', () => {
  it("skips each request, and still counts its instance's exact_match for the headline", async () => {
    const { items } = await readItems(join(GPT4, 'scenario_state.json'));
    expect(items).toHaveLength(10);
    for (const item of items) expect(item).toMatchObject({ kind: 'skipped', reason: 'completion without log-probs (every token 0)', sample: { task: `${GPT4_RUN}/test` } });
    expect(items.map((i) => (i.kind === 'skipped' ? i.sample?.metrics.exact_match : null))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('an honest run: its headline exact_match (0.9) is checked against its 10 instances and agrees, exit 0', async () => {
    const result = await audit([GPT4], { rules: defaultRuleSet });
    expect([...result.findings].filter((f) => f.severity !== 'info')).toEqual([]);
    expect(result.summary.headlines).toBe(1);
    expect(await main(['audit', GPT4])).toBe(0);
  });

  it('a headline planted off its instances (0.10 for 0.9) is found, exit 1', async () => {
    const dir = copyOf(GPT4);
    editJson(join(dir, 'stats.json'), (v) => {
      const em = v.find((s: { name: { name: string; perturbation?: unknown } }) => s.name.name === 'exact_match' && s.name.perturbation === undefined);
      em.sum = em.mean = 0.1;
    });
    expect((await notInfo([dir])).map((f) => [f.ruleId, f.recordId, f.file.split('/').pop()])).toEqual([['metric-mismatch', `${dir.split('/').pop()}/test`, 'stats.json']]);
    expect(await main(['audit', dir])).toBe(1);
    // Its files named as a user may name them, one relative and one not: still one run folder.
    const rel = relative(process.cwd(), dir);
    const spelled = [join(rel, 'scenario_state.json'), join(rel, 'per_instance_stats.json'), `./${join(rel, 'stats.json')}`];
    expect((await notInfo(spelled)).map((f) => f.ruleId)).toEqual(['metric-mismatch']);
  });

  it("tells why each of stats.json's other stats is no headline: a sub-split or perturbation, or no mean (count 0)", async () => {
    const { items } = await readItems(join(GPT4, 'stats.json'));
    expect(items).toHaveLength(84); // one per stat, in order
    const why = (i: number) => (items[i].kind === 'skipped' ? items[i].reason : items[i].kind);
    // 8, 9: training_co2_cost and training_energy_cost, count 0; 61: exact_match, robustness perturbation
    expect([why(8), why(9), why(61)]).toEqual(['HELM stat without a mean (no values): not a headline number', 'HELM stat without a mean (no values): not a headline number', 'HELM stat of a sub-split or perturbation: not a headline number']);
  });

  it('two suites of the same run are checked each against its own instances, not their pooled mean', async () => {
    // Suites are versions of the same runs: the folder names repeat. v2's own numbers agree (0.8).
    const dir = copyOf(GPT4, `v1/${GPT4_RUN}`);
    cpSync(GPT4, join(dir, 'v2', GPT4_RUN), { recursive: true });
    editJson(join(dir, 'v2', GPT4_RUN, 'per_instance_stats.json'), (v) => (v[0].stats.find((s: { name: { name: string } }) => s.name.name === 'exact_match').mean = 0));
    editJson(join(dir, 'v2', GPT4_RUN, 'stats.json'), (v) => (v.find((s: { name: { name: string; perturbation?: unknown } }) => s.name.name === 'exact_match' && !s.name.perturbation).mean = 0.8));
    const result = await audit([dir], { rules: defaultRuleSet });
    expect([...result.findings].filter((f) => f.severity !== 'info')).toEqual([]);
    expect(result.summary.headlines).toBe(2);
  });
});

describe('a real HELM run folder without its scenario_state.json (harm_bench, Mixtral; the large file left out)', () => {
  it('knows every file HELM wrote into it and skips each row with why: no unsupported format', async () => {
    for (const f of [...RUN_FILES, 'per_instance_stats.json', 'stats.json']) {
      const { format, items } = await readItems(join(HARM_BENCH, f));
      expect(format, f).toBe('helm-run-file');
      expect(items.length, f).toBeGreaterThan(0);
      for (const item of items) expect(item, f).toMatchObject({ kind: expect.stringMatching(/^(skipped|aggregate)$/) });
    }
    for (const f of RUN_FILES) for (const item of (await readItems(join(HARM_BENCH, f))).items) expect(item, f).toMatchObject({ reason: 'HELM run file without log-probs' });
  });

  it('has nothing to check (no log-probs, no instances to check stats.json against): no error, exit 2', async () => {
    expect(await notInfo([HARM_BENCH])).toEqual([]);
    expect(await main(['audit', HARM_BENCH])).toBe(2);
    expect(io.err).not.toMatch(/no input format recognises/);
  });

  it('a file of the same name but not of the same shape is still not taken for a HELM run file', async () => {
    const dir = copyOf(HARM_BENCH);
    writeFileSync(join(dir, 'instances.json'), JSON.stringify([{ prompt: 'hi', answer: 'x' }]));
    writeFileSync(join(dir, 'scenario.json'), JSON.stringify({ name: 'x' }));
    for (const f of ['instances.json', 'scenario.json']) expect((await readItems(join(dir, f))).format, f).not.toBe('helm-run-file');
  });

  it("knows reeval_trajectory.json, which HELM's reeval runner writes (reeval_runner.py: a dict of lists)", async () => {
    const dir = copyOf(HARM_BENCH);
    writeFileSync(join(dir, 'reeval_trajectory.json'), JSON.stringify({ model_ability: [0, 0.4], response_correctness: [1, 0], instance_difficulties: [0.1, 0.9] }, null, 2));
    expect(await readItems(join(dir, 'reeval_trajectory.json'))).toMatchObject({ format: 'helm-run-file', items: [{ kind: 'skipped', reason: 'HELM run file without log-probs' }] });
  });
});
