/** The library API: a custom rule set, as the README shows it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit, ConfigError, createRule, createRuleSet, defaultRuleSet, explain, invalidRecord, ruleFailure } from '../src/index.js';

const positiveScore = createRule(
  { id: 'positive-score', defaultSeverity: 'error', evidence: 'score', summary: 'a log-prob above 0', messages: { positive: 'the score {{score}} is above 0' } },
  { record: (ctx) => (ctx.score !== undefined && ctx.score > 0 ? { messageId: 'positive', data: { score: ctx.score }, recorded: ctx.score } : null) },
);

const dir = mkdtempSync(join(tmpdir(), 'evalaudit-lib-'));
const file = join(dir, 'run.jsonl');
// A probability product (0.25) that the default rules name, a NaN, and an unreadable row.
writeFileSync(file, ['{"id": "a", "score": 0.25}', '{"id": "b", "score": -1.5}', '{"id": "c", "score": NaN}', 'not json'].join('\n') + '\n');

describe('a custom rule set', () => {
  const rules = createRuleSet([invalidRecord, ruleFailure, positiveScore]);

  it('runs only its own rules (and still reports unreadable rows)', async () => {
    const result = await audit([file], { rules });
    expect([...result.findings].map((f) => [f.recordId ?? null, f.ruleId, f.messageId, f.message])).toEqual([
      ['a', 'positive-score', 'positive', 'the score 0.25 is above 0'],
      [null, 'invalid-record', 'unreadable', expect.stringMatching(/^not valid JSON/)],
    ]);
    expect(result.rules.map((r) => r.id)).toEqual(['invalid-record', 'positive-score', 'rule-failure']);
  });

  it('is what explain runs too', async () => {
    const text = await explain(file, 'a', { rules, format: 'text' });
    expect(text).toMatch(/^rule: +positive-score \(error\)$/m);
  });

  it('takes severities for its own rules only', async () => {
    const result = await audit([file], { rules, severities: { 'positive-score': 'warning' } });
    expect(result.summary.findings).toEqual({ error: 1, warning: 1, info: 0 });
    await expect(audit([file], { rules, severities: { 'probability-product': 'off' } })).rejects.toThrow(/unknown rule probability-product; rules: invalid-record, positive-score, rule-failure/);
  });

  it('must include invalid-record and rule-failure and may not list a rule twice', () => {
    expect(() => createRuleSet([ruleFailure, positiveScore])).toThrow(ConfigError);
    expect(() => createRuleSet([invalidRecord, positiveScore])).toThrow(/must include rule-failure/);
    expect(() => createRuleSet([invalidRecord, ruleFailure, positiveScore, positiveScore])).toThrow(/twice/);
  });

  it('the default set finds what the custom one does not', async () => {
    const result = await audit([file], { rules: defaultRuleSet });
    expect([...result.findings].map((f) => f.ruleId)).toEqual(['probability-product', 'invalid-logprob', 'invalid-record']);
  });
});
