import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectEvalMembers } from '../../src/ingest/formats/inspect.js';
import { brief, copyFixtures, editJson, findingsOf } from './audit-files.js';
import { fixture, readItems, readRecords } from './read.js';

describe('Inspect AI logs', () => {
  it('checks a headline accuracy against samples without log-probs: skipped, yet their scores averaged', async () => {
    const log = fixture('inspect/popularity.json');
    const { items } = await readItems(log);
    expect(items.filter((i) => i.kind === 'skipped').map((i) => i.kind === 'skipped' && i.reason)).toEqual(Array(3).fill('sample without log-probs'));
    expect(brief(await findingsOf([log]))).toEqual([]);
    const dir = copyFixtures(fixture('inspect'));
    editJson(join(dir, 'popularity.json'), (v) => (v.results.scores[0].metrics.accuracy.value = 1));
    // Only this log's own samples count: log_formats.json beside it is another run of the same task.
    expect(brief(await findingsOf([dir])).filter(([rule]) => rule === 'metric-mismatch')).toEqual([['metric-mismatch', 'popularity', 'popularity.json']]);
  });

  it('reads the target_perplexity window from prompt_logprobs, in .json and zstd .eval alike', async () => {
    for (const f of ['inspect/target-perplexity.json', 'inspect/target-perplexity.eval']) {
      const records = await readRecords(fixture(f));
      expect(records.map((r) => [r.id, r.tokens, r.score, r.score_kind])).toEqual([
        [1, [' Paris', '.'], -0.875, 'mean_logprob'],
        ['1/sum_log_probs', [' Paris', '.'], -1.75, 'logprob'],
        [2, [' four'], -1.5, 'mean_logprob'],
        ['2/sum_log_probs', [' four'], -1.5, 'logprob'],
        ['q3', [' one', ' hundred', ' degrees'], -3.625 / 3, 'mean_logprob'],
        ['q3/sum_log_probs', [' one', ' hundred', ' degrees'], -3.625, 'logprob'],
      ]);
      expect(records[0]).toMatchObject({ context_logprobs: [-7.25, -6.5, -0.75, -2.5, -0.5], trailing_logprobs: [-0.5], task: 'completion_nll' });
    }
  });

  it('names each .eval sample by its position in the archive, and .json samples by their line', async () => {
    // Line 1 is header.json: no headline mean in this log, so a skipped row (every row is accounted for).
    const items = (await readItems(fixture('inspect/target-perplexity.eval'))).items;
    expect(items.map((i) => i.line)).toEqual([1, 2, 2, 3, 3, 4, 4]);
    expect(items[0]).toMatchObject({ kind: 'skipped', reason: 'Inspect log header without a headline mean to check' });
    const lines = (await readItems(fixture('inspect/target-perplexity.json'))).items.map((i) => i.line);
    expect(lines[0]).toBeGreaterThan(1);
    expect(lines[2]).toBeGreaterThan(lines[0]);
  });

  it('reads chat logprobs of the generated answer and the accuracy headline', async () => {
    const { format, items } = await readItems(fixture('inspect/mmlu-logprobs.eval'));
    expect(format).toBe('inspect');
    expect(items[0]).toMatchObject({ kind: 'aggregate', task: 'mmlu_0_shot', metric: 'choice/accuracy' });
    const r = items[2].kind === 'record' ? items[2].record : null;
    expect(r).toMatchObject({ id: 2, tokens: ['ANSWER', ':', ' C'], metrics: { 'choice/accuracy': 0 }, sentinel: -9999 });
  });

  it("reads Inspect's own test logs (no log-probs): samples are skipped with a reason", async () => {
    for (const f of ['inspect/log_formats.eval', 'inspect/log_formats.json']) {
      const { format, items } = await readItems(fixture(f));
      expect(format).toBe('inspect');
      expect(items.map((i) => i.kind)).toEqual(['aggregate', 'skipped']);
    }
  });

  it('reads the header first, then the samples, and no summaries', () => {
    expect(inspectEvalMembers(['_journal/start.json', 'samples/1_epoch_1.json', '_journal/summaries/1.json', 'summaries.json', 'reductions.json', 'header.json'])).toEqual([
      'header.json',
      'samples/1_epoch_1.json',
    ]);
    expect(inspectEvalMembers(['_journal/start.json', 'samples/a_epoch_2.json'])).toEqual(['_journal/start.json', 'samples/a_epoch_2.json']);
  });

  it('clean logs give no finding', async () => {
    expect(brief(await findingsOf([fixture('inspect')]))).toEqual([]);
  });

  const JSON_LOG = 'target-perplexity.json';
  it.each([
    [
      'a target window one token too long (the last context token scored)',
      (v: any) => {
        const s = v.samples[0].scores.target_perplexity;
        s.metadata.num_tokens = 3;
        s.metadata.sum_log_probs = -0.5 - 1.75;
        s.value = 2.25 / 3;
      },
      // window hypotheses are about sums: the mean over the wrong window is only a mismatch
      [['length-mismatch', '1/sum_log_probs'], ['score-mismatch', 1]],
    ],
    [
      'sum_log_probs written as a product of probabilities',
      (v: any) => (v.samples[2].scores.target_perplexity.metadata.sum_log_probs = Math.exp(-3.625)),
      [['probability-product', 'q3/sum_log_probs']],
    ],
    [
      'value holding the total NLL instead of the per-token mean',
      (v: any) => (v.samples[2].scores.target_perplexity.value = 3.625),
      [['normalization-mismatch', 'q3']],
    ],
  ])('finds %s', async (_what, plant, expected) => {
    const dir = copyFixtures(fixture('inspect'));
    editJson(join(dir, JSON_LOG), plant);
    expect(brief(await findingsOf([join(dir, JSON_LOG)])).map(([rule, id]) => [rule, id])).toEqual(expected);
  });

  it('finds a headline accuracy that is not the mean of the sample scores', async () => {
    const dir = copyFixtures(fixture('inspect'));
    editJson(join(dir, 'mmlu-logprobs.json'), (v) => (v.results.scores[0].metrics.accuracy.value = 1));
    expect(brief(await findingsOf([join(dir, 'mmlu-logprobs.json')]))).toEqual([['metric-mismatch', 'mmlu_0_shot', 'mmlu-logprobs.json']]);
  });
});
