#!/usr/bin/env node
/**
 * Writes the small sample runs in sample-runs/formats/<format>/: one per native format, each a
 * handful of records scored correctly plus one planted bug. Synthetic but shaped like the real
 * thing: a seeded toy language model (a bigram table over 64 word tokens, log-softmax in
 * float64) plays the model server, and the payloads are built the way lm-evaluation-harness,
 * the OpenAI API and vLLM write them. Deterministic and offline: run it again, get the same bytes.
 *
 *   node scripts/make-format-samples.mjs [output folder, default sample-runs/formats]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'sample-runs', 'formats');

// ---------------------------------------------------------------- the toy model

/** mulberry32: a small seeded PRNG, so every run writes the same files. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCAB = [
  ' the', ' a', ' cat', ' dog', ' sat', ' ran', ' on', ' in', ' mat', ' park', ' quickly', ' slowly', '.', ',',
  ' and', ' was', ' is', ' it', ' he', ' she', ' red', ' blue', ' green', ' big', ' small', ' house', ' tree',
  ' river', ' bird', ' flew', ' over', ' under', ' water', ' fire', ' cold', ' hot', ' day', ' night', ' sun',
  ' moon', ' light', ' dark', ' old', ' new', ' man', ' woman', ' child', ' book', ' read', ' wrote', ' sang',
  ' song', ' city', ' road', ' car', ' drove', ' fast', ' home', ' went', ' came', ' saw', ' heard', '\n', ' The',
];
const V = VOCAB.length;

function gaussian(rand) {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const modelRand = prng(20260115);
const base = Array.from({ length: V }, () => 1.2 * gaussian(modelRand));
const table = Array.from({ length: V }, () => Array.from({ length: V }, () => 2.2 * gaussian(modelRand)));

/** log Pr(next token | previous token), a full float64 log-softmax row. */
function logprobsAfter(prev) {
  const z = base.map((b, j) => b + table[prev][j]);
  const m = Math.max(...z);
  let s = 0;
  for (const x of z) s += Math.exp(x - m);
  const lse = m + Math.log(s);
  return z.map((x) => x - lse);
}

/** Ids sorted by log-prob, best first (rank 1 first). */
function ranking(row) {
  return row.map((_, j) => j).sort((a, b) => row[b] - row[a] || a - b);
}

const rand = prng(7);

function sample(row, temperature = 1, exclude = new Set()) {
  const w = row.map((x, j) => (exclude.has(j) ? 0 : Math.exp(x / temperature)));
  const total = w.reduce((a, b) => a + b, 0);
  let r = rand() * total;
  for (let j = 0; j < w.length; j++) if ((r -= w[j]) <= 0) return j;
  return w.length - 1;
}

function sampleSequence(start, length, temperature) {
  const ids = [start];
  while (ids.length < length) ids.push(sample(logprobsAfter(ids[ids.length - 1]), temperature));
  return ids;
}

/** Per-token log-probs of `ids` after `prev`, and each step's full row. */
function score(prev, ids) {
  const rows = [];
  const values = [];
  let p = prev;
  for (const t of ids) {
    const row = logprobsAfter(p);
    rows.push(row);
    values.push(row[t]);
    p = t;
  }
  return { values, rows };
}

const text = (ids) => ids.map((t) => VOCAB[t]).join('');
const sum = (v) => v.reduce((a, b) => a + b, 0);
const argmax = (v) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
const argmin = (v) => v.reduce((best, x, i) => (x < v[best] ? i : best), 0);

/** A multiple-choice item: a sampled context, a likely gold continuation and unlikely distractors. */
function item(k) {
  const context = sampleSequence(63 - (k % 2) * 62, 6 + (k % 3), 0.9);
  const last = context[context.length - 1];
  const candidates = [];
  const gold = k % 3;
  for (let c = 0; c < 3 + (k % 2); c++) {
    const len = 2 + ((k + c) % 3);
    let ids;
    if (c === gold) {
      ids = [sample(logprobsAfter(last), 0.5)];
      while (ids.length < len) ids.push(sample(logprobsAfter(ids[ids.length - 1]), 0.5));
    } else {
      ids = Array.from({ length: len }, () => Math.floor(rand() * V));
    }
    candidates.push(ids);
  }
  return { context, candidates, gold };
}

