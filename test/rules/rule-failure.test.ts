/**
 * rule-failure: raised by the engine when a rule throws. The record, group or run the rule was
 * asked about gets this finding (never a clean verdict), the audit goes on, and stderr shows the
 * first failure of each rule with its stack.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { audit, ConfigError, createRule, createRuleSet, type Rule } from '../../src/index.js';
import { rules } from '../../rules/index.js';
import invalidRecord from '../../rules/invalid-record.js';
import { tempDir, writeJsonl } from '../helpers/rule-tester.js';
import { steepStep, withSteepStep } from '../helpers/steep-step.js';

const dir = tempDir();
const meta = (id: string) => ({ id, defaultSeverity: 'error' as const, evidence: 'anything', summary: 'throws', messages: { never: 'never said' } });
const boom = (): never => {
  throw new TypeError('boom\nsecond line');
};

let err = '';
beforeEach(() => {
  err = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const row = (findings: Iterable<{ ruleId: string; messageId: string; line: number; recordId?: unknown; file: string }>) =>
  [...findings].map((f) => [f.ruleId, f.messageId, f.line, f.recordId ?? null]);

describe('rule-failure: metadata', () => {
  it('is an error raised in every scope, with its doc', () => {
    expect(withSteepStep.byId.get('rule-failure')?.meta).toMatchObject({ scopes: ['record', 'group', 'run'], defaultSeverity: 'error', docs: expect.stringMatching(/\/rules\/rule-failure\.md$/) });
  });

  it("the doc's example rule is the one the tests run", () => {
    const doc = readFileSync(join(__dirname, '../../rules/rule-failure.md'), 'utf8');
    const helper = readFileSync(join(__dirname, '../helpers/steep-step.ts'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(doc)![1];
    expect(helper).toContain(code.trim());
    expect(steepStep.meta.id).toBe('steep-step');
  });

  it('every rule set includes it', () => {
    expect(() => createRuleSet([invalidRecord])).toThrow(ConfigError);
    expect(() => createRuleSet([invalidRecord])).toThrow(/must include rule-failure/);
  });
});

describe('rule-failure: record', () => {
  it('a record a rule threw on is this finding, the others are audited as ever', async () => {
    const path = writeJsonl(dir(), [
      { id: 'q1', tokens: [' yes'], logprobs: [-0.25], score: -0.25 },
      { id: 'q2', score: -1.5 },
      { id: 'q3', score: -1.5 },
      { id: 'q4', tokens: [' no'], logprobs: [-30], score: -30 },
    ]);
    const result = await audit([path], { rules: withSteepStep });
    expect(row(result.findings)).toEqual([
      ['rule-failure', 'record', 2, 'q2'],
      ['rule-failure', 'record', 3, 'q3'],
      ['steep-step', 'steep', 4, 'q4'],
    ]);
    const [first] = result.findings;
    expect(first.severity).toBe('error');
    expect(first.message).toBe("rule steep-step failed on this record (Cannot read properties of undefined (reading 'findIndex')): it is not fully audited (a bug in that rule: report it with this record)");
    expect(result.summary.findings.error).toBe(2);
    // Once per rule, with the place and the stack.
    expect(err.match(/rule steep-step failed at/g)).toHaveLength(1);
    expect(err).toContain(`rule steep-step failed at ${path}:2: Cannot read properties of undefined`);
    expect(err).toMatch(/\n\s+at /);
  });

  it("the error's first line is the message's; later rules are not asked", async () => {
    const first = createRule(meta('throws-first'), { record: boom });
    const path = writeJsonl(dir(), [{ id: 'a', tokens: ['x'], score: NaN }]);
    const result = await audit([path], { rules: createRuleSet([invalidRecord, rules.find((r) => r.meta.id === 'rule-failure')!, first, ...rules.filter((r) => r.meta.id !== 'invalid-record' && r.meta.id !== 'rule-failure')]) });
    expect(row(result.findings)).toEqual([['rule-failure', 'record', 1, 'a']]);
    expect([...result.findings][0].message).toMatch(/^rule throws-first failed on this record \(boom\): /);
  });

  it('turned off, a failure is said on stderr only and the rules left judge the record', async () => {
    // Another id: stderr hears of each rule's first failure once per thread.
    const first = createRule(meta('throws-unheard'), { record: boom });
    const set = createRuleSet([first, ...rules]);
    const path = writeJsonl(dir(), [{ id: 'a', tokens: ['x'], score: NaN }]);
    const result = await audit([path], { rules: set, severities: { 'rule-failure': 'off' } });
    expect(row(result.findings)).toEqual([['invalid-logprob', 'scoreNaN', 1, 'a']]);
    expect(err).toMatch(/rule throws-unheard failed at .*:1: boom/);
  });
});

describe('rule-failure: group', () => {
  it('a group a group rule threw on is this finding, at its first candidate', async () => {
    const set = createRuleSet([...rules, createRule(meta('group-throws'), { group: boom })]);
    const path = writeJsonl(dir(), [
      { id: 'x', tokens: [' a'], logprobs: [-0.5], score: -0.5 },
      { id: 'q/a', group: 'q', tokens: [' a'], logprobs: [-0.5], score: -0.5, selected: true },
      { id: 'q/b', group: 'q', tokens: [' b'], logprobs: [-1.5], score: -1.5 },
    ]);
    const result = await audit([path], { rules: set });
    expect(row(result.findings)).toEqual([['rule-failure', 'group', 2, 'q/a']]);
    expect([...result.findings][0].message).toMatch(/^rule group-throws failed on this group \(boom\): it is not fully audited/);
  });
});

describe('rule-failure: run', () => {
  it("a run rule that throws is this finding at the run's first file, line 0", async () => {
    const set = createRuleSet([...rules, createRule(meta('run-throws'), { run: boom })] as Rule[]);
    const a = writeJsonl(dir(), [{ id: 'a', tokens: [' a'], logprobs: [-0.5], score: -0.5 }], 'a.jsonl');
    const b = writeJsonl(dir(), [{ id: 'b', tokens: [' b'], logprobs: [-0.5], score: -0.5 }], 'b.jsonl');
    const result = await audit([b, a], { rules: set });
    const findings = [...result.findings];
    expect(row(findings)).toEqual([['rule-failure', 'run', 0, null]]);
    expect(findings[0].file).toBe(a);
    expect(findings[0].message).toMatch(/^rule run-throws failed on the run \(boom\): its run-level checks are incomplete/);
  });
});
