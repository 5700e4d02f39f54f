import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenText } from '../../src/ingest/formats/helm.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { brief, copyFixtures, editJson, findingsOf } from './audit-files.js';
import { fixture, readItems, readRecords } from './read.js';

const SEPARATE = fixture('helm/separate');

describe('HELM scenario_state.json', () => {
  it('makes one record per reference of a multiple_choice_separate request: the answer window at the end of the echo', async () => {
    const records = await readRecords(join(SEPARATE, 'scenario_state.json'));
    expect(records.map((r) => [r.id, r.group, r.tokens, r.score, r.gold, r.norm_length])).toEqual([
      ['id17/0', 'id17', ['Ġ4'], -1.5, true, 1],
      ['id17/1', 'id17', ['Ġfive'], -6, false, 1],
      ['id17/2', 'id17', ['Ġtwenty', 'Ġtwo'], -5.75, false, 2],
      ['id42/0', 'id42', ['Ġgreen'], -4.5, false, 1],
      ['id42/1', 'id42', ['Ġblue'], -1.75, true, 1],
    ]);
    // per_instance_stats.json is joined: exact_match, checked as HELM's length-normalised pick
    expect(records[0].metrics).toEqual({ exact_match: 1, acc_norm: 1 });
    expect(records[0].task).toBe('separate/test');
  });

  it('points each record at the line of its request state', async () => {
    const { items } = await readItems(join(SEPARATE, 'scenario_state.json'));
    const lines = items.map((i) => i.line);
    expect(new Set(lines).size).toBe(5);
    expect(lines[0]).toBeGreaterThan(1);
  });

  it('reads generations (multiple_choice_joint) with completion.logprob as the score and the old top_logprobs', async () => {
    const [r] = await readRecords(fixture('helm/joint/scenario_state.json'));
    expect(r).toMatchObject({ id: 'id3', tokens: [' A'], logprobs: [-0.2876821], score: -0.2876821, completion: ' A' });
    expect(r.top_logprobs![0]!.map((e) => e.token)).toEqual([' A', ' B', ' C', ' D', '\n']);
  });

  it('reads stats.json as aggregates and per_instance_stats.json / run_spec.json rows as skipped, each with why', async () => {
    expect((await readItems(join(SEPARATE, 'stats.json'))).items).toEqual([
      expect.objectContaining({ kind: 'aggregate', task: 'separate/test', metric: 'exact_match', value: 1 }),
      expect.objectContaining({ kind: 'skipped', reason: 'HELM stat of a sub-split or perturbation: not a headline number' }),
    ]);
    for (const f of ['per_instance_stats.json', 'run_spec.json']) {
      const { format, items } = await readItems(join(SEPARATE, f));
      expect(format).toBe('helm-run-file');
      expect(items.length).toBeGreaterThan(0);
      // Every row is accounted for: one skipped row each, none lost, none an error.
      for (const item of items) expect(item).toMatchObject({ kind: 'skipped', reason: expect.stringMatching(/^HELM /) });
    }
  });

  it("counts a skipped instance's exact_match once for the headline, not once per reference request", async () => {
    const dir = copyFixtures(SEPARATE);
    editJson(join(dir, 'scenario_state.json'), (v) => {
      for (const rs of v.request_states) for (const t of rs.result.completions[0].tokens) t.logprob = 0; // a client without log-probs
    });
    editJson(join(dir, 'per_instance_stats.json'), (v) => (v[0].stats.find((s: any) => s.name.name === 'exact_match').mean = 0));
    editJson(join(dir, 'stats.json'), (v) => (v[0].mean = 0.5));
    const { items } = await readItems(join(dir, 'scenario_state.json'));
    expect(items.map((i) => i.kind === 'skipped' && i.sample?.metrics)).toEqual([{ exact_match: 0 }, undefined, undefined, { exact_match: 1 }, undefined]);
    // 0.5 is the mean of the 2 instances; counted per request (3 + 2) it would be 0.4
    const result = await audit([dir], { rules: defaultRuleSet });
    expect(brief([...result.findings].filter((f) => f.severity !== 'info'))).toEqual([]);
    expect(result.summary.headlines).toBe(1);
  });

  it('undoes byte-level and SentencePiece token markers to find the answer', () => {
    expect(tokenText('Ġtwenty')).toBe(' twenty');
    expect(tokenText('Ċ')).toBe('\n');
    expect(tokenText('▁blue')).toBe(' blue');
    expect(tokenText('ĠcafÃ©')).toBe(' café');
    expect(tokenText('Ã©')).toBe('Ã©'); // no byte-level marker: read as written
  });

  it('a clean run folder gives no finding', async () => {
    expect(brief(await findingsOf([fixture('helm')]))).toEqual([]);
  });

  it.each([
    [
      'exact_match recorded from the lowest mean (per_instance_stats.json): the finding names scenario_state.json',
      (dir: string) => editJson(join(dir, 'separate/per_instance_stats.json'), (v) => (v[0].stats.find((s: any) => s.name.name === 'exact_match').mean = 0)),
      // the headline no longer matches its instances either
      [['metric-mismatch', 'id17/0', 'scenario_state.json'], ['metric-mismatch', 'separate/test', 'stats.json']],
    ],
    [
      'a headline exact_match that is not the mean of its instances',
      (dir: string) => editJson(join(dir, 'separate/stats.json'), (v) => (v[0].mean = 0.75)),
      [['metric-mismatch', 'separate/test', 'stats.json']],
    ],
    [
      'completion.logprob written as a probability',
      (dir: string) => editJson(join(dir, 'joint/scenario_state.json'), (v) => (v.request_states[1].result.completions[0].logprob = Math.exp(-0.1053605))),
      [['probability-product', 'id4', 'scenario_state.json']],
    ],
    [
      'a generated token whose value is not its log-prob in the top-k (the favourite gathered)',
      (dir: string) =>
        editJson(join(dir, 'joint/scenario_state.json'), (v) => {
          const c = v.request_states[0].result.completions[0];
          c.tokens[0].text = ' B';
          c.text = ' B';
        }),
      [['high-confidence-wrong-token', 'id3', 'scenario_state.json']],
    ],
  ])('finds %s', async (_what, plant, expected) => {
    const dir = copyFixtures(fixture('helm'));
    plant(dir);
    expect(brief(await findingsOf([dir]))).toEqual(expected);
  });
});

