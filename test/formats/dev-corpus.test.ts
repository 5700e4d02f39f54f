/**
 * The adapters against the shared dev corpus of native runs (skipped when it is not there):
 * for every record labelled clean, the recorded score must be the sum of the continuation's
 * reference log-probs, which is only true when the continuation was sliced right. Records of
 * known bugs check the slice boundaries from the other side (the context token before it, the
 * generated token after it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileItems } from '../../src/ingest/index.js';
import type { AuditRecord } from '../../src/types.js';

const CORPUS = resolve(process.env.EVALAUDIT_DEV_CORPUS ?? join(__dirname, '../../../shared/dev-corpus'), 'formats');
const present = existsSync(join(CORPUS, 'labels.jsonl'));

interface Label {
  file: string;
  id: string;
  bug: string;
  kind?: string;
}

async function records(rel: string): Promise<{ format: string | null; records: AuditRecord[]; invalid: number }> {
  const reading = await readFileItems(join(CORPUS, 'runs', rel));
  const out: AuditRecord[] = [];
  let invalid = 0;
  for await (const item of reading.items) {
    if (item.kind === 'record') out.push(item.record);
    else if (item.kind === 'invalid') invalid++;
  }
  return { format: reading.format, records: out, invalid };
}

function labels(): Map<string, Label> {
  const map = new Map<string, Label>();
  for (const line of readFileSync(join(CORPUS, 'labels.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const l = JSON.parse(line) as Label;
    if (l.kind === undefined) map.set(`${l.file}#${l.id}`, l);
  }
  return map;
}

function sum(v: readonly (number | null)[]): number {
  let s = 0;
  for (const x of v) s += x as number;
  return s;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}

/** Per bug: how many labelled records have their score equal to `expected(record)`. */
function tally(file: string, recs: AuditRecord[], expected: Record<string, (r: AuditRecord) => number>) {
  const labelled = labels();
  const out: Record<string, { total: number; reproduced: number }> = {};
  for (const r of recs) {
    const label = labelled.get(`${file}#${r.id}`);
    if (!label || !(label.bug in expected)) continue;
    const t = (out[label.bug] ??= { total: 0, reproduced: 0 });
    t.total++;
    if (close(r.score as number, expected[label.bug](r))) t.reproduced++;
  }
  return out;
}

const ref = (r: AuditRecord) => sum(r.reference_logprobs!);
const lastContext = (r: AuditRecord) => r.context_logprobs![r.context_logprobs!.length - 1] as number;

describe.skipIf(!present)('dev corpus: continuation slicing', () => {
  it('openai completions (echo): clean scores are the continuation sum; bugs sit just outside it', async () => {
    const file = 'openai-completions-echo/responses.jsonl';
    const { format, records: recs, invalid } = await records(file);
    expect(format).toBe('openai-completions');
    expect(invalid).toBe(0);
    const t = tally(file, recs, {
      clean: ref,
      includes_context_token: (r) => ref(r) + lastContext(r),
      includes_generated_token: (r) => ref(r) + (r.trailing_logprobs![0] as number),
      drops_last_token: (r) => ref(r) - (r.reference_logprobs!.at(-1) as number),
    });
    console.log('openai-completions-echo', JSON.stringify(t));
    for (const bug of Object.values(t)) expect(bug.reproduced).toBe(bug.total);
    expect(t.clean.total).toBeGreaterThan(0);
  });

  it('vllm: clean scores are the continuation sum; bugs sit just outside it or on rank 1', async () => {
    const file = 'vllm/request_outputs.jsonl';
    const { format, records: recs, invalid } = await records(file);
    expect(format).toBe('vllm');
    expect(invalid).toBe(0);
    const t = tally(file, recs, {
      clean: ref,
      includes_context_token: (r) => ref(r) + lastContext(r),
      drops_last_token: (r) => ref(r) - (r.reference_logprobs!.at(-1) as number),
      argmax_gathered: (r) => sum(r.top_logprobs!.map((l) => l![0].logprob)),
    });
    console.log('vllm', JSON.stringify(t));
    for (const bug of Object.values(t)) expect(bug.reproduced).toBe(bug.total);
    expect(t.clean.total).toBeGreaterThan(0);
  });

  it('openai chat: clean scores are the sum of the reply; sentinel bugs are the sum with -9999 kept', async () => {
    const file = 'openai-chat/responses.jsonl';
    const { format, records: recs, invalid } = await records(file);
    expect(format).toBe('openai-chat');
    expect(invalid).toBe(0);
    const t = tally(file, recs, { clean: ref, sentinel_summed: (r) => sum(r.logprobs!) });
    console.log('openai-chat', JSON.stringify(t));
    for (const bug of Object.values(t)) expect(bug.reproduced).toBe(bug.total);
    expect(t.clean.total).toBeGreaterThan(0);
  });

  it('lm-eval samples: clean docs recompute their acc and acc_norm from scores, gold and norm_length', async () => {
    const labelled = labels();
    for (const file of ['lm-eval/samples_arc_sim_2026-11-20T10-00-00.000000.jsonl', 'lm-eval/samples_hellaswag_sim_2026-11-20T10-00-00.000000.jsonl']) {
      const { format, records: recs, invalid } = await records(file);
      expect(format).toBe('lm-eval-samples');
      expect(invalid).toBe(0);
      const groups = new Map<string, AuditRecord[]>();
      for (const r of recs) groups.set(String(r.group), [...(groups.get(String(r.group)) ?? []), r]);
      let clean = 0;
      let agree = 0;
      for (const [group, members] of groups) {
        if (labelled.get(`${file}#${group}`)?.bug !== 'clean') continue;
        clean++;
        const best = (key: (r: AuditRecord) => number) => members.reduce((a, b) => (key(b) > key(a) ? b : a));
        const acc = best((r) => r.score as number).gold ? 1 : 0;
        const accNorm = best((r) => (r.score as number) / r.norm_length!).gold ? 1 : 0;
        if (acc === members[0].metrics!.acc && accNorm === members[0].metrics!.acc_norm) agree++;
      }
      console.log(file, JSON.stringify({ clean, agree }));
      expect(clean).toBeGreaterThan(0);
      expect(agree).toBe(clean);
    }
  });

  it('lm-eval results: one aggregate per task and metric, at the line of its key', async () => {
    const reading = await readFileItems(join(CORPUS, 'runs', 'lm-eval/results_2026-11-20T10-00-00.000000.json'));
    expect(reading.format).toBe('lm-eval-results');
    const items = [];
    for await (const item of reading.items) items.push(item);
    expect(items).toEqual([
      expect.objectContaining({ kind: 'aggregate', task: 'arc_sim', metric: 'acc', value: 0.85, line: 5 }),
      expect.objectContaining({ kind: 'aggregate', task: 'hellaswag_sim', metric: 'acc', value: 0.69, line: 10 }),
    ]);
  });
});
