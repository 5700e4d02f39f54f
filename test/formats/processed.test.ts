/**
 * `distribution: "processed"`: a server's numbers that are the sampler's distribution (llama.cpp
 * post-sampling probabilities, TGI under sampling parameters) are evidence of what the pipeline
 * saw, never the model's reference. What that changes, observably.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReference } from '../../src/reference/sequence.js';
import { bugs, buggy, toy } from '../helpers/toy-model.js';
import { rootCause } from '../helpers/rule-tester.js';
import { auditRows, rescored } from './audit-rows.js';
import { fixture } from './read.js';

describe('processed distributions', () => {
  // Values of log_softmax(z / 0.7) beside the model's own top-k lists: the temperature bug.
  const scaled = buggy(toy(3, 6), 'topk', bugs.temperature, 'scaled');

  it('without the mark, values off the top-k lists by a temperature are temperature-scaled', () => {
    expect(rootCause(scaled)).toBe('temperature-scaled');
  });

  it('with the mark, the lists are the same processed distribution as the values: no model reference, nothing claimed about the model', () => {
    const marked = { ...scaled, distribution: 'processed' as const, processing: 'temperature 0.7' };
    const ref = buildReference(marked);
    expect([ref.level, ref.distribution, ref.known]).toEqual(['values', 'processed', 0]);
    expect(rootCause(marked)).toBeNull();
  });

  it("a processed record's score is checked against the values it was made from, never against a model reference", async () => {
    const row = JSON.parse(readFileSync(fixture('llama-cpp/completion.jsonl'), 'utf8').split('\n')[1]) as Record<string, unknown>;
    // The script scored the same reply from the model's own log-probs (a second request): the
    // file cannot show that, so the finding is about the numbers the file holds.
    const { findings } = await auditRows([rescored(row, 'model-score', -1.2039728 + -0.10536052)]);
    expect(findings.map((f) => f.ruleId)).toEqual(['score-mismatch']);
    expect(findings[0].message).toMatch(/recorded per-token values/);
    expect(findings[0].message).not.toMatch(/reference|temperature/);
  });
});
