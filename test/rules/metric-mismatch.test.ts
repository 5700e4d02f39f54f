/**
 * metric-mismatch: a harness's per-sample metric (group scope) or a results file's headline
 * number (run scope) that disagrees with the log-likelihoods it was computed from. Groups come
 * as canonical records with `metrics`, `choice_index`, `norm_length`, and as real
 * lm-evaluation-harness files (v0.4.3+ samples layout, results_<date>.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingsOf, tempDir, writeJsonl } from '../helpers/rule-tester.js';
import type { AuditRecord } from '../../src/types.js';

const dir = tempDir();

interface Doc {
  choices: string[];
  /** Log-likelihood of ' ' + choice after the question. */
  lls: number[];
  gold: number;
}

function argmax(xs: number[]): number {
  let b = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[b]) b = i;
  return b;
}

/** lm-eval's own definitions: acc by the highest log-likelihood, acc_norm by it over len(choice). */
function rightMetrics(d: Doc): { acc: number; acc_norm: number } {
  return {
    acc: argmax(d.lls) === d.gold ? 1 : 0,
    acc_norm: argmax(d.lls.map((ll, i) => ll / d.choices[i].length)) === d.gold ? 1 : 0,
  };
}

/**
 * A doc where the metrics disagree: the highest log-likelihood (Paris) is gold, the highest per
 * character is the long choice, the lowest is London.
 */
const capital: Doc = { choices: ['Paris', 'a city in France', 'Rome', 'London'], lls: [-4.1, -6.2, -5.3, -7.9], gold: 0 };

/** The doc as canonical records of one group. */
function canonical(d: Doc, metrics: Record<string, number>, group = 'doc0'): AuditRecord[] {
  return d.choices.map((c, i) => ({
    id: `${group}/${i}`,
    group,
    prompt: 'Question: What is the capital of France?\nAnswer:',
    completion: ` ${c}`,
    score: d.lls[i],
    gold: i === d.gold,
    choice_index: i,
    norm_length: c.length,
    metrics,
    task: 'capitals',
  }));
}

/** One row of an lm-eval ≥ 0.4.3 samples file: numbers as strings, arguments as gen_args_N. */
function samplesRow(docId: number, d: Doc, metrics: Record<string, number>) {
  const context = `Question: ${docId}?\nAnswer:`;
  const args: Record<string, { arg_0: string; arg_1: string }> = {};
  d.choices.forEach((c, i) => (args[`gen_args_${i}`] = { arg_0: context, arg_1: ` ${c}` }));
  return {
    doc_id: docId,
    doc: { question: `${docId}?`, choices: d.choices, gold: d.gold },
    target: String(d.gold),
    arguments: args,
    resps: d.lls.map((ll) => [[String(ll), 'False']]),
    filtered_resps: d.lls.map((ll) => [String(ll), 'False']),
    filter: 'none',
    metrics: Object.keys(metrics),
    doc_hash: '0'.repeat(64),
    prompt_hash: '1'.repeat(64),
    target_hash: '2'.repeat(64),
    ...metrics,
  };
}

const DATE = '2026-01-15T09-30-00.000000';

/** A samples file for task `toyqa` and, when given, its results file; returns the folder. */
function harnessRun(name: string, rows: ReturnType<typeof samplesRow>[], headline?: Record<string, number>): string {
  const folder = join(dir(), name);
  mkdirSync(folder, { recursive: true });
  writeJsonl(folder, rows, `samples_toyqa_${DATE}.jsonl`);
  if (headline) {
    const results: Record<string, number | string> = { alias: 'toyqa' };
    for (const [m, v] of Object.entries(headline)) {
      results[`${m},none`] = v;
      results[`${m}_stderr,none`] = 0.1;
    }
    const doc = { results: { toyqa: results }, 'n-shot': { toyqa: 0 }, versions: { toyqa: 1 }, config: { model: 'hf', model_args: 'pretrained=toy' } };
    writeFileSync(join(folder, `results_${DATE}.json`), JSON.stringify(doc, null, 2));
  }
  return folder;
}

const docs: Doc[] = [
  capital,
  { choices: ['red', 'blue'], lls: [-2.31, -3.77], gold: 1 },
  { choices: ['one', 'two', 'three'], lls: [-1.93, -6.41, -2.86], gold: 0 },
  { choices: ['yes', 'no'], lls: [-0.73, -0.69], gold: 1 },
];
const goodRows = docs.map((d, i) => samplesRow(i, d, rightMetrics(d)));
const mean = (m: 'acc' | 'acc_norm') => docs.reduce((s, d) => s + rightMetrics(d)[m], 0) / docs.length;

