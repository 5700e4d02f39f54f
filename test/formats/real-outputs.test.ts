/**
 * Published outputs of real harnesses and servers whose shapes drew false errors (provenance in
 * each fixture folder's README): a HELM suite with its helm-summarize files and clients that
 * return no log-probs, an lm-eval v0.3 write_out whose `acc` is a bool's text, and TGI's
 * OpenAI-compatible responses requested without log-probs. Each must pass the default gate, with
 * every row accounted for, and the checks that can run must run.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import { WITHOUT_LOGPROBS, STREAM_CLOSE } from '../../src/ingest/formats/wrapper.js';
import { SPECIAL_TOKEN_EVENT } from '../../src/ingest/formats/tgi.js';
import { FIRST_REQUEST_SKIP, GENERATIVE_SKIP } from '../../src/ingest/formats/lm-eval-samples.js';
import { editJson } from './audit-files.js';
import { fixture, readItems } from './read.js';
import { capturedOutput } from '../helpers/captured-output.js';

const REAL = join(__dirname, '../fixtures/real');
const HELM_SUITE = join(REAL, 'helm/v3');
const TOGETHER = join(HELM_SUITE, 'simple_safety_tests:model=qwen_qwen2-72b-instruct');
const VERTEX = join(HELM_SUITE, 'bbq:subject=all,method=multiple_choice_joint,model=google_gemini-1.5-pro-001');
const WINOGRANDE_V03 = join(REAL, 'lm-eval-v03/llama13/winogrande_write_out_info.json');
const NO_LOGPROBS = fixture('tgi/no-logprobs');

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});
function copyOf(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-real-'));
  scratch.push(dir);
  cpSync(src, dir, { recursive: true });
  return dir;
}

const errorsAndWarnings = async (paths: string[]) => [...(await audit(paths, { rules: defaultRuleSet })).findings].filter((f) => f.severity !== 'info');

describe('a real HELM suite (helm-run and helm-summarize output)', () => {
  it('reads every helm-summarize file as a suite summary, each row skipped with why, none unrecognised', async () => {
    const summaries = ['summary.json', 'runs.json', 'run_specs.json', 'groups.json', 'groups_metadata.json', 'schema.json', 'runs_to_run_suites.json', 'costs.json', 'groups/bbq.json', 'groups/json/bbq_bbq_subject_all.json'];
    for (const f of summaries) {
      const { format, items } = await readItems(join(HELM_SUITE, f));
      expect(format, f).toBe('helm-run-file');
      expect(items.length, f).toBeGreaterThan(0);
      for (const item of items) expect(item, f).toMatchObject({ kind: 'skipped', reason: 'HELM suite summary (helm-summarize): no log-probs' });
    }
  });

  it('skips a completion without tokens (Vertex AI: tokens [], logprob 0): no probability-sum or degenerate-scores on its 0', async () => {
    const { items } = await readItems(join(VERTEX, 'scenario_state.json'));
    expect(items.map((i) => i.kind === 'skipped' && i.reason)).toEqual(['completion without tokens (a client without log-probs)', 'completion without tokens (a client without log-probs)']);
  });

  it("reads the Together chat client's per-token log-probs without its placeholder logprob 0.0 as the score", async () => {
    const { items } = await readItems(join(TOGETHER, 'scenario_state.json'));
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(item.kind).toBe('record');
      if (item.kind !== 'record') continue;
      expect(item.record.score).toBeUndefined();
      expect(item.record.logprobs!.length).toBeGreaterThan(300);
    }
  });

  it('a recorded sequence log-prob that is not 0 is still the score, and checked: one 20 below the tokens\' sum is found', async () => {
    const dir = copyOf(TOGETHER);
    editJson(join(dir, 'scenario_state.json'), (v) => {
      const c = v.request_states[0].result.completions[0];
      c.logprob = c.tokens.reduce((s: number, t: { logprob: number }) => s + t.logprob, 0) - 20;
    });
    // The other record's values lie on the float16 grid (the Together model's): the file's one low-precision warning.
    expect((await errorsAndWarnings([dir])).map((f) => [f.ruleId, f.recordId])).toEqual([['score-mismatch', 'id26'], ['low-precision', 'id86']]);
  });

  describe('the whole suite through the CLI', () => {
    const io = capturedOutput();

    it('passes the default gate: exit 0, no error, every file read by a HELM reader; the Together values are float16 (one warning)', async () => {
      expect(await main(['audit', HELM_SUITE, '--format', 'json'])).toBe(0);
      expect(io.err).toBe('');
      const result = await audit([HELM_SUITE], { rules: defaultRuleSet });
      expect([...result.findings].map((f) => [f.ruleId, f.severity, f.recordId, (f.evidence?.grid as { format?: string } | null)?.format])).toEqual([['low-precision', 'warning', 'id26', 'float16']]);
      expect(result.summary.invalid).toBe(0);
      expect(new Set(result.files.map((f) => f.format))).toEqual(new Set(['helm', 'helm-run-file']));
      expect(result.summary.audited).toBe(2);
    });
  });
});

describe('a real lm-eval v0.3 write_out: winogrande', () => {
  it('reads acc written "True" / "False" as 1 / 0, so the accuracy check runs and agrees', async () => {
    const result = await audit([WINOGRANDE_V03], { rules: defaultRuleSet });
    expect([...result.findings].filter((f) => f.severity !== 'info')).toEqual([]);
    expect(result.summary.accuracy).toMatchObject({ groups: 20, recorded: 13 / 20, recomputed: 13 / 20, changed: 0 });
  });

  it('a pick written against the log-likelihoods is found', async () => {
    const dir = copyOf(join(REAL, 'lm-eval-v03'));
    editJson(join(dir, 'llama13/winogrande_write_out_info.json'), (v) => (v[0].acc = v[0].acc === 'True' ? 'False' : 'True'), 4);
    expect((await errorsAndWarnings([dir])).map((f) => f.ruleId)).toContain('metric-mismatch');
  });
});

describe("TGI's OpenAI-compatible responses requested without log-probs", () => {
  it('are known formats whose choices are skipped with why, a stream usage chunk too: nothing unrecognised, no error', async () => {
    const reasons: Record<string, [string | null, (string | false)[]]> = {};
    for (const f of ['test_flash_llama_simple.json', 'test_flash_llama_completion_single_prompt.json', 'test_chat_openai_usage.json']) {
      const { format, items } = await readItems(join(NO_LOGPROBS, f));
      reasons[basename(f)] = [format, items.map((i) => i.kind === 'skipped' && i.reason)];
    }
    expect(reasons).toEqual({
      'test_flash_llama_simple.json': ['openai-chat', [WITHOUT_LOGPROBS]],
      'test_flash_llama_completion_single_prompt.json': ['openai-completions', [WITHOUT_LOGPROBS]],
      'test_chat_openai_usage.json': ['openai-chat', [WITHOUT_LOGPROBS, WITHOUT_LOGPROBS, STREAM_CLOSE, "a stream's usage chunk (no choices)"]],
    });
    expect(await errorsAndWarnings([NO_LOGPROBS])).toEqual([]);
  });

  it('a choice whose logprobs is neither null nor a log-prob object is still an unreadable row', async () => {
    const dir = copyOf(NO_LOGPROBS);
    // A second choice beside the first (requested without log-probs): the file is still known.
    editJson(join(dir, 'test_flash_llama_simple.json'), (v) => v.choices.push({ ...v.choices[0], index: 1, logprobs: 'yes' }));
    expect((await errorsAndWarnings([join(dir, 'test_flash_llama_simple.json')])).map((f) => [f.ruleId, f.message])).toEqual([
      ['invalid-record', expect.stringMatching(/logprobs is not \{content/)],
    ]);
  });
});

describe("lm-eval samples of the development branch's mid-2023 layout", () => {
  it('a row whose arguments keep only the first request is skipped with why; a flat generation request is generative', async () => {
    const dir = join(REAL, 'lm-eval-dev-2023');
    const reasons: Record<string, [string | null, (string | false)[]]> = {};
    for (const f of ['_winogrande.jsonl', '_mathqa.jsonl', 'pretrained=EleutherAI__pythia-2.8b_trivia_qa_unfiltered.nocontext.jsonl']) {
      const { format, items } = await readItems(join(dir, f));
      reasons[f] = [format, items.map((i) => i.kind === 'skipped' && i.reason)];
    }
    expect(reasons).toEqual({
      '_winogrande.jsonl': ['lm-eval-samples', [FIRST_REQUEST_SKIP, FIRST_REQUEST_SKIP]],
      '_mathqa.jsonl': ['lm-eval-samples', [FIRST_REQUEST_SKIP, FIRST_REQUEST_SKIP]],
      'pretrained=EleutherAI__pythia-2.8b_trivia_qa_unfiltered.nocontext.jsonl': ['lm-eval-samples', [GENERATIVE_SKIP, GENERATIVE_SKIP]],
    });
    expect(await errorsAndWarnings([dir])).toEqual([]);
  });
});

describe('responses of real inference servers', () => {
  const SERVERS = join(REAL, 'servers');

  it("finds a server's token log-probs that its own top-k list contradicts (llama-cpp-python's sort-index bug)", async () => {
    const findings = await errorsAndWarnings([join(SERVERS, 'llama-cpp-python-pr453.json')]);
    expect(findings.map((f) => [f.ruleId, f.recordId, f.recorded, f.expected])).toEqual([['invalid-logprob', 'cmpl-caa5cef2-ae2f-4157-8323-2dc644bb6308/0', -19.985351200841283, -2.2789093215688228]]);
    expect(findings[0].message).toMatch(/its own top-k list gives that token -2\.27891/);
  });

  it('the fixed response (each value its top-k entry) draws nothing; a value its list gives to another token is no contradiction', async () => {
    const dir = copyOf(SERVERS);
    const file = join(dir, 'llama-cpp-python-pr453.json');
    editJson(file, (v) => {
      const lp = v.choices[0].logprobs;
      lp.token_logprobs = lp.top_logprobs.map((t: Record<string, number>, i: number) => t[lp.tokens[i]]);
    }, 1);
    expect(await errorsAndWarnings([file])).toEqual([]);
    // A step's list that does not hold the step's token says nothing of its value.
    editJson(file, (v) => (v.choices[0].logprobs.top_logprobs[0] = { '"': -0.5 }), 1);
    expect(await errorsAndWarnings([file])).toEqual([]);
  });

  it("finds llama-server's placeholder log-probs under speculative decoding (0 and no alternatives after the first token), not the same server's honest 0s", async () => {
    const findings = await errorsAndWarnings([join(SERVERS, 'llama-server-speculative.json')]);
    expect(findings.map((f) => [f.ruleId, f.recordId, f.recorded, f.expected])).toEqual([['invalid-logprob', 'chatcmpl-speculative/0', 0, null]]);
    expect(findings[0].message).toMatch(/step 1 \(","\) is 0 with no top-k list, where step 0 lists 1: .* \(5 of the 6 steps;/);
    // Without speculation the same server sends two exact 0s too, each with its alternatives.
    expect(await errorsAndWarnings([join(SERVERS, 'llama-server-unspeculated.json')])).toEqual([]);
  });

  it("reads a chat reply's legacy log-probs beside content: null (Together's positive first log-prob), not as a reply without log-probs", async () => {
    const findings = await errorsAndWarnings([join(SERVERS, 'together-chat-legacy-logprobs.jsonl')]);
    expect(findings.map((f) => [f.ruleId, f.recordId, f.recorded])).toEqual([
      ['invalid-logprob', 'run1/0', 0.69970703],
      ['invalid-logprob', 'run2/0', 0.09472656],
      ['invalid-logprob', 'run3/0', 0.09472656],
      ['invalid-logprob', 'run4/0', 0.69970703],
    ]);
    // content: null alone is still a reply requested without log-probs.
    const dir = copyOf(SERVERS);
    const file = join(dir, 'no-logprobs.json');
    writeFileSync(file, JSON.stringify({ id: 'r', object: 'chat.completion', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'x' }, logprobs: { content: null } }] }));
    const { format, items } = await readItems(file);
    expect([format, items.map((i) => i.kind === 'skipped' && i.reason)]).toEqual(['openai-chat', [WITHOUT_LOGPROBS]]);
  });

  it("reads TGI's /generate_stream events as records of their tokens; the special token a stream ends on is skipped", async () => {
    const file = join(SERVERS, 'tgi-generate-stream.jsonl');
    const { format, items } = await readItems(file);
    expect(format).toBe('tgi');
    expect(items.map((i) => i.kind === 'record' && [i.record.id, i.record.tokens, i.record.reference_logprobs])).toEqual([
      ['line-1', [' Deep'], [-0.97209036]],
      ['line-2', [' Learning'], [-0.3902701]],
      ['line-3', [' is'], [-0.568623]],
      ['line-4', [' a'], [-0.7765734]],
      ['line-5', [' new'], [-2.356847]],
    ]);
    expect(await errorsAndWarnings([file])).toEqual([]);
    const dir = copyOf(SERVERS);
    const eos = join(dir, 'eos.jsonl');
    writeFileSync(eos, JSON.stringify({ index: 6, token: { id: 2, text: '</s>', logprob: -0.1, special: true }, generated_text: ' Deep Learning is a new', details: { finish_reason: 'eos_token', generated_tokens: 6, seed: null } }));
    expect((await readItems(eos)).items.map((i) => i.kind === 'skipped' && i.reason)).toEqual([SPECIAL_TOKEN_EVENT]);
  });

  it("reads a chat stream's chunks, which share the response's id, as pieces of one reply: no duplicate id", async () => {
    const file = join(SERVERS, 'ik-llama-chat-stream.jsonl');
    const { format, items } = await readItems(file);
    expect(format).toBe('openai-chat');
    expect(items.map((i) => (i.kind === 'record' ? i.record.id : i.kind))).toEqual([1, 2, 3].map((line) => `chatcmpl-MYkLnTREwtUWGJxZnUlNHMwnmZmynREK/0@${line}`));
    expect(await errorsAndWarnings([file])).toEqual([]);
  });

  it("compares a value with its list's entry only where the list names the token unambiguously", async () => {
    const dir = copyOf(SERVERS);
    const file = join(dir, 'chat.json');
    const entry = (token: string, logprob: number) => ({ token, logprob, bytes: [...Buffer.from(token)] });
    const reply = (content: object[]) => ({ id: 'r', object: 'chat.completion', choices: [{ index: 0, finish_reason: 'length', message: { role: 'assistant', content: 'x' }, logprobs: { content } }] });
    const write = (v: object) => writeFileSync(file, JSON.stringify(v));
    // Byte-fallback pieces all read U+FFFD: which of the two entries is the token's is unknown.
    write(reply([{ ...entry('\uFFFD', -0.1), top_logprobs: [entry('\uFFFD', -2.5), entry('\uFFFD', -0.1)] }]));
    expect(await errorsAndWarnings([file])).toEqual([]);
    // Two entries of one text: ambiguous too. One entry of the token's text, 2.4 apart: found.
    write(reply([{ ...entry(' a', -0.1), top_logprobs: [entry(' a', -2.5), entry(' a', -0.1)] }]));
    expect(await errorsAndWarnings([file])).toEqual([]);
    write(reply([{ ...entry(' a', -0.1), top_logprobs: [entry(' b', -0.05), entry(' a', -2.5)] }]));
    expect((await errorsAndWarnings([file])).map((f) => [f.ruleId, f.recorded, f.expected])).toEqual([['invalid-logprob', -0.1, -2.5]]);
  });
});