function writeJsonl(rel, rows) {
  const path = join(ROOT, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
}

function writeJson(rel, value) {
  const path = join(ROOT, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Python's str(float), which lm-eval's sanitize_list applies to every number: the shortest
 * round-trip digits like JavaScript, but "1.0" for integers and exponents as "e-05".
 */
function pyStr(x) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mantissa, exp] = x.toExponential().split('e');
    const e = Number(exp);
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

// ---------------------------------------------------------------- lm-evaluation-harness

function lmEval() {
  const task = 'synth_mc';
  const date = '2026-01-15T09-30-00.000000';
  const rows = [];
  const planted = 3; // this doc's acc came from the lowest total (an inverted argmax)
  for (let k = 0; k < 6; k++) {
    const { context, candidates, gold } = item(k);
    const last = context[context.length - 1];
    const ctx = text(context);
    const lls = [];
    const greedy = [];
    for (const ids of candidates) {
      const { values, rows: steps } = score(last, ids);
      lls.push(sum(values));
      greedy.push(ids.every((t, i) => argmax(steps[i]) === t));
    }
    // doc_to_choice gives the texts; the request's continuation is target_delimiter + choice.
    const choices = candidates.map((ids) => text(ids).replace(/^ /, ''));
    const lens = choices.map((c) => c.length);
    const pick = k === planted ? argmin(lls) : argmax(lls);
    const accNorm = argmax(lls.map((ll, i) => ll / lens[i])) === gold ? 1 : 0;
    rows.push({
      doc_id: k,
      doc: { id: `synth-${k}`, query: ctx, choices, gold },
      target: String(gold),
      arguments: Object.fromEntries(choices.map((c, i) => [`gen_args_${i}`, { arg_0: ctx, arg_1: ` ${c}` }])),
      resps: lls.map((ll, i) => [[pyStr(ll), greedy[i] ? 'True' : 'False']]),
      filtered_resps: lls.map((ll, i) => [pyStr(ll), greedy[i] ? 'True' : 'False']),
      filter: 'none',
      metrics: ['acc', 'acc_norm'],
      doc_hash: hashLike(`doc${k}`),
      prompt_hash: hashLike(`prompt${k}`),
      target_hash: hashLike(`target${gold}`),
      acc: pick === gold ? 1.0 : 0.0,
      acc_norm: accNorm,
    });
  }
  writeJsonl(`lm-eval/samples_${task}_${date}.jsonl`, rows);
  const mean = (key) => rows.reduce((a, r) => a + r[key], 0) / rows.length;
  const stderr = (key) => {
    const m = mean(key);
    return Math.sqrt(rows.reduce((a, r) => a + (r[key] - m) ** 2, 0) / (rows.length - 1) / rows.length);
  };
  writeJson(`lm-eval/results_${date}.json`, {
    results: {
      [task]: {
        alias: task,
        'acc,none': mean('acc'),
        'acc_stderr,none': stderr('acc'),
        'acc_norm,none': mean('acc_norm'),
        'acc_norm_stderr,none': stderr('acc_norm'),
      },
    },
    'n-shot': { [task]: 0 },
    versions: { [task]: 1.0 },
    config: { model: 'hf', model_args: 'pretrained=toy/bigram-64', batch_size: 8 },
    lm_eval_version: '0.4.9',
  });
}

/** A stable 64-hex-digit stand-in for lm-eval's sha256 hashes (FNV-1a, repeated). */
function hashLike(s) {
  let h = 0x811c9dc5;
  let out = '';
  for (let r = 0; r < 8; r++) {
    for (const ch of s + r) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

// ---------------------------------------------------------------- OpenAI completions, echo

function topDict(row, k, actual) {
  const order = ranking(row).slice(0, k);
  const d = {};
  for (const j of order) d[VOCAB[j]] = row[j];
  // The API adds the echoed token when it is not among the top k.
  if (!(VOCAB[actual] in d)) d[VOCAB[actual]] = row[actual];
  return d;
}

function openaiCompletionsEcho() {
  const records = [];
  const planted = 'e1-c2'; // score also counts the last context token
  for (let k = 0; k < 3; k++) {
    const { context, candidates, gold } = item(10 + k);
    const group = `e${k}`;
    const scored = candidates.map((cont, c) => {
      const ids = [...context, ...cont];
      const generated = argmax(logprobsAfter(ids[ids.length - 1]));
      const all = [...ids, generated];
      const tokens = all.map((t) => VOCAB[t]);
      const values = [null];
      const tops = [null];
      for (let i = 1; i < all.length; i++) {
        const row = logprobsAfter(all[i - 1]);
        values.push(row[all[i]]);
        tops.push(topDict(row, 5, all[i]));
      }
      const offsets = [];
      let o = 0;
      for (const t of tokens) {
        offsets.push(o);
        o += t.length;
      }
      const id = `${group}-c${c}`;
      const cont0 = context.length;
      const contValues = values.slice(cont0, ids.length);
      const s = id === planted ? sum(contValues) + values[cont0 - 1] : sum(contValues);
      return {
        id,
        group,
        gold: c === gold,
        score: s,
        score_kind: 'logprob',
        context: text(context),
        request: { model: 'toy/bigram-64', prompt: text(ids), echo: true, logprobs: 5, max_tokens: 1, temperature: 0 },
        response: {
          id: `cmpl-${hashLike(id).slice(0, 24)}`,
          object: 'text_completion',
          created: 1768469400,
          model: 'toy/bigram-64',
          choices: [{ index: 0, text: tokens.join(''), logprobs: { tokens, token_logprobs: values, top_logprobs: tops, text_offset: offsets }, finish_reason: 'length' }],
          usage: { prompt_tokens: ids.length, completion_tokens: 1, total_tokens: ids.length + 1 },
        },
      };
    });
    const best = argmax(scored.map((r) => r.score));
    scored.forEach((r, i) => (r.selected = i === best));
    // The script's own fields first, as it wrote them.
    for (const r of scored) {
      const { id, group: g, gold: gd, selected, score: sc, score_kind, context: ctx, request, response } = r;
      records.push({ id, group: g, gold: gd, selected, score: sc, score_kind, context: ctx, request, response });
    }
  }
  writeJsonl('openai-completions-echo/responses.jsonl', records);
}

// ---------------------------------------------------------------- OpenAI chat

const bytes = (t) => [...Buffer.from(t, 'utf8')];

function openaiChat() {
  const records = [];
  const planted = 'chat-2'; // one reply token is outside the top 20, and -9999.0 was summed
  for (let k = 0; k < 4; k++) {
    const id = `chat-${k}`;
    const prompt = sampleSequence(63, 7, 0.9);
    let prev = prompt[prompt.length - 1];
    const content = [];
    const values = [];
    const length = 4 + k;
    for (let i = 0; i < length; i++) {
      const row = logprobsAfter(prev);
      const order = ranking(row);
      const top20 = new Set(order.slice(0, 20));
      // Clean replies stay within the top 20; the planted one takes a rare token at step 2.
      const t = id === planted && i === 2 ? order[40] : sample(row, 1, new Set(order.slice(20)));
      const logprob = top20.has(t) ? row[t] : -9999.0;
      values.push(logprob);
      content.push({
        token: VOCAB[t],
        logprob,
        bytes: bytes(VOCAB[t]),
        top_logprobs: order.slice(0, 20).map((j) => ({ token: VOCAB[j], logprob: row[j], bytes: bytes(VOCAB[j]) })),
      });
      prev = t;
    }
    const reply = content.map((c) => c.token).join('');
    records.push({
      id,
      score: sum(values), // the correct scorer could not sum a sentinel; the planted one did
      score_kind: 'logprob',
      request: {
        model: 'toy/bigram-64-chat',
        messages: [{ role: 'user', content: `Continue:${text(prompt)}` }],
        logprobs: true,
        top_logprobs: 20,
        max_tokens: length,
      },
      response: {
        id: `chatcmpl-${hashLike(id).slice(0, 24)}`,
        object: 'chat.completion',
        created: 1768469400,
        model: 'toy/bigram-64-chat',
        choices: [{ index: 0, message: { role: 'assistant', content: reply }, logprobs: { content, refusal: null }, finish_reason: 'length' }],
        usage: { prompt_tokens: prompt.length + 4, completion_tokens: length, total_tokens: prompt.length + 4 + length },
      },
    });
  }
  writeJsonl('openai-chat/responses.jsonl', records);
}

// ---------------------------------------------------------------- vLLM

/** vLLM's prompt/sample log-prob dict: the top k by rank, plus the actual token with its own rank. */
function vllmEntry(row, k, actual) {
  const order = ranking(row);
  const d = {};
  for (let r = 0; r < k; r++) d[String(order[r])] = { logprob: row[order[r]], rank: r + 1, decoded_token: VOCAB[order[r]] };
  if (!(String(actual) in d)) d[String(actual)] = { logprob: row[actual], rank: order.indexOf(actual) + 1, decoded_token: VOCAB[actual] };
  return d;
}

function vllm() {
  const records = [];
  const planted = 'v1-c1'; // score built from the rank-1 entries instead of the actual tokens
  for (let k = 0; k < 2; k++) {
    const { context, candidates, gold } = item(20 + k);
    const group = `v${k}`;
    const scored = candidates.map((cont, c) => {
      const ids = [...context, ...cont];
      const plp = [null];
      for (let i = 1; i < ids.length; i++) plp.push(vllmEntry(logprobsAfter(ids[i - 1]), 5, ids[i]));
      const genRow = logprobsAfter(ids[ids.length - 1]);
      const generated = argmax(genRow);
      const id = `${group}-c${c}`;
      const contEntries = plp.slice(context.length);
      const s =
        id === planted
          ? sum(contEntries.map((d) => Object.values(d).find((e) => e.rank === 1).logprob))
          : sum(contEntries.map((d, j) => d[String(cont[j])].logprob));
      return {
        id,
        group,
        gold: c === gold,
        score: s,
        score_kind: 'logprob',
        context_tokens: context.length,
        output: {
          request_id: id,
          prompt: text(ids),
          prompt_token_ids: ids,
          prompt_logprobs: plp,
          outputs: [{ index: 0, text: VOCAB[generated], token_ids: [generated], cumulative_logprob: genRow[generated], logprobs: [vllmEntry(genRow, 5, generated)], finish_reason: 'length', stop_reason: null }],
          finished: true,
        },
      };
    });
    const best = argmax(scored.map((r) => r.score));
    for (let i = 0; i < scored.length; i++) {
      const { output, ...script } = scored[i];
      records.push({ ...script, selected: i === best, output });
    }
  }
  writeJsonl('vllm/request_outputs.jsonl', records);
}

lmEval();
openaiCompletionsEcho();
openaiChat();
vllm();
console.log(`wrote sample runs under ${ROOT}`);
