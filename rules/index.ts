/**
 * The default rule set. Within each scope the rules are asked in this order: for a record, the
 * first whose hypothesis reproduces its numbers is its root cause (structural and exact
 * reproductions first, looser explanations later, then the two readings of numbers no bug
 * explains: low-precision (they fit half precision) and the catch-all score-mismatch (they fit
 * nothing); the engine asks the record rules at float32 tolerances, then again at a
 * half-precision tier when the numbers miss float32, and the last two speak only there); for a group, the first
 * that speaks. A rule's `after` says which rules must come before it, and the meta-test holds
 * this order to it. The engine never imports this file: src/cli.ts and src/index.ts hand the set in.
 */
import { createRuleSet, type RuleSet } from '../src/engine/rule-set.js';
import type { Rule } from '../src/engine/rule.js';
import invalidRecord from './invalid-record.js';
import ruleFailure from './rule-failure.js';
import invalidLogprob from './invalid-logprob.js';
import lowPrecision from './low-precision.js';
import lengthMismatch from './length-mismatch.js';
import probabilityProduct from './probability-product.js';
import probabilitySum from './probability-sum.js';
import softmaxSkipped from './softmax-skipped.js';
import softmaxTwice from './softmax-twice.js';
import highConfidenceWrongToken from './high-confidence-wrong-token.js';
import wrongTokenIndex from './wrong-token-index.js';
import greedyChoice from './greedy-choice.js';
import rankingInverted from './ranking-inverted.js';
import normalizationMismatch from './normalization-mismatch.js';
import temperatureScaled from './temperature-scaled.js';
import scoreMismatch from './score-mismatch.js';
import selectionMismatch from './selection-mismatch.js';
import metricMismatch from './metric-mismatch.js';
import degenerateScores from './degenerate-scores.js';

export const rules: readonly Rule[] = [
  invalidRecord,
  ruleFailure,
  invalidLogprob,
  lengthMismatch,
  probabilityProduct,
  probabilitySum,
  softmaxSkipped,
  softmaxTwice,
  highConfidenceWrongToken,
  wrongTokenIndex,
  greedyChoice,
  rankingInverted,
  normalizationMismatch,
  temperatureScaled,
  lowPrecision,
  scoreMismatch,
  selectionMismatch,
  metricMismatch,
  degenerateScores,
];

export const defaultRuleSet: RuleSet = createRuleSet(rules);
