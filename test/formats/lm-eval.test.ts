import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATIVE_SKIP, lmEvalTaskFromFile } from '../../src/ingest/formats/lm-eval-samples.js';
import { lmEvalRun } from '../../src/ingest/formats/lm-eval-run.js';
import { metricName } from '../../src/ingest/formats/lm-eval-results.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { fixture, readItems, readRecords, writeJsonl } from './read.js';

describe('lm-eval samples, v0.4.3+ layout', () => {
  const file = fixture('lm-eval/samples_arc_easy_2024-06-01T12-00-00.123456.jsonl');

  it('makes one record per choice, grouped by doc, with the string log-likelihoods as numbers', async () => {
    const records = await readRecords(file);
    expect(records.map((r) => r.id)).toEqual(['0/0', '0/1', '0/2', '0/3', '1/0', '1/1', '2/0', '2/1']);
    // Every record names its run, so a results file pairs with this file only.
    expect(records.every((r) => r.run === lmEvalRun(file))).toBe(true);
    const { run: _run, ...third } = records[2];
    expect(third).toEqual({
      id: '0/2',
      group: '0',
      prompt: 'Question: Which of the following would produce the most heat when rubbed together?\nAnswer:',
      completion: ' palms covered with oil',
      score: -14.1306,
      norm_length: 22,
      choice_index: 2,
      task: 'arc_easy',
      gold: false,
      metrics: { acc: 1, acc_norm: 0 },
    });
    expect(records.filter((r) => r.group === '0').map((r) => r.gold)).toEqual([true, false, false, false]);
    // No record claims to be the harness's pick: samples files do not say which one it was.
    expect(records.some((r) => 'selected' in r)).toBe(false);
  });

  it('reads a target given as the gold choice text', async () => {
    const records = await readRecords(file);
    expect(records.filter((r) => r.group === '1').map((r) => [r.completion, r.gold])).toEqual([
      [' green', false],
      [' blue', true],
    ]);
  });

  it('takes acc_norm lengths from the doc choices (ARC {text, label}), without the delimiter, in code points', async () => {
    const records = await readRecords(file);
    expect(records.filter((r) => r.group === '0').map((r) => r.norm_length)).toEqual([9, 9, 22, 25]);
    expect(records.filter((r) => r.group === '2').map((r) => r.norm_length)).toEqual([11, 5]);
  });

  it("reads Python's nan and -inf strings as non-finite scores", async () => {
    const records = await readRecords(file);
    const doc2 = records.filter((r) => r.group === '2');
    expect(Number.isNaN(doc2[0].score)).toBe(true);
    expect(doc2[1].score).toBe(-Infinity);
  });
});

describe('lm-eval samples, ≤ v0.4.2 layout', () => {
  it('reads the JSON array with numeric resps and list arguments; integer target', async () => {
    const records = await readRecords(fixture('lm-eval/pretrained__gpt2_hellaswag.json'));
    expect(records.map((r) => [r.id, r.score, r.gold, r.norm_length])).toEqual([
      ['0/0', -9.4871, false, 9],
      ['0/1', -21.7462, true, 42],
      ['0/2', -6.0138, false, 5],
    ]);
    // `target` is not a metric; acc_bytes is kept when present.
    expect(records[0].metrics).toEqual({ acc: 0, acc_norm: 1, acc_bytes: 0 });
    expect(records[0].prompt).toBe('A man is running. He');
  });
});

describe('lm-eval samples: damaged rows', () => {
  it('turns each bad row into one invalid item at its line and keeps reading', async () => {
    const { format, items } = await readItems(fixture('lm-eval/malformed/samples_arith_2024-06-01T12-00-00.123456.jsonl'));
    expect(format).toBe('lm-eval-samples');
    expect(items.filter((i) => i.kind === 'record').map((i) => i.line)).toEqual([1, 1]);
    const invalid = items.flatMap((i) => (i.kind === 'invalid' ? [[i.line, i.message]] : []));
    expect(invalid).toEqual([
      [2, expect.stringMatching(/^not valid JSON/)],
      [3, '2 requests in arguments but 1 responses'],
      [4, expect.stringMatching(/doc_id must be a number or string/)],
      [5, expect.stringMatching(/response 1 is not a log-likelihood/)],
    ]);
    // generate_until docs hold nothing to audit: each is a skipped row, none an error.
    const skipped = items.flatMap((i) => (i.kind === 'skipped' ? [[i.line, i.recordId, i.reason, i.wholeFile ?? false]] : []));
    expect(skipped).toEqual([
      [6, '14', GENERATIVE_SKIP, false],
      [7, '15', GENERATIVE_SKIP, false],
    ]);
  });
});

