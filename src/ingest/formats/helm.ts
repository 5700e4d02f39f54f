/**
 * HELM run folders (benchmark_output/runs/<suite>/<run>/): `scenario_state.json` holds every
 * request HELM made (src/helm/benchmark/adaptation/scenario_state.py, request_state.py:
 * `request_states[]` of {instance, reference_index, request_mode, train_trial_index, request,
 * result}); `per_instance_stats.json` beside it holds the metrics of each (instance,
 * perturbation, trial) and `stats.json` their aggregates (src/helm/benchmark/runner.py).
 *
 * - multiple_choice_separate_* (src/helm/benchmark/adaptation/adapters/
 *   multiple_choice_separate_adapter.py): one request per reference with the reference at the
 *   end of the prompt, `echo_prompt`, `max_tokens: 0`. HELM scores a reference by the sum of
 *   the log-probs of its last tokens, and picks by that sum over the token count
 *   (src/helm/benchmark/metrics/basic_metrics.py `compute_logprob_and_length`).
 * - every other request (multiple_choice_joint, generation): the completion's tokens with
 *   their log-probs, and `completion.logprob`, documented as their sum (src/helm/common/request.py).
 *
 * Clients that get no log-probs write placeholders (src/helm/clients/): `tokens: []` and
 * `logprob: 0` (Vertex AI, Hugging Face multimodal, agent clients), each token's log-prob 0, or
 * real per-token log-probs beside `logprob: 0.0` (the Together chat client: the API gives no
 * sequence log-prob). A completion without tokens, or whose tokens are all 0, is skipped; a 0
 * beside tokens that are not all 0 is no sum of theirs and is not read as the score.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AuditRecord, RawItem, SampleMetrics, TopLogprob } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { parseJsonText } from '../json-text.js';
import { elementLines } from '../element-lines.js';
import { baseName, invalid, isIntegerAtLeast, isObject, show, skipped } from './values.js';

const SEPARATE_METHODS = new Set(['multiple_choice_separate_original', 'multiple_choice_separate_calibrated']);

/** GPT-2 byte-level BPE writes each byte as a printable character; the inverse maps them back. */
const BYTE_OF_CHAR: Map<number, number> = (() => {
  const m = new Map<number, number>();
  const direct: number[] = [];
  for (let b = 33; b <= 126; b++) direct.push(b);
  for (let b = 161; b <= 172; b++) direct.push(b);
  for (let b = 174; b <= 255; b++) direct.push(b);
  for (const b of direct) m.set(b, b);
  let extra = 0;
  for (let b = 0; b < 256; b++) if (!direct.includes(b)) m.set(256 + extra++, b);
  return m;
})();

/** A token's text as it reads in the prompt: byte-level (`Ġthe`) and SentencePiece (`▁the`) markers undone. */
export function tokenText(t: string): string {
  let byteLevel = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 256 && c <= 323) byteLevel = true;
  }
  if (!byteLevel) return t.replace(/\u2581/g, ' ');
  const bytes: number[] = [];
  for (const ch of t) {
    const b = BYTE_OF_CHAR.get(ch.codePointAt(0)!);
    if (b === undefined) return t; // not byte-level after all
    bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

interface HelmToken {
  text: string;
  logprob: number;
  top?: TopLogprob[];
}

function readTokens(tokens: unknown, k: number): HelmToken[] | string {
  if (!Array.isArray(tokens)) return 'completion has no tokens list';
  const out: HelmToken[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!isObject(t) || typeof t.text !== 'string' || typeof t.logprob !== 'number') return `tokens[${i}] is not {text, logprob}: ${show(t)}`;
    const tok: HelmToken = { text: t.text, logprob: t.logprob };
    // HELM before 2024 kept each step's top-k as {token text: logprob}; the API may add the
    // chosen token past k, so the list is cut back to the k requested.
    if (isObject(t.top_logprobs)) {
      const list: TopLogprob[] = [];
      for (const text in t.top_logprobs) {
        const lp = t.top_logprobs[text];
        if (typeof lp === 'number') list.push({ token: text, logprob: lp });
      }
      list.sort((a, b) => b.logprob - a.logprob);
      if (list.length > 0) tok.top = list.slice(0, Math.max(1, k));
    }
    out[i] = tok;
  }
  return out;
}

/** The trailing tokens that spell ` <reference>`: what HELM scores (it counts them with the model's tokenizer). */
function answerWindow(tokens: HelmToken[], reference: string): number | null {
  const target = ` ${reference}`;
  let text = '';
  for (let k = 1; k <= tokens.length; k++) {
    text = tokenText(tokens[tokens.length - k].text) + text;
    if (text.length < reference.length) continue;
    if (!text.endsWith(reference)) return null;
    const before = text.slice(0, text.length - reference.length);
    if (before === '' || before === ' ' || (text.length >= target.length && /^\s*$/.test(before))) return k;
    return null;
  }
  return null;
}

