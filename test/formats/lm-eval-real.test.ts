/**
 * Real lm-evaluation-harness output directories (test/fixtures/real/lm-eval/, provenance in its
 * README) and a winogrande run in the harness's exact shape, audited end to end: clean runs give
 * no bug finding, generative tasks are skipped rows, a results file pairs with its own run's samples
 * only, and a tampered number is still found. The Qwen3-8B run ran in bfloat16 (its results file
 * says dtype=bfloat16) and the winogrande fixture's invented totals are multiples of 1/16: both
 * draw one low-precision finding per samples file, from the grid their totals lie on.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import type { FileSummary, RunResult } from '../../src/engine/result.js';
import type { Finding } from '../../src/types.js';
import { NO_MEAN_SKIP, NO_SAMPLES_SKIP } from '../../src/ingest/formats/lm-eval-results.js';
import { lmEvalRun, lmEvalRunDate, runHasSamples } from '../../src/ingest/formats/lm-eval-run.js';
import { GENERATIVE_SKIP } from '../../src/ingest/formats/lm-eval-samples.js';
import { fixture, readItems, readRecords } from './read.js';
import { capturedOutput } from '../helpers/captured-output.js';

const REAL = join(__dirname, '../fixtures/real/lm-eval');
const BIAS = join(REAL, 'bias-classification/meta-llama__Meta-Llama-3-8B');
const BIAS_RUNS = ['2024-06-17T12-20-26.826621', '2024-06-17T15-44-37.867068'];
const WINOGRANDE = fixture('lm-eval/winogrande/EleutherAI__pythia-160m');
const WINO_DATE = '2024-09-12T10-41-07.531220';

const scratch: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-lmeval-'));
  scratch.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const fileNamed = (r: RunResult, name: string): FileSummary => r.files.find((f) => basename(f.file) === name)!;
/** Findings other than the per-file half-precision grid claims. */
const bugs = (findings: Iterable<Finding>) => [...findings].filter((f) => !(f.ruleId === 'low-precision' && f.messageId === 'fileGrid'));
const errorsAndWarnings = (r: RunResult) => bugs(r.findings).filter((f) => f.severity !== 'info');

/** Rewrites a file's text (a tampered copy for a test). */
function edit(file: string, change: (text: string) => string): void {
  writeFileSync(file, change(readFileSync(file, 'utf8')));
}

describe('lm-eval run naming', () => {
  it.each([
    ['out/gpt2/results_2024-06-01T12-00-00.123456.json', '2024-06-01T12-00-00.123456'],
    ['out/gpt2/samples_arc_easy_2024-06-01T12-00-00.123456.jsonl', '2024-06-01T12-00-00.123456'],
    ['out/samples_mmlu_high_school_physics_2024-06-01T12-00-00.jsonl', '2024-06-01T12-00-00'],
    // --output_path my_run.json: the results file takes the given stem
    ['out/my_run_2024-06-01T12-00-00.123456.json', '2024-06-01T12-00-00.123456'],
    // ≤ v0.4.2: results.json beside <model_args>_<task>.jsonl, no date
    ['out/results.json', null],
    ['out/pretrained__gpt2_hellaswag.jsonl', null],
  ])('%s is of the run dated %s', (file, date) => {
    expect(lmEvalRunDate(file)).toBe(date);
  });

  it('keys a run by its directory and date', () => {
    expect(lmEvalRun('a/results_2024-06-01T12-00-00.json')).toBe(lmEvalRun('./a/samples_x_2024-06-01T12-00-00.jsonl'));
    expect(lmEvalRun('a/results_2024-06-01T12-00-00.json')).not.toBe(lmEvalRun('b/samples_x_2024-06-01T12-00-00.jsonl'));
    expect(lmEvalRun('a/results_2024-06-01T12-00-00.json')).not.toBe(lmEvalRun('a/samples_x_2024-06-02T12-00-00.jsonl'));
  });

  it('tells whether a results file has samples of its own run beside it', () => {
    expect(runHasSamples(join(BIAS, `results_${BIAS_RUNS[0]}.json`))).toBe(true);
    expect(runHasSamples(join(REAL, 'asdiv/meta-llama__Meta-Llama-3-8B-Instruct/results_2024-08-21T04-27-29.701325.json'))).toBe(false);
  });
});

