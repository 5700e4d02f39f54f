import { describe, expect, it } from 'vitest';
import { adapters, containerOf } from '../../src/ingest/index.js';
import { readJsonDocument, readJsonLines } from '../../src/ingest/rows.js';
import { validateRecord } from '../../src/ingest/validate.js';
import { fixture, readItems, readRecords, sum } from './read.js';

/** Each fixture and the one native adapter that must claim it. */
const CASES: [string, string][] = [
  ['lm-eval/samples_arc_easy_2024-06-01T12-00-00.123456.jsonl', 'lm-eval-samples'],
  ['lm-eval/pretrained__gpt2_hellaswag.json', 'lm-eval-samples'],
  ['lm-eval/results_2024-06-01T12-00-00.123456.json', 'lm-eval-results'],
  ['openai-completions/echo.jsonl', 'openai-completions'],
  ['openai-completions/bare-response.json', 'openai-completions'],
  ['openai-chat/responses.jsonl', 'openai-chat'],
  ['openai-chat/api-reference-example.json', 'openai-chat'],
  ['vllm/request_outputs.jsonl', 'vllm'],
  ['vllm/bare-request-output.json', 'vllm'],
  ['inspect/target-perplexity.json', 'inspect'],
  ['inspect/log_formats.json', 'inspect'],
  ['helm/separate/scenario_state.json', 'helm'],
  ['helm/joint/scenario_state.json', 'helm'],
  ['helm/separate/stats.json', 'helm-run-file'],
  ['lm-eval-v03/arc_easy_write_out_info.json', 'lm-eval-v03'],
  ['openai-completions/local-completions.jsonl', 'openai-completions'],
  ['openai-completions/stop-sequence.jsonl', 'openai-completions'],
  ['openai-chat/vllm-eos.jsonl', 'openai-chat'],
  ['vllm-server/completions.jsonl', 'vllm-server'],
  ['vllm-server/chat-bare.json', 'vllm-server'],
  ['tgi/generate.jsonl', 'tgi'],
  ['tgi/test_bloom_560m.json', 'tgi'],
  ['tgi/test_bloom_560m_all_params.json', 'tgi'],
  ['llama-cpp/completion.jsonl', 'llama-cpp'],
  ['llama-cpp/bare-response.json', 'llama-cpp'],
  ['canonical/transformers-transition-scores.jsonl', 'canonical'],
];

async function firstValue(file: string): Promise<unknown> {
  const rows = containerOf(file) === 'jsonl' ? readJsonLines(file) : readJsonDocument(file);
  for await (const row of rows) if (row.error === undefined) return row.value;
  throw new Error(`no readable row in ${file}`);
}

describe('format detection', () => {
  it.each(CASES)('%s is read as %s, and no other adapter before canonical claims it', async (rel, expected) => {
    const file = fixture(rel);
    const first = await firstValue(file);
    const claiming = adapters.filter((a) => a.name !== 'canonical' && a.detect(first, file)).map((a) => a.name);
    expect(claiming).toEqual(expected === 'canonical' ? [] : [expected]);
    const { format, items } = await readItems(file);
    expect(format).toBe(expected);
    expect(items.every((i) => i.kind !== 'invalid')).toBe(true);
  });

  it('lists the native adapters before canonical, which wrapped rows (id + score) would also match', () => {
    const names = adapters.map((a) => a.name);
    expect(names.at(-1)).toBe('canonical');
    expect(names).toEqual(expect.arrayContaining(['lm-eval-samples', 'lm-eval-results', 'openai-completions', 'openai-chat', 'vllm', 'vllm-server', 'tgi', 'llama-cpp', 'mapped']));
  });

  it('never detects the mapped format from content', async () => {
    const mapped = adapters.find((a) => a.name === 'mapped')!;
    for (const [rel] of CASES) expect(mapped.detect(await firstValue(fixture(rel)), fixture(rel))).toBe(false);
  });

  it('answers an unsupported file with one invalid item that lists the supported formats', async () => {
    const { format, items } = await readItems(fixture('unsupported/predictions.jsonl'));
    expect(format).toBeNull();
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item.kind).toBe('invalid');
    if (item.kind !== 'invalid') return;
    expect(item.line).toBe(1);
    for (const name of ['lm-eval-samples', 'lm-eval-results', 'openai-completions', 'openai-chat', 'vllm', 'vllm-server', 'tgi', 'llama-cpp', 'canonical']) {
      expect(item.message).toContain(name);
    }
  });
});

describe('every record an adapter makes is a valid canonical record', () => {
  // (Inspect's own test log has no log-probs: its one sample is skipped, so it makes no record.)
  it.each(CASES.filter(([rel, f]) => f !== 'lm-eval-results' && f !== 'helm-run-file' && rel !== 'inspect/log_formats.json'))('%s', async (rel) => {
    const records = await readRecords(fixture(rel));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(validateRecord(r), `${rel} ${r.id}`).toBeNull();
  });
});

describe('canonical: the transformers compute_transition_scores example (gpt2, "Today is")', () => {
  it('validates, and its score is the sum of its per-token log-probs', async () => {
    const [r] = await readRecords(fixture('canonical/transformers-transition-scores.jsonl'));
    expect(r.token_ids).toEqual([262, 1110, 618, 356, 460]);
    expect(r.logprobs).toEqual([-1.414, -2.609, -2.01, -1.859, -2.508]);
    expect(r.score).toBeCloseTo(sum(r.logprobs!), 9);
  });
});