/**
 * A text HELM's scripts/encrypt_scenario_states.py replaced by its placeholder (the texts go to
 * encryption_data.json; the tokens, with their log-probs, stay in clear); recognised as
 * scripts/decrypt_scenario_states.py does.
 */
function isEncrypted(text: string): boolean {
  return text.startsWith('[encrypted_text_') && text.endsWith(']');
}

interface InstanceStats {
  exactMatch?: number;
}

type StatsIndex = Map<string, InstanceStats>;

function statsKey(instanceId: unknown, perturbation: unknown, trial: unknown): string {
  return `${String(instanceId)}\u0000${JSON.stringify(perturbation ?? null)}\u0000${String(trial ?? 0)}`;
}

/** per_instance_stats.json beside the scenario state, by (instance, perturbation, trial); null when absent or unreadable. */
function readInstanceStats(file: string): StatsIndex | null {
  const path = join(dirname(file), 'per_instance_stats.json');
  if (!existsSync(path)) return null;
  let list: unknown;
  try {
    list = parseJsonText(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(list)) return null;
  const index: StatsIndex = new Map();
  for (const e of list) {
    if (!isObject(e) || !Array.isArray(e.stats)) continue;
    const s: InstanceStats = {};
    for (const stat of e.stats) {
      if (!isObject(stat) || !isObject(stat.name) || stat.name.name !== 'exact_match') continue;
      const mean = typeof stat.mean === 'number' ? stat.mean : typeof stat.sum === 'number' && typeof stat.count === 'number' && stat.count > 0 ? stat.sum / stat.count : undefined;
      if (mean !== undefined) s.exactMatch = mean;
    }
    index.set(statsKey(e.instance_id, e.perturbation, e.train_trial_index), s);
  }
  return index;
}

export function runName(file: string): string {
  return baseName(dirname(file));
}

function perturbationName(p: unknown): string | undefined {
  return isObject(p) && typeof p.name === 'string' ? p.name : undefined;
}

/** The task a record or an aggregate belongs to: the run, the split, the perturbation. */
export function taskOf(run: string, split: unknown, perturbation: unknown): string {
  const p = perturbationName(perturbation);
  return `${run}/${typeof split === 'string' ? split : 'test'}${p ? `/${p}` : ''}`;
}

export const helmAdapter: FormatAdapter = {
  name: 'helm',
  description: 'HELM scenario_state.json (echo-scored multiple choice and generations), joined to per_instance_stats.json',
  containers: ['json'],
  detect(first) {
    return isObject(first) && isObject(first.adapter_spec) && Array.isArray(first.request_states);
  },
  createConverter(file) {
    const run = runName(file);
    // The run folder pairs records with its own stats.json: the suites of a benchmark_output repeat run names.
    // The run folder as one path however the file was named (runs/r1, ./runs/r1, absolute): stats.json's aggregates name it so too.
    const folder = resolve(dirname(file));
    return (row) => {
      const v = row.value;
      if (!isObject(v) || !isObject(v.adapter_spec) || !Array.isArray(v.request_states)) {
        return [invalid(file, row.line, `HELM scenario state: expected {adapter_spec, request_states[]}, found ${show(v)}`)];
      }
      const method = typeof v.adapter_spec.method === 'string' ? v.adapter_spec.method : '';
      const stats = readInstanceStats(file);
      let lines: number[] = [];
      try {
        lines = elementLines(readFileSync(file, 'utf8'), 1, 'request_states');
      } catch {
        lines = [];
      }
      const items: RawItem[] = [];
      // An instance's metrics count once for its headline: on its records' group, or else on the
      // first of its rows that is skipped (a placeholder completion has no log-probs, but HELM
      // averaged its exact_match all the same), as the Inspect reader does for its skips.
      const onRecords = new Set<string>();
      const firstSkip = new Map<string, { index: number; sample: SampleMetrics }>();
      v.request_states.forEach((rs, i) => {
        const line = lines[i] ?? row.line;
        const where = `request_states[${i}]`;
        if (!isObject(rs) || !isObject(rs.instance) || !isObject(rs.request)) {
          items.push(invalid(file, line, `HELM scenario state: ${where} is not {instance, request, result}`));
          return;
        }
        const inst = rs.instance;
        if (typeof inst.id !== 'string' && typeof inst.id !== 'number') {
          items.push(invalid(file, line, `HELM scenario state: ${where}.instance has no id`));
          return;
        }
        const trial = isIntegerAtLeast(rs.train_trial_index, 0) ? rs.train_trial_index : 0;
        const pert = perturbationName(inst.perturbation);
        const instanceKey = `${inst.id}${pert ? `[${pert}]` : ''}${trial > 0 ? `#${trial}` : ''}`;
        const instStats = stats?.get(statsKey(inst.id, inst.perturbation, trial));
        const task = taskOf(run, inst.split, inst.perturbation);
        const metrics: Record<string, number> = {};
        if (instStats?.exactMatch !== undefined) metrics.exact_match = instStats.exactMatch;
        const skip = (reason: string, id: string = instanceKey) => {
          if (!firstSkip.has(instanceKey) && Object.keys(metrics).length > 0) firstSkip.set(instanceKey, { index: items.length, sample: { task, run: folder, metrics } });
          items.push(skipped(file, line, reason, id));
        };
        const result = rs.result;
        if (!isObject(result) || !Array.isArray(result.completions) || result.completions.length === 0) {
          skip('request without a result');
          return;
        }
        const completion = result.completions[0];
        const k = isIntegerAtLeast(rs.request.top_k_per_token, 1) ? rs.request.top_k_per_token : 1;
        const tokens = isObject(completion) ? readTokens(completion.tokens, k) : 'completions[0] is not an object';
        if (typeof tokens === 'string') {
          items.push(invalid(file, line, `HELM scenario state: ${where}: ${tokens}`, instanceKey));
          return;
        }
        // Clients that return no log-probs write no tokens, or 0 for every token (helm/clients/client.py).
        if (tokens.length === 0) {
          skip('completion without tokens (a client without log-probs)');
          return;
        }
        if (tokens.every((t) => t.logprob === 0)) {
          skip('completion without log-probs (every token 0)');
          return;
        }
        const refIndex = rs.reference_index;
        const references = Array.isArray(inst.references) ? inst.references : [];
        const separate = SEPARATE_METHODS.has(method) || (rs.request.echo_prompt === true && isIntegerAtLeast(refIndex, 0));
        if (separate && isIntegerAtLeast(refIndex, 0)) {
          const ref = references[refIndex];
          const text = isObject(ref) && isObject(ref.output) && typeof ref.output.text === 'string' ? ref.output.text : null;
          // Encrypted, the reference's text is a placeholder: which trailing tokens spell it is unknown.
          if (text !== null && isEncrypted(text)) {
            skip('reference text encrypted (HELM scripts/encrypt_scenario_states.py): its answer tokens cannot be told', `${instanceKey}/${refIndex}`);
            return;
          }
          const w = text === null ? null : answerWindow(tokens, text);
          if (w === null) {
            items.push(invalid(file, line, `HELM scenario state: ${where}: the echoed tokens do not end with reference ${refIndex}'s text ${show(text)}`, `${instanceKey}/${refIndex}`));
            return;
          }
          const answer = tokens.slice(tokens.length - w);
          const calibration = rs.request_mode === 'calibration';
          const record: AuditRecord = {
            id: `${instanceKey}/${refIndex}${calibration ? '/calibration' : ''}`,
            group: calibration ? `${instanceKey}/calibration` : instanceKey,
            prompt: typeof rs.request.prompt === 'string' ? rs.request.prompt.slice(0, rs.request.prompt.length - (text as string).length) : undefined,
            completion: text as string,
            tokens: answer.map((t) => t.text),
            logprobs: answer.map((t) => t.logprob),
            // HELM stores no per-reference score: this is the sum compute_logprob_and_length takes.
            score: answer.reduce((s, t) => s + t.logprob, 0),
            gold: isObject(ref) && Array.isArray(ref.tags) && ref.tags.includes('correct'),
            choice_index: refIndex,
            task,
            run: folder,
          };
          if (record.prompt === undefined) delete record.prompt;
          if (answer.every((t) => t.top)) record.top_logprobs = answer.map((t) => t.top!);
          // HELM picks by the mean over the answer's tokens (separate_original): exact_match is
          // that pick's accuracy, checked as a length-normalised accuracy with the token count as length.
          const em = metrics.exact_match;
          if (!calibration && method !== 'multiple_choice_separate_calibrated' && (em === 0 || em === 1)) {
            record.metrics = { ...metrics, acc_norm: em };
            record.norm_length = w;
          } else if (!calibration && em !== undefined) record.metrics = { ...metrics };
          if (record.metrics) onRecords.add(instanceKey);
          items.push({ kind: 'record', file, line, record });
          return;
        }
        const record: AuditRecord = {
          id: instanceKey,
          group: instanceKey,
          tokens: tokens.map((t) => t.text),
          logprobs: tokens.map((t) => t.logprob),
          task,
          run: folder,
        };
        // A sequence log-prob of 0 beside tokens that are not all 0 is a client's placeholder (Together chat), not their sum.
        if (isObject(completion) && typeof completion.logprob === 'number' && completion.logprob !== 0) record.score = completion.logprob;
        if (isObject(completion) && typeof completion.text === 'string' && !isEncrypted(completion.text)) record.completion = completion.text;
        if (tokens.every((t) => t.top)) record.top_logprobs = tokens.map((t) => t.top!);
        if (Object.keys(metrics).length > 0) {
          record.metrics = metrics;
          onRecords.add(instanceKey);
        }
        items.push({ kind: 'record', file, line, record });
      });
      for (const [key, { index, sample }] of firstSkip) {
        const item = items[index];
        if (!onRecords.has(key) && item.kind === 'skipped') items[index] = { ...item, sample };
      }
      return items;
    };
  },
};