describe('real lm-eval output directories', () => {
  const io = capturedOutput();

  it('audit clean with the defaults: exit 0, no error, and only the half-precision grids as warnings', async () => {
    expect(await main(['audit', REAL, WINOGRANDE, '--format', 'json'])).toBe(0);
    const report = JSON.parse(io.out) as { findings: Finding[] };
    expect(bugs(report.findings)).toEqual([]);
    expect([...report.findings].map((f) => [basename(f.file), f.evidence?.grid])).toEqual([
      ['samples_winogrande_2024-09-12T10-41-07.531220.jsonl', expect.objectContaining({ format: 'float16', values: false, records: 10 })],
      ['samples_negotiationtom_belief_2026-07-08T16-04-34.219874.jsonl', expect.objectContaining({ format: 'bfloat16', values: false, records: 10 })],
    ]);
    const result = await audit([REAL, WINOGRANDE], { rules: defaultRuleSet });
    expect(errorsAndWarnings(result)).toEqual([]);
    expect(result.summary.invalid).toBe(0);
  });

  it('list a mixed run’s generative files as skipped, one row each, so records = audited + invalid + skipped', async () => {
    const result = await audit([join(REAL, 'negotiationtom')], { rules: defaultRuleSet });
    const gen = fileNamed(result, 'samples_negotiationtom_intention_2026-07-08T16-04-34.219874.jsonl');
    expect(gen).toMatchObject({ format: 'lm-eval-samples', records: 4, invalid: 0, skipped: 4, skipReasons: { [GENERATIVE_SKIP]: 4 } });
    const mc = fileNamed(result, 'samples_negotiationtom_belief_2026-07-08T16-04-34.219874.jsonl');
    expect(mc).toMatchObject({ records: 16, invalid: 0, skipped: 0 });
    // The log-likelihood task is checked: its recorded acc agrees with the recomputed picks.
    expect(mc.accuracy).toEqual({ groups: 4, recorded: 0.75, recomputed: 0.75, changed: 0 });
    expect(bugs(result.findings)).toEqual([]);
  });

  it("check a generative task's headline against its skipped samples' exact_match: a headline off the mean is found", async () => {
    const dir = tmp();
    cpSync(join(REAL, 'negotiationtom'), dir, { recursive: true });
    const results = join(dir, 'Qwen__Qwen3-8B/results_2026-07-08T16-04-34.219874.json');
    const v = JSON.parse(readFileSync(results, 'utf8'));
    v.results.negotiationtom_intention['exact_match,none'] = 0.9;
    writeFileSync(results, JSON.stringify(v, null, 2));
    const result = await audit([dir], { rules: defaultRuleSet });
    expect(bugs(result.findings).map((f) => [f.ruleId, f.recordId, f.expected])).toEqual([['metric-mismatch', 'negotiationtom_intention', 0]]);
    // A headline the task's config aggregates otherwise than by a mean is not compared with the samples' mean.
    const metricList = v.configs.negotiationtom_intention.metric_list as { metric: string; aggregation: unknown }[];
    metricList.find((m) => m.metric === 'exact_match')!.aggregation = 'def exact_match_agg(items):\n    return max(items)\n';
    writeFileSync(results, JSON.stringify(v, null, 2));
    expect(bugs((await audit([dir], { rules: defaultRuleSet })).findings)).toEqual([]);
  });

  it("compare a headline of Infinity (a sample's mae is inf) with its samples' mean as equal; a task that means none is skipped with why", async () => {
    const run = join(REAL, 'polymer-tg/gpt-4o-mini');
    expect(bugs((await audit([run], { rules: defaultRuleSet })).findings)).toEqual([]);
    const dir = tmp();
    cpSync(run, dir, { recursive: true });
    const results = join(dir, 'results_2025-06-30T19-40-09.461247.json');
    const v = JSON.parse(readFileSync(results, 'utf8').replace(/\bInfinity\b/g, '1e999').replace(/\bNaN\b/g, 'null'));
    v.configs.polymer_tg_prediction.metric_list[0].aggregation = 'median';
    writeFileSync(results, JSON.stringify(v, null, 2).replace(/1e\+?999/g, 'Infinity'));
    const { items } = await readItems(results);
    expect(items).toEqual([expect.objectContaining({ kind: 'skipped', reason: NO_MEAN_SKIP, wholeFile: true })]);
  });

  it('list a results file whose run logged no samples as skipped with that reason', async () => {
    const result = await audit([join(REAL, 'asdiv')], { rules: defaultRuleSet });
    const alone = fileNamed(result, 'results_2024-08-21T04-27-29.701325.json');
    expect(alone).toMatchObject({ format: 'lm-eval-results', records: 0, skipped: 0, skipReasons: { [NO_SAMPLES_SKIP]: 1 } });
    expect(fileNamed(result, 'results_2024-08-21T03-44-09.494230.json').skipReasons).toEqual({});
    expect(bugs(result.findings)).toEqual([]);
  });

  it('read a loglikelihood task (one request per doc, acc = is_greedy) without a gold to guess', async () => {
    const records = await readRecords(join(REAL, 'asdiv/meta-llama__Meta-Llama-3-8B-Instruct/samples_asdiv_2024-08-21T03-44-09.494230.jsonl'));
    expect(records).toHaveLength(5);
    for (const r of records) {
      expect(r.group).toBe(r.id);
      expect(r).not.toHaveProperty('gold');
      expect(r).not.toHaveProperty('choice_index');
      expect(r.metrics).toHaveProperty('acc');
    }
  });

  it('read samples that mid-2024 harness builds wrote as JSON lines in a .json file', async () => {
    const { format, items } = await readItems(join(BIAS, `samples_bias_classification_${BIAS_RUNS[0]}.json`));
    expect(format).toBe('lm-eval-samples');
    expect(items.filter((i) => i.kind === 'record')).toHaveLength(12);
    expect(items.filter((i) => i.kind !== 'record')).toEqual([]);
  });
});

