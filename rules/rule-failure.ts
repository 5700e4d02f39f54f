import { createRule } from '../src/engine/rule.js';

/**
 * Raised by the engine when a rule's check throws (it has no check of its own): the record,
 * group or run that rule was asked about is not fully audited, which must fail the audit rather
 * than pass as clean. A thrown error is a bug in the rule (evalaudit's, or a custom rule set's).
 */
export default createRule({
  id: 'rule-failure',
  defaultSeverity: 'error',
  raisedIn: ['record', 'group', 'run'],
  evidence: 'the error a rule threw',
  summary: 'a rule threw while checking a record, group or run: that part of the audit is incomplete',
  messages: {
    record: 'rule {{rule}} failed on this record ({{error}}): it is not fully audited (a bug in that rule: report it with this record)',
    group: 'rule {{rule}} failed on this group ({{error}}): it is not fully audited (a bug in that rule: report it with this group)',
    run: 'rule {{rule}} failed on the run ({{error}}): its run-level checks are incomplete (a bug in that rule: report it with these files)',
  },
});
