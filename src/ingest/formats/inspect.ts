/**
 * Inspect AI eval logs (src/inspect_ai/log/_log.py `EvalLog`, `EvalSample`): a `.json` log is
 * one document with `eval`, `results` and `samples[]`; a `.eval` log is a zip with
 * `header.json` (the log without samples, written at the end), `_journal/start.json` (written at
 * the start: what a crashed run leaves), and one `samples/<id>_epoch_<n>.json` per sample
 * (src/inspect_ai/log/_recorders/eval.py).
 *
 * The numbers under audit are the scores Inspect computes from log-probs: `perplexity()` and
 * `target_perplexity()` (src/inspect_ai/scorer/_perplexity.py, _target_perplexity.py) score a
 * sample by the negative log-likelihood of its prompt tokens (all of them, or the trailing
 * target), read from `output.choices[0].prompt_logprobs.content[]` (vLLM's prompt log-probs,
 * BOS dropped): `value` = −Σ/n, `metadata.sum_log_probs` = Σ, `metadata.num_tokens` = n. A
 * sample that only requested `logprobs` has the OpenAI chat shape
 * `output.choices[0].logprobs.content[]` for its generated tokens, with no score over them.
 */
import { readFileSync } from 'node:fs';
import type { AuditRecord, RawItem, RecordId, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { elementLines } from '../element-lines.js';
import { OPENAI_SENTINEL } from './openai-chat.js';
import { invalid, isIntegerAtLeast, isObject, show, skipped } from './values.js';

const HEADER = 'header.json';
const START = '_journal/start.json';
const SAMPLE_MEMBER = /^samples\/.+_epoch_\d+\.json$/;

/** The members of a `.eval` archive to read, in order: the log header, then every sample. */
export function inspectEvalMembers(names: string[]): string[] {
  const header = names.includes(HEADER) ? [HEADER] : names.includes(START) ? [START] : [];
  return [...header, ...names.filter((n) => SAMPLE_MEMBER.test(n))];
}

function isLogHeader(v: unknown): v is Record<string, unknown> {
  return isObject(v) && isObject(v.eval) && typeof v.eval.task === 'string' && ('plan' in v || 'samples' in v || 'results' in v || 'status' in v);
}

function isSample(v: unknown): v is Record<string, unknown> {
  return isObject(v) && 'id' in v && 'epoch' in v && 'output' in v && ('scores' in v || 'messages' in v || 'input' in v);
}

/** Inspect's value_to_float (src/inspect_ai/scorer/_metric.py): the number `accuracy` and `mean` average. */
function valueToFloat(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') return null;
  if (v === 'C') return 1;
  if (v === 'P') return 0.5;
  if (v === 'I' || v === 'N') return 0;
  const t = v.toLowerCase();
  if (t === 'yes' || t === 'true') return 1;
  if (t === 'no' || t === 'false') return 0;
  const n = Number(t);
  return t.trim() !== '' && Number.isFinite(n) ? n : null;
}

/** Aggregates that are means of a per-sample value, keyed `<scorer>/<metric>`. */
const MEAN_METRICS = new Set(['accuracy', 'mean']);

interface LogState {
  task: string;
  epochs: number;
  /** `<scorer>/<metric>` → scorer name, for the per-sample values the headline averages. */
  averaged: Map<string, string>;
}

function logState(header: Record<string, unknown>): LogState {
  const spec = header.eval as Record<string, unknown>;
  const config = isObject(spec.config) ? spec.config : {};
  const epochs = isIntegerAtLeast(config.epochs, 1) ? config.epochs : 1;
  return { task: spec.task as string, epochs, averaged: new Map() };
}

/** The headline scores (`results.scores[].metrics`) that are plain means over samples. */
function aggregates(header: Record<string, unknown>, state: LogState, file: string, line: number): RawItem[] {
  const results = header.results;
  // With several epochs a reducer (mean, mode, max, pass_at_k…) comes between samples and the headline.
  if (!isObject(results) || !Array.isArray(results.scores) || state.epochs > 1) return [];
  const out: RawItem[] = [];
  for (const s of results.scores) {
    if (!isObject(s) || typeof s.name !== 'string' || !isObject(s.metrics)) continue;
    for (const key in s.metrics) {
      const m = s.metrics[key];
      if (!MEAN_METRICS.has(key) || !isObject(m) || typeof m.value !== 'number') continue;
      const metric = `${s.name}/${key}`;
      state.averaged.set(metric, s.name);
      out.push({ kind: 'aggregate', file, line, task: state.task, metric, value: m.value, run: file });
    }
  }
  return out;
}

interface LogprobEntries {
  tokens: string[];
  values: number[];
  top: TopLogprob[][];
}

/** `Logprobs.content[]`: {token, logprob, top_logprobs[{token, logprob}]}; a message when an entry is not one. */
function readContent(content: unknown[], where: string): LogprobEntries | string {
  const n = content.length;
  const out: LogprobEntries = { tokens: new Array(n), values: new Array(n), top: new Array(n) };
  for (let i = 0; i < n; i++) {
    const e = content[i];
    if (!isObject(e) || typeof e.token !== 'string' || typeof e.logprob !== 'number') return `${where}[${i}] is not {token, logprob}: ${show(e)}`;
    out.tokens[i] = e.token;
    out.values[i] = e.logprob;
    const list: TopLogprob[] = [];
    if (Array.isArray(e.top_logprobs)) {
      for (const t of e.top_logprobs) if (isObject(t) && typeof t.token === 'string' && typeof t.logprob === 'number') list.push({ token: t.token, logprob: t.logprob });
    }
    out.top[i] = list;
  }
  return out;
}

function contentOf(v: unknown): unknown[] | null {
  return isObject(v) && Array.isArray(v.content) ? v.content : null;
}

/** A perplexity-style score: a number with the token count and sum Inspect's scorers store. */
interface PerplexityScore {
  value: number;
  sum?: number;
  count?: number;
}

function perplexityScore(score: unknown): PerplexityScore | null {
  if (!isObject(score) || typeof score.value !== 'number' || !isObject(score.metadata)) return null;
  const md = score.metadata;
  if (!('sum_log_probs' in md) && !('num_tokens' in md)) return null;
  const out: PerplexityScore = { value: score.value };
  if (typeof md.sum_log_probs === 'number') out.sum = md.sum_log_probs;
  if (isIntegerAtLeast(md.num_tokens, 1)) out.count = md.num_tokens;
  return out;
}

/**
 * How many trailing prompt tokens the sample's target is. What the sample itself declares
 * (`metadata.num_target_tokens`, the input target_perplexity reads) wins over what the scorer
 * wrote, so a scorer that took the wrong window is caught; `perplexity()` scores every token.
 */
function windowLength(sample: Record<string, unknown>, scorer: string, score: PerplexityScore, available: number): number | null {
  const md = isObject(sample.metadata) ? sample.metadata : {};
  if (isIntegerAtLeast(md.num_target_tokens, 1)) return md.num_target_tokens;
  if (score.count !== undefined) return score.count;
  return scorer === 'perplexity' ? available : null;
}

function sampleMetrics(sample: Record<string, unknown>, state: LogState): Record<string, number> | undefined {
  if (state.averaged.size === 0 || !isObject(sample.scores)) return undefined;
  const out: Record<string, number> = {};
  let any = false;
  for (const [metric, scorer] of state.averaged) {
    const s = sample.scores[scorer];
    const v = isObject(s) ? valueToFloat(s.value) : null;
    if (v === null) continue;
    out[metric] = v;
    any = true;
  }
  return any ? out : undefined;
}

function sampleItems(sample: Record<string, unknown>, state: LogState, file: string, line: number, where: string): RawItem[] {
  const rawId = sample.id;
  if (typeof rawId !== 'string' && typeof rawId !== 'number') return [invalid(file, line, `Inspect log: ${where}sample id must be a string or number, found ${show(rawId)}`)];
  const epoch = isIntegerAtLeast(sample.epoch, 1) ? sample.epoch : 1;
  const id: RecordId = state.epochs > 1 ? `${rawId}/epoch-${epoch}` : rawId;
  const output = sample.output;
  const choices = isObject(output) && Array.isArray(output.choices) ? output.choices : [];
  const choice = isObject(choices[0]) ? choices[0] : null;
  const metrics = sampleMetrics(sample, state);
  const common = (record: AuditRecord): AuditRecord => {
    record.group = id;
    record.task = state.task;
    // Each log is one run: its headline averages its own samples, not another log's of the same task.
    record.run = file;
    if (metrics) record.metrics = metrics;
    return record;
  };

  const generated = contentOf(choice?.logprobs);
  const prompt = contentOf(choice?.prompt_logprobs);
  const scores = isObject(sample.scores) ? sample.scores : {};
  for (const scorer in scores) {
    const ppl = perplexityScore(scores[scorer]);
    if (!ppl) continue;
    if (prompt === null) return [invalid(file, line, `Inspect log: ${where}score ${scorer} is a perplexity but output.choices[0] has no prompt_logprobs`, id)];
    const entries = readContent(prompt, `${where}output.choices[0].prompt_logprobs.content`);
    if (typeof entries === 'string') return [invalid(file, line, `Inspect log: ${entries}`, id)];
    const n = windowLength(sample, scorer, ppl, entries.values.length);
    if (n === null) return [invalid(file, line, `Inspect log: ${where}score ${scorer} does not say how many target tokens it scored (metadata.num_tokens)`, id)];
    if (n > entries.values.length) return [invalid(file, line, `Inspect log: ${where}${n} target tokens but ${entries.values.length} prompt log-probs`, id)];
    const at = entries.values.length - n;
    const evidence: AuditRecord = {
      id,
      tokens: entries.tokens.slice(at),
      reference_logprobs: entries.values.slice(at),
      context_logprobs: entries.values.slice(0, at),
    };
    if (generated !== null) {
      const g = readContent(generated, `${where}output.choices[0].logprobs.content`);
      if (typeof g !== 'string' && g.values.length > 0) evidence.trailing_logprobs = g.values;
    }
    // value is the mean negative log-likelihood: the mean log-prob with its sign turned.
    const items: RawItem[] = [{ kind: 'record', file, line, record: common({ ...evidence, score: -ppl.value, score_kind: 'mean_logprob' }) }];
    if (ppl.sum !== undefined) {
      items.push({ kind: 'record', file, line, record: common({ ...evidence, id: `${id}/sum_log_probs`, score: ppl.sum, score_kind: 'logprob' }) });
    }
    return items;
  }
  if (generated === null) {
    // Nothing to audit, but its score is one of those the headline averages.
    const item = skipped(file, line, 'sample without log-probs', id);
    return [metrics && item.kind === 'skipped' ? { ...item, sample: { task: state.task, run: file, metrics } } : item];
  }
  const g = readContent(generated, `${where}output.choices[0].logprobs.content`);
  if (typeof g === 'string') return [invalid(file, line, `Inspect log: ${g}`, id)];
  const record: AuditRecord = common({
    id,
    tokens: g.tokens,
    logprobs: g.values,
    reference_logprobs: g.values.map((x) => (x === OPENAI_SENTINEL ? null : x)),
    top_logprobs: g.top,
    sentinel: OPENAI_SENTINEL,
  });
  if (isObject(output) && typeof output.completion === 'string') record.completion = output.completion;
  return [{ kind: 'record', file, line, record }];
}

export const inspectAdapter: FormatAdapter = {
  name: 'inspect',
  description: 'Inspect AI eval logs (.eval archives and .json logs): prompt/target perplexity scores and sample log-probs',
  containers: ['json', 'zip'],
  detect(first) {
    return isLogHeader(first) || isSample(first);
  },
  createConverter(file) {
    let state: LogState | null = null;
    return (row) => {
      const v = row.value;
      const where = row.entry ? `${row.entry}: ` : '';
      if (isLogHeader(v)) {
        state = logState(v);
        const items = aggregates(v, state, file, row.line);
        // An .eval archive's header.json: its headline means, or (none to check) a skipped row, so every row is accounted for.
        if (!Array.isArray(v.samples)) return items.length > 0 ? items : [skipped(file, row.line, 'Inspect log header without a headline mean to check')];
        // A .json log: the samples sit in the document; find each one's line for findings.
        let lines: number[] = [];
        try {
          lines = elementLines(readFileSync(file, 'utf8'), 1, 'samples');
        } catch {
          lines = [];
        }
        v.samples.forEach((s, i) => {
          const line = lines[i] ?? row.line;
          items.push(...(isObject(s) ? sampleItems(s, state!, file, line, `samples[${i}]: `) : [invalid(file, line, `Inspect log: samples[${i}] is not an object`)]));
        });
        return items;
      }
      state ??= { task: 'inspect', epochs: 1, averaged: new Map() };
      if (!isSample(v)) return [invalid(file, row.line, `Inspect log: ${where}expected a log header or an EvalSample {id, epoch, output, scores}, found ${show(v)}`)];
      return sampleItems(v, state, file, row.line, where);
    };
  },
};