describe('results pair with the samples of their own run', () => {
  it('two runs of one task in one directory, with different accuracies: no finding', async () => {
    const records = await Promise.all(BIAS_RUNS.map((d) => readRecords(join(BIAS, `samples_bias_classification_${d}.json`))));
    const acc = records.map((rs) => rs.filter((r) => r.choice_index === 0).reduce((s, r) => s + r.metrics!.acc, 0) / 6);
    expect(acc[0]).not.toBeCloseTo(acc[1], 3); // pooled, neither headline would be the mean
    expect(bugs((await audit([BIAS], { rules: defaultRuleSet })).findings)).toEqual([]);
  });

  it('two runs in sibling model folders: no finding', async () => {
    const root = tmp();
    for (const [i, d] of BIAS_RUNS.entries()) {
      const dir = join(root, `model-${i}`);
      mkdirSync(dir);
      for (const name of [`results_${d}.json`, `samples_bias_classification_${d}.json`]) cpSync(join(BIAS, name), join(dir, name));
    }
    expect(bugs((await audit([root], { rules: defaultRuleSet })).findings)).toEqual([]);
  });

  it('two models run at the same moment, in sibling folders: paired by folder', async () => {
    const root = tmp();
    for (const model of ['a', 'b']) cpSync(WINOGRANDE, join(root, model), { recursive: true });
    // Model b answered doc 4 right: its samples and its headline say so, consistently.
    edit(join(root, 'b', `samples_winogrande_${WINO_DATE}.jsonl`), (t) =>
      t.replace('"filtered_resps": [["-14.875", "False"], ["-14.1875", "False"]]', '"filtered_resps": [["-14.0", "False"], ["-14.1875", "False"]]').replace(/"acc": 0\.0}/, '"acc": 1.0}'),
    );
    edit(join(root, 'b', `results_${WINO_DATE}.json`), (t) => t.replace('"acc,none": 0.8', '"acc,none": 1.0'));
    const result = await audit([root], { rules: defaultRuleSet });
    expect(bugs(result.findings)).toEqual([]);
    expect(result.summary.accuracy).toMatchObject({ groups: 10, recorded: 0.9, recomputed: 0.9 });
  });

  it('a headline that is not its run’s mean is still found, at the results file', async () => {
    const dir = tmp();
    cpSync(BIAS, dir, { recursive: true });
    const results = join(dir, `results_${BIAS_RUNS[1]}.json`);
    edit(results, (t) => t.replace(/"acc,none": [0-9.]+/, '"acc,none": 0.5'));
    const found = bugs((await audit([dir], { rules: defaultRuleSet })).findings);
    expect(found.map((f) => [f.ruleId, basename(f.file), f.recordId, f.recorded])).toEqual([['metric-mismatch', basename(results), 'bias_classification', 0.5]]);
    expect(found[0].expected).toBeCloseTo(4 / 6, 12);
  });
});

