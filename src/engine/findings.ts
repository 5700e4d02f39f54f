/** From a rule's diagnosis to the finding a report shows: message rendered, severity given. */
import type { Finding, RecordId, Severity } from '../types.js';
import type { Diagnosis, RuleMeta, Scope } from './rule.js';
import { RULE_FAILURE } from './rule-set.js';
import { renderMessage } from './messages.js';

/** Rules whose failure this thread has told stderr about (with the stack: once is enough to debug it). */
const told = new Set<string>();

/**
 * A rule's check threw: the rule-failure diagnosis that says so (which rule, the error's first
 * line), so that the record, group or run it was asked about is reported as not fully audited
 * instead of passing as clean, and the audit goes on. The first failure of each rule is also
 * said on stderr with its place and stack.
 */
export function ruleFailed(scope: Scope, ruleId: string, file: string, line: number, err: unknown): Diagnosis {
  const message = err instanceof Error ? err.message : String(err);
  if (!told.has(ruleId)) {
    told.add(ruleId);
    const stack = err instanceof Error && err.stack ? `${err.stack}\n` : '';
    process.stderr.write(`evalaudit: rule ${ruleId} failed at ${file}:${line}: ${message} (each failure is a ${RULE_FAILURE} finding)\n${stack}`);
  }
  const first = message.split('\n', 1)[0];
  return { messageId: scope, data: { rule: ruleId, error: first.length > 200 ? `${first.slice(0, 199)}…` : first } };
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
