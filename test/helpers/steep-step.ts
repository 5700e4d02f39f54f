/**
 * The custom rule of rules/rule-failure.md's example, as the doc writes it: it reads per-token
 * values without asking whether the record has them, so it throws on a score-only record.
 */
import { createRule } from '../../src/engine/rule.js';
import { createRuleSet, type RuleSet } from '../../src/engine/rule-set.js';
import { rules } from '../../rules/index.js';

export const steepStep = createRule(
  { id: 'steep-step', defaultSeverity: 'warning', evidence: 'per-token values', summary: 'a step below -20', messages: { steep: 'step {{step}} is {{value}}' } },
  { record: (ctx) => { const i = ctx.record.logprobs!.findIndex((v) => v !== null && v < -20); return i < 0 ? null : { messageId: 'steep', data: { step: i, value: ctx.record.logprobs![i] } }; } },
);

/** The default rules and steepStep, asked last: `createRuleSet([...rules, steepStep])`. */
export const withSteepStep: RuleSet = createRuleSet([...rules, steepStep]);