describe('metric-mismatch: group scope, canonical records', () => {
  const audit1 = async (records: AuditRecord[]) => findingsOf([writeJsonl(dir(), records)]);

  it('valid: acc and acc_norm as lm-eval defines them', async () => {
    expect(rightMetrics(capital)).toEqual({ acc: 1, acc_norm: 0 });
    expect(await audit1(canonical(capital, { acc: 1, acc_norm: 0 }))).toEqual([]);
  });

  it('invalid: acc taken from the lowest log-likelihood (a sign flip)', async () => {
    const findings = await audit1(canonical(capital, { acc: 0, acc_norm: 0 }));
    expect(findings.map((f) => f.ruleId)).toEqual(['metric-mismatch']);
    expect(findings[0]).toMatchObject({ messageId: 'pickIsGoldExplained', recorded: 0, expected: 1, recordId: 'doc0/0', group: 'doc0', line: 1 });
    expect(findings[0].message).toMatch(/^recorded acc = 0, but the highest log-likelihood is choice "doc0\/0" \(gold\), so acc = 1; the recorded value is what picking from the lowest total \(a sign flip\)/);
  });

  it('invalid: acc_norm computed without the length normalisation', async () => {
    const findings = await audit1(canonical(capital, { acc: 1, acc_norm: 1 }));
    expect(findings.map((f) => [f.ruleId, f.messageId])).toEqual([['metric-mismatch', 'pickIsNotGoldExplained']]);
    expect(findings[0].message).toMatch(/recorded acc_norm = 1, but the highest length-normalised log-likelihood is choice "doc0\/1", not the gold "doc0\/0", so acc_norm = 0; the recorded value is what picking without the length normalisation gives/);
    expect(findings[0].evidence).toMatchObject({ metric: 'acc_norm', explanations: ['without the length normalisation'] });
  });

  it('invalid: acc computed from length-normalised log-likelihoods', async () => {
    const d: Doc = { choices: ['Paris', 'a city in France', 'Rome'], lls: [-4.1, -6.2, -5.3], gold: 1 };
    const findings = await audit1(canonical(d, { acc: 1 }));
    expect(findings.map((f) => f.ruleId)).toEqual(['metric-mismatch']);
    expect(findings[0].message).toMatch(/from length-normalised log-likelihoods/);
  });

  it('invalid: a wrong acc that no known mistake explains', async () => {
    // The pick (0) is not gold; neither the lowest total (2) nor the best per character (0) is gold either.
    const d: Doc = { choices: ['aa', 'bbbb', 'cc'], lls: [-1, -2, -3], gold: 1 };
    const findings = await audit1(canonical(d, { acc: 1 }));
    expect(findings.map((f) => [f.ruleId, f.messageId])).toEqual([['metric-mismatch', 'pickIsNotGold']]);
    expect(findings[0].message).toBe('recorded acc = 1, but the highest log-likelihood is choice "doc0/0", not the gold "doc0/1", so acc = 0');
  });

  it('invalid: every choice gold (a list target), yet acc = 0: no known mistake explains it', async () => {
    const records = canonical({ choices: ['yes', 'no'], lls: [-1, -2], gold: 0 }, { acc: 0 }).map((r) => ({ ...r, gold: true }));
    const findings = await audit1(records);
    expect(findings.map((f) => [f.ruleId, f.messageId])).toEqual([['metric-mismatch', 'pickIsGold']]);
    expect(findings[0].message).toBe('recorded acc = 0, but the highest log-likelihood is choice "doc0/0" (gold), so acc = 1');
  });

  it('valid: no gold known, nothing to recompute', async () => {
    const records = canonical(capital, { acc: 0 }).map(({ gold: _gold, ...r }) => r);
    expect(await audit1(records)).toEqual([]);
  });

  it('attribution: a wrong acc without a `selected` pick is metric-mismatch, not a selection rule', async () => {
    const findings = await audit1(canonical(capital, { acc: 0, acc_norm: 0 }));
    expect(findings.map((f) => f.ruleId)).not.toContain('selection-mismatch');
    expect(findings.map((f) => f.ruleId)).not.toContain('ranking-inverted');
  });
});

describe('metric-mismatch: lm-evaluation-harness files', () => {
  it('valid: samples whose metrics follow their log-likelihoods, and a results file that averages them', async () => {
    const folder = harnessRun('good', goodRows, { acc: mean('acc'), acc_norm: mean('acc_norm') });
    expect(await findingsOf([folder])).toEqual([]);
  });

  it('valid: a headline rounded within 5e-4 of the samples mean', async () => {
    const folder = harnessRun('rounded', goodRows, { acc: Number(mean('acc').toFixed(3)) + 4e-4 });
    expect(await findingsOf([folder])).toEqual([]);
  });

  it('invalid (group): a samples row whose acc was computed from the lowest log-likelihood', async () => {
    const rows = [...goodRows];
    rows[0] = samplesRow(0, capital, { acc: 0, acc_norm: 0 });
    const findings = await findingsOf([harnessRun('inverted', rows)]);
    expect(findings.map((f) => [f.ruleId, f.group, f.line])).toEqual([['metric-mismatch', '0', 1]]);
    expect(findings[0].message).toMatch(/recorded acc = 0, .*choice "0\/0" \(gold\).*a sign flip/);
  });

  it('invalid (run): the headline acc is not the mean of its samples', async () => {
    const folder = harnessRun('headline', goodRows, { acc: mean('acc') + 0.1, acc_norm: mean('acc_norm') });
    const findings = await findingsOf([folder]);
    expect(findings.map((f) => [f.ruleId, f.messageId])).toEqual([['metric-mismatch', 'headline']]);
    const f = findings[0];
    expect(f.file).toMatch(/results_2026-01-15T09-30-00\.000000\.json$/);
    expect(f.line).toBeGreaterThan(1); // the line of "acc,none" in the results file
    expect(f).toMatchObject({ recordId: 'toyqa', recorded: mean('acc') + 0.1, expected: mean('acc') });
    expect(f.message).toBe(`task toyqa: the headline acc ${Number((mean('acc') + 0.1).toPrecision(6))} is not the mean of its 4 samples (${mean('acc')})`);
  });

  it('invalid (run): the samples’ own wrong metric averaged faithfully is still found, at the sample', async () => {
    const rows = [...goodRows];
    const right = rightMetrics(docs[1]);
    rows[1] = samplesRow(1, docs[1], { acc: 1 - right.acc, acc_norm: right.acc_norm });
    const recordedMean = mean('acc') + (1 - 2 * right.acc) / docs.length;
    const findings = await findingsOf([harnessRun('faithful', rows, { acc: recordedMean })]);
    expect(findings.map((f) => [f.ruleId, f.group])).toEqual([['metric-mismatch', '1']]);
  });
});