describe('lm-eval task and metric names', () => {
  it('takes the task from samples_<task>_<date>', () => {
    expect(lmEvalTaskFromFile('/runs/gpt2/samples_arc_easy_2024-06-01T12-00-00.123456.jsonl')).toBe('arc_easy');
    expect(lmEvalTaskFromFile('samples_mmlu_high_school_physics_2024-06-01T12-00-00.jsonl')).toBe('mmlu_high_school_physics');
  });

  it('maps result keys to metric names, dropping stderr and alias', () => {
    expect(metricName('acc,none')).toBe('acc');
    expect(metricName('acc_norm,none')).toBe('acc_norm');
    expect(metricName('acc')).toBe('acc');
    expect(metricName('acc_stderr,none')).toBeNull();
    expect(metricName('alias')).toBeNull();
    expect(metricName('exact_match,strict-match')).toBe('exact_match,strict-match');
  });
});

describe('lm-eval results', () => {
  it('yields one aggregate per task and metric, at the line of its key, skipping stderr and N/A', async () => {
    const { format, items } = await readItems(fixture('lm-eval/results_2024-06-01T12-00-00.123456.json'));
    expect(format).toBe('lm-eval-results');
    expect(items.map((i) => (i.kind === 'aggregate' ? [i.task, i.metric, i.value, i.line] : i))).toEqual([
      ['arc_easy', 'acc', 0.6666666666666666, 5],
      ['arc_easy', 'acc_norm', 0.3333333333333333, 7],
      ['gsm8k', 'exact_match,strict-match', 0.25, 12],
    ]);
  });

  it('agrees with the mean of the per-sample metric of its samples file (the fixture run is consistent)', async () => {
    const records = await readRecords(fixture('lm-eval/samples_arc_easy_2024-06-01T12-00-00.123456.jsonl'));
    const docs = new Map(records.map((r) => [r.group, r.metrics!]));
    const mean = (k: string) => [...docs.values()].reduce((a, m) => a + m[k], 0) / docs.size;
    const { items } = await readItems(fixture('lm-eval/results_2024-06-01T12-00-00.123456.json'));
    const agg = Object.fromEntries(items.flatMap((i) => (i.kind === 'aggregate' && i.task === 'arc_easy' ? [[i.metric, i.value]] : [])));
    expect(agg.acc).toBeCloseTo(mean('acc'), 12);
    expect(agg.acc_norm).toBeCloseTo(mean('acc_norm'), 12);
  });

  it("compares only headlines lm-eval aggregates by a mean: a perplexity its config leaves to the registry's default is not", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evalaudit-lmeval-ppl-'));
    try {
      // lambada's shape: each sample's `perplexity` is its log-likelihood, the headline exp(-mean).
      const lls = [-1.2, -0.4, -3.1, -0.05];
      const stamp = '2024-05-01T10-00-00.000000';
      const rows = lls.map((ll, i) => ({ doc_id: i, doc: {}, target: ' end', arguments: [[`Story ${i} ends with the`, ' end']], resps: [[[String(ll), String(ll > -1)]]], filtered_resps: [[String(ll), String(ll > -1)]], perplexity: ll, acc: ll > -1 ? 1 : 0 }));
      writeFileSync(join(dir, `samples_lambada_openai_${stamp}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const headlines = (config: object, acc: number) => ({
        results: { lambada_openai: { alias: 'lambada_openai', 'perplexity,none': Math.exp(-lls.reduce((a, b) => a + b) / lls.length), 'acc,none': acc } },
        versions: { lambada_openai: 1 },
        configs: { lambada_openai: { task: 'lambada_openai', output_type: 'loglikelihood', ...config } },
      });
      const results = join(dir, `results_${stamp}.json`);
      const findings = async (config: object, acc = 0.5) => {
        writeFileSync(results, JSON.stringify(headlines(config, acc), null, 2));
        return (await readItems(results)).items.map((i) => (i.kind === 'aggregate' ? i.metric : i.kind));
      };
      // No metric_list (the output type's defaults), or perplexity named without an aggregation:
      // the registry's perplexity aggregation applies, and acc's mean.
      expect(await findings({})).toEqual(['acc']);
      expect(await findings({ metric_list: [{ metric: 'perplexity' }, { metric: 'acc' }] })).toEqual(['acc']);
      // An aggregation the config names is what counts, "mean" included.
      expect(await findings({ metric_list: [{ metric: 'perplexity', aggregation: 'mean' }, { metric: 'acc', aggregation: 'median' }] })).toEqual(['perplexity']);
      // End to end: no finding on the honest run; a headline acc off its samples' mean is found.
      await findings({});
      expect([...(await audit([dir], { rules: defaultRuleSet })).findings].filter((f) => f.severity !== 'info')).toEqual([]);
      await findings({}, 0.75);
      expect([...(await audit([dir], { rules: defaultRuleSet })).findings].map((f) => [f.ruleId, f.recordId, f.expected])).toEqual([['metric-mismatch', 'lambada_openai', 0.5]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lm-eval samples: request types and filters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-lmeval-rows-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rowsFile = (name: string, rows: object[]) => {
    const file = join(dir, name);
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return file;
  };
  const args = (...pairs: unknown[][]) => Object.fromEntries(pairs.map((p, i) => [`gen_args_${i}`, Object.fromEntries(p.map((a, j) => [`arg_${j}`, a]))]));

  it('loglikelihood_rolling: one record per doc, its whole text as the completion', async () => {
    const file = rowsFile('samples_wikitext_2024-06-01T12-00-00.jsonl', [
      { doc_id: 0, doc: {}, target: 'The text.', arguments: args(['The text.']), resps: [['-31.5']], filtered_resps: ['-31.5'], filter: 'none', metrics: ['word_perplexity'], word_perplexity: ['-31.5', 2] },
    ]);
    const records = await readRecords(file);
    expect(records.map(({ run: _run, ...r }) => r)).toEqual([{ id: '0', group: '0', completion: 'The text.', score: -31.5, task: 'wikitext' }]);
  });

  it('acc_mutual_info: the unconditional requests are records, not candidates of the doc', async () => {
    const file = rowsFile('samples_mi_2024-06-01T12-00-00.jsonl', [
      {
        doc_id: 3, doc: {}, target: '1',
        arguments: args(['Q:', ' yes'], ['Q:', ' no'], ['', ' yes'], ['', ' no']),
        resps: [[['-2.0', 'False']], [['-1.0', 'True']], [['-3.0', 'False']], [['-0.5', 'False']]],
        filtered_resps: [['-2.0', 'False'], ['-1.0', 'True'], ['-3.0', 'False'], ['-0.5', 'False']],
        filter: 'none', metrics: ['acc', 'acc_mutual_info'], acc: 1.0, acc_mutual_info: 1.0,
      },
    ]);
    const records = await readRecords(file);
    expect(records.map((r) => [r.id, r.group, r.gold, r.choice_index])).toEqual([
      ['3/0', '3', false, 0],
      ['3/1', '3', true, 1],
      ['3/unconditional/0', undefined, undefined, undefined],
      ['3/unconditional/1', undefined, undefined, undefined],
    ]);
  });

  it('a filter other than none: one group per doc and filter, metrics named as the results file names them', async () => {
    const row = (filter: string, acc: number) => ({
      doc_id: 0, doc: {}, target: '0', arguments: args(['Q:', ' a'], ['Q:', ' b']),
      resps: [[['-1.0', 'True']], [['-2.0', 'False']]], filtered_resps: [['-1.0', 'True'], ['-2.0', 'False']],
      filter, metrics: ['acc'], acc,
    });
    const records = await readRecords(rowsFile('samples_f_2024-06-01T12-00-00.jsonl', [row('none', 1), row('maj@8', 1)]));
    expect(records.map((r) => [r.id, r.group, r.metrics])).toEqual([
      ['0/0', '0', { acc: 1 }],
      ['0/1', '0', { acc: 1 }],
      ['0@maj@8/0', '0@maj@8', { 'acc,maj@8': 1 }],
      ['0@maj@8/1', '0@maj@8', { 'acc,maj@8': 1 }],
    ]);
  });
});

describe('the accuracy tally of a task that records only acc_norm (the Open LLM Leaderboard bbh, gpqa, musr)', () => {
  // arc_easy's first sample without its acc: the highest total (" dry palms") is gold, the highest
  // total per character (" palms covered with lotion") is not, so an honest acc_norm is 0.
  const sample = (accNorm: number) => {
    const [first] = readFileSync(fixture('lm-eval/samples_arc_easy_2024-06-01T12-00-00.123456.jsonl'), 'utf8').split('\n');
    const { acc: _acc, ...row } = JSON.parse(first) as Record<string, unknown>;
    return { ...row, metrics: ['acc_norm'], acc_norm: accNorm };
  };

  it('tallies the recorded acc_norm against the length-normalised pick', async () => {
    const result = await audit([writeJsonl([sample(0)], 'samples_leaderboard_x_2024-06-01T12-00-00.jsonl')], { rules: defaultRuleSet });
    expect([...result.findings]).toEqual([]);
    expect(result.summary.accuracy).toEqual({ groups: 1, recorded: 0, recomputed: 0, changed: 0 });
  });

  it('counts a wrong acc_norm as a changed answer (and metric-mismatch finds it)', async () => {
    const result = await audit([writeJsonl([sample(1)], 'samples_leaderboard_x_2024-06-01T12-00-00.jsonl')], { rules: defaultRuleSet });
    expect([...result.findings].map((f) => f.ruleId)).toEqual(['metric-mismatch']);
    expect(result.summary.accuracy).toEqual({ groups: 1, recorded: 1, recomputed: 0, changed: 1 });
  });
});
