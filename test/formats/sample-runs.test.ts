/**
 * Each committed native-format sample run (sample-runs/formats/) holds clean records that
 * reproduce from their own payload plus exactly the one planted bug its README entry promises.
 * (That the files are what scripts/samples/formats/ writes is test/samples.test.ts's.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRuleSet } from '../../rules/index.js';
import { audit } from '../../src/engine/index.js';
import type { AuditRecord } from '../../src/types.js';
import { readRecords, sum } from './read.js';

const ROOT = join(__dirname, '../../sample-runs/formats');
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
const reproduces = (r: AuditRecord) => close(r.score as number, sum(r.reference_logprobs!));

describe('sample runs', () => {
  it('openai-completions-echo: one score also counts the last context token', async () => {
    const records = await readRecords(join(ROOT, 'openai-completions-echo/responses.jsonl'));
    const bad = records.filter((r) => !reproduces(r));
    expect(bad.map((r) => r.id)).toEqual(['e1-c2']);
    expect(bad[0].score).toBeCloseTo(sum(bad[0].reference_logprobs!) + (bad[0].context_logprobs!.at(-1) as number), 9);
  });

  it('openai-chat: one score summed the -9999.0 sentinel', async () => {
    const records = await readRecords(join(ROOT, 'openai-chat/responses.jsonl'));
    const withSentinel = records.filter((r) => r.logprobs!.includes(-9999));
    expect(withSentinel.map((r) => r.id)).toEqual(['chat-2']);
    expect(withSentinel[0].score).toBeCloseTo(sum(withSentinel[0].logprobs!), 9);
    expect(records.filter((r) => r.id !== 'chat-2').every(reproduces)).toBe(true);
  });

  it('vllm: one score was built from the rank-1 entries', async () => {
    const records = await readRecords(join(ROOT, 'vllm/request_outputs.jsonl'));
    const bad = records.filter((r) => !reproduces(r));
    expect(bad.map((r) => r.id)).toEqual(['v1-c1']);
    expect(bad[0].score).toBeCloseTo(sum(bad[0].top_logprobs!.map((l) => l![0].logprob)), 9);
  });

  it('lm-eval: one doc recorded acc from the lowest total', async () => {
    const records = await readRecords(join(ROOT, 'lm-eval/samples_synth_mc_2026-01-15T09-30-00.000000.jsonl'));
    const docs = new Map<string, AuditRecord[]>();
    for (const r of records) docs.set(String(r.group), [...(docs.get(String(r.group)) ?? []), r]);
    const wrong: string[] = [];
    for (const [doc, members] of docs) {
      const best = members.reduce((a, b) => ((b.score as number) > (a.score as number) ? b : a));
      if ((best.gold ? 1 : 0) !== members[0].metrics!.acc) wrong.push(doc);
    }
    expect(wrong).toEqual(['3']);
  });

  it('every folder whose README row names a record or item holds that one finding, with the promised rule, and no other', async () => {
    const rows: { folder: string; id: string; rule: string }[] = [];
    for (const line of readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n')) {
      const m = /^\| ([\w-]+)\/ \| [^|]+ \| ([\w-]+): [^|]+ \| ([\w-]+) \|$/.exec(line);
      if (m) rows.push({ folder: m[1], id: m[2], rule: m[3] });
    }
    expect(rows.map((r) => r.folder)).toEqual(expect.arrayContaining(['vllm-server', 'tgi', 'llama-cpp']));
    const result = await audit([ROOT], { rules: defaultRuleSet });
    for (const { folder, id, rule } of rows) {
      const here = [...result.findings].filter((f) => f.file.includes(`/formats/${folder}/`));
      // A row names a record, or an item (a group) when the finding is about the item's pick.
      const named = (f: (typeof here)[number]) => (String(f.group) === id ? id : String(f.recordId));
      expect(here.map((f) => [named(f), f.ruleId]), folder).toEqual([[id, rule]]);
    }
  });
});

describe('sample runs of the harness formats', () => {
  it('each holds its one planted bug', async () => {
    const { audit } = await import('../../src/engine/index.js');
    const { defaultRuleSet } = await import('../../rules/index.js');
    const planted: Record<string, [string, string][]> = {
      inspect: [['length-mismatch', '4/sum_log_probs'], ['score-mismatch', '4']],
      helm: [['metric-mismatch', 'id102/1']],
      lighteval: [['probability-product', '3/0'], ['probability-product', '3/1'], ['probability-product', '3/2'], ['probability-product', '3/3']],
      'lm-eval-v03': [['metric-mismatch', '1/2']],
    };
    for (const dir of Object.keys(planted)) {
      const { findings } = await audit([join(ROOT, dir)], { rules: defaultRuleSet });
      expect([...findings].map((f) => [f.ruleId, String(f.recordId)]), dir).toEqual(planted[dir]);
    }
  });
});