describe('winogrande (multiple-input) samples', () => {
  const samples = join(WINOGRANDE, `samples_winogrande_${WINO_DATE}.jsonl`);

  it("take the gold from the doc's answer: no metric-mismatch, recomputed accuracy = recorded", async () => {
    const records = await readRecords(samples);
    expect(records.filter((r) => r.gold).map((r) => r.id)).toEqual(['0/1', '1/0', '2/1', '3/0', '4/0']);
    const result = await audit([WINOGRANDE], { rules: defaultRuleSet });
    expect(bugs(result.findings)).toEqual([]);
    expect(result.summary.accuracy).toEqual({ groups: 5, recorded: 0.8, recomputed: 0.8, changed: 0 });
  });

  it('a flipped acc is still found', async () => {
    const dir = tmp();
    cpSync(WINOGRANDE, dir, { recursive: true });
    const copy = join(dir, basename(samples));
    const lines = readFileSync(copy, 'utf8').split('\n');
    lines[1] = lines[1].replace('"acc": 1.0}', '"acc": 0.0}');
    writeFileSync(copy, lines.join('\n'));
    const found = bugs((await audit([copy], { rules: defaultRuleSet })).findings);
    expect(found.map((f) => [f.ruleId, f.line, f.group, f.recorded, f.expected])).toEqual([['metric-mismatch', 2, '1', 0, 1]]);
  });
});

describe('a run of generative tasks only (gsm8k)', () => {
  const dir = join(REAL, 'gsm8k-phi-3-mini');
  const io = capturedOutput();

  it('is no empty audit: its headlines are checked against its samples, exit 0, and the report says so', async () => {
    expect(await main(['audit', dir, '--format', 'text'])).toBe(0);
    expect(io.out).toMatch(/✔ No problems \(2 headline numbers checked, no record audited\)/);
    expect(io.out).toMatch(/20 skipped \(nothing to audit\); 2 headline\s+numbers checked against their\s+samples\./);
    expect(io.err).not.toMatch(/nothing audited/);
  });

  it('a headline off its samples is found; the samples alone are still an empty audit (exit 2)', async () => {
    const copyDir = tmp();
    cpSync(dir, copyDir, { recursive: true });
    const results = join(copyDir, 'gsm8k-phi-3-mini_2025-08-07T11-42-40.066002.json');
    writeFileSync(results, readFileSync(results, 'utf8').replace('"exact_match,flexible-extract": 0.8', '"exact_match,flexible-extract": 0.7'));
    expect(await main(['audit', copyDir, '--format', 'json'])).toBe(1);
    const report = JSON.parse(io.out) as { findings: Finding[] };
    expect(report.findings.map((f) => [f.ruleId, f.recorded, f.expected])).toEqual([['metric-mismatch', 0.7, 0.8]]);
    rmSync(results);
    io.out = '';
    expect(await main(['audit', copyDir, '--format', 'text'])).toBe(2);
    expect(io.err).toMatch(/no record was audited/);
  });
});

describe('truthfulqa_mc2 samples (acc is the true answers\' share of the probability)', () => {
  const dir = join(REAL, 'truthfulqa-mc2-excerpt');

  it('draw no metric-mismatch, and no argmax accuracy is tallied from a fractional acc', async () => {
    const result = await audit([dir], { rules: defaultRuleSet });
    expect(errorsAndWarnings(result)).toEqual([]);
    expect(result.summary.accuracy.groups).toBe(0);
  });

  it('a 0 or 1 acc is still checked as an argmax accuracy', async () => {
    const copyDir = tmp();
    cpSync(dir, copyDir, { recursive: true });
    const file = join(copyDir, 'samples_truthfulqa_mc2_2026-07-09T04-34-56.527828.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[0] = lines[0].replace('"acc": 0.004537569596692019', '"acc": 1.0');
    writeFileSync(file, lines.join('\n'));
    const found = bugs((await audit([file], { rules: defaultRuleSet })).findings);
    expect(found.map((f) => [f.ruleId, f.group, f.recorded, f.expected])).toEqual([['metric-mismatch', '0', 1, 0]]);
  });
});

describe('files that are not the output itself', () => {
  it('a Git LFS pointer in place of a samples file is one clear invalid-record', async () => {
    const file = join(tmp(), 'samples_hellaswag_2025-01-24T19-02-29.392595.jsonl');
    writeFileSync(file, 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 52428800\n');
    const { format, items } = await readItems(file);
    expect(format).toBeNull();
    expect(items).toEqual([{ kind: 'invalid', file, line: 1, code: 'unreadable', message: expect.stringMatching(/Git LFS pointer/), wholeFile: true }]);
  });
});
