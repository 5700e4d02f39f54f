/** The file pass's observer that fills a file's audited list (FileSummary.auditedItems). */
import { addAudited, clearAudited, type AuditedList } from './audited-list.js';
import type { PassObserver } from './file-pass.js';

/** Observes a file pass for its audited records (ungrouped) and groups (at their first candidate's line). */
export function auditedListing(into: AuditedList): PassObserver {
  return {
    outcome(o) {
      if (o.group === undefined) addAudited(into, 'record', o.id, o.line);
    },
    group(outcome) {
      // A reduce, not Math.min(...): a group may have more candidates than a call has arguments.
      const first = outcome.context.candidates.reduce((m, c) => Math.min(m, c.line), Infinity);
      addAudited(into, 'group', outcome.context.group, first);
    },
    restart() {
      clearAudited(into);
    },
  };
}
