/** From a rule's diagnosis to the finding a report shows: message rendered, severity given. */
import type { Finding, RecordId, Severity } from '../types.js';
import type { Diagnosis, RuleMeta } from './rule.js';
import { renderMessage } from './messages.js';

/**
 * Runs one rule's check so that a bug in it costs one verdict, not the run: the failure is said
 * on stderr with the rule and the place, and the audit goes on as if the rule had no opinion.
 */
export function guarded<T>(ruleId: string, file: string, line: number, check: () => T | null): T | null {
  try {
    return check();
  } catch (err) {
    return ruleFailed(ruleId, file, line, err);
  }
}

/** Says on stderr that a rule threw at a record, and gives its answer: none. */
export function ruleFailed(ruleId: string, file: string, line: number, err: unknown): null {
  process.stderr.write(`evalaudit: rule ${ruleId} failed at ${file}:${line}: ${err instanceof Error ? err.message : String(err)}\n`);
  return null;
}

/** The message a diagnosis reads as; an id the rule does not declare shows as itself (the rule tester rejects it). */
export function messageOf(meta: RuleMeta, d: Pick<Diagnosis, 'messageId' | 'data'>): string {
  const template = Object.hasOwn(meta.messages, d.messageId) ? meta.messages[d.messageId] : d.messageId;
  return renderMessage(template, d.data);
}

export function toFinding(meta: RuleMeta, severity: Severity, file: string, line: number, d: Diagnosis, recordId?: RecordId, group?: RecordId): Finding {
  const f: Finding = { ruleId: meta.id, messageId: d.messageId, severity, file, line: d.line ?? line, message: messageOf(meta, d) };
  const id = d.recordId ?? recordId;
  if (id !== undefined) f.recordId = id;
  if (group !== undefined) f.group = group;
  if (d.recorded !== undefined) f.recorded = d.recorded;
  if (d.expected !== undefined) f.expected = d.expected;
  if (d.evidence !== undefined) f.evidence = d.evidence;
  return f;
}