describe('HELM run folders encrypted by scripts/encrypt_scenario_states.py', () => {
  const ENCRYPTED = fixture('helm/encrypted');
  const REASON = 'reference text encrypted (HELM scripts/encrypt_scenario_states.py): its answer tokens cannot be told';

  it('skips encryption_data.json, the keys the script writes beside the scenario state', async () => {
    expect(await readItems(join(ENCRYPTED, 'encryption_data.json'))).toMatchObject({
      format: 'helm-run-file',
      items: [{ kind: 'skipped', reason: 'HELM encryption data (scripts/encrypt_scenario_states.py): keys, no log-probs' }],
    });
  });

  it("skips each echo request whose reference is encrypted, saying so; the instance's exact_match still counts once", async () => {
    const { items } = await readItems(join(ENCRYPTED, 'scenario_state.json'));
    expect(items.map((i) => (i.kind === 'skipped' ? [i.kind, i.recordId, i.reason, i.sample?.metrics] : [i.kind]))).toEqual([
      ['skipped', 'id17/0', REASON, { exact_match: 1 }],
      ['skipped', 'id17/1', REASON, undefined],
      ['skipped', 'id17/2', REASON, undefined],
      ['skipped', 'id42/0', REASON, { exact_match: 1 }],
      ['skipped', 'id42/1', REASON, undefined],
    ]);
  });

  it('an honest encrypted run: no finding, its headline checked; a planted headline is found', async () => {
    const result = await audit([ENCRYPTED], { rules: defaultRuleSet });
    expect(brief([...result.findings].filter((f) => f.severity !== 'info'))).toEqual([]);
    expect(result.summary.headlines).toBe(1);
    const dir = copyFixtures(ENCRYPTED);
    editJson(join(dir, 'stats.json'), (v) => (v[0].mean = 0.5));
    expect(brief(await findingsOf([dir]))).toEqual([['metric-mismatch', `${dir.split('/').pop()}/test`, 'stats.json']]);
  });

  it('a generation keeps its clear-text tokens (still audited), not the placeholder of its encrypted text', async () => {
    const dir = copyFixtures(fixture('helm/joint'));
    editJson(join(dir, 'scenario_state.json'), (v) => (v.request_states[0].result.completions[0].text = '[encrypted_text_7]'));
    const [r] = await readRecords(join(dir, 'scenario_state.json'));
    expect(r).toMatchObject({ id: 'id3', tokens: [' A'], score: -0.2876821 });
    expect(r.completion).toBeUndefined();
  });
});
