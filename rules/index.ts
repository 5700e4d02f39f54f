/**
 * The rule registry. Record rules are asked in this order and the first whose hypothesis
 * reproduces a record's numbers is its root cause: structural and exact reproductions first,
 * looser explanations later, then the two readings of numbers no bug explains: low-precision
 * (they fit half precision) and the catch-all score-mismatch (they fit nothing). The engine asks
 * the whole list at float32 tolerances, then again at a half-precision tier when the numbers do
 * not fit float32; the last two speak only in the final tier.
 */
import type { GroupRule, RecordRule, RunRule, RuleMeta } from '../src/engine/rule.js';
import invalidLogprob from './invalid-logprob.js';
import lowPrecision, { runRule as lowPrecisionRun } from './low-precision.js';
import lengthMismatch from './length-mismatch.js';
import probabilityProduct from './probability-product.js';
import probabilitySum from './probability-sum.js';
import softmaxSkipped from './softmax-skipped.js';
import softmaxTwice from './softmax-twice.js';
import highConfidenceWrongToken from './high-confidence-wrong-token.js';
import wrongTokenIndex from './wrong-token-index.js';
import normalizationMismatch, { groupRule as normalizationMismatchGroup } from './normalization-mismatch.js';
import temperatureScaled from './temperature-scaled.js';
import scoreMismatch from './score-mismatch.js';
import greedyChoice from './greedy-choice.js';
import rankingInverted from './ranking-inverted.js';
import selectionMismatch from './selection-mismatch.js';
import metricMismatch, { runRule as metricMismatchRun } from './metric-mismatch.js';

export const recordRules: RecordRule[] = [
  invalidLogprob,
  lengthMismatch,
  probabilityProduct,
  probabilitySum,
  softmaxSkipped,
  softmaxTwice,
  highConfidenceWrongToken,
  wrongTokenIndex,
  normalizationMismatch,
  temperatureScaled,
  lowPrecision,
  scoreMismatch,
];

export const groupRules: GroupRule[] = [greedyChoice, rankingInverted, normalizationMismatchGroup, selectionMismatch, metricMismatch];

export const runRules: RunRule[] = [metricMismatchRun, lowPrecisionRun];

/** `invalid-record` is raised by ingest, not by a check; it still has metadata and a doc. */
export const invalidRecordMeta: RuleMeta = {
  id: 'invalid-record',
  defaultSeverity: 'error',
  scope: 'record',
  evidence: 'the input row itself',
  summary: 'a row that cannot be read: not valid JSON, not an object, or not matching the record schema',
  docs: 'rules/invalid-record.md',
};

/** One entry per rule id (a rule checked at several scopes is listed once), in table order. */
export function ruleCatalogue(): RuleMeta[] {
  const seen = new Map<string, RuleMeta>();
  for (const r of [...recordRules, ...groupRules, ...runRules]) if (!seen.has(r.meta.id)) seen.set(r.meta.id, r.meta);
  seen.set(invalidRecordMeta.id, invalidRecordMeta);
  return [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
}
