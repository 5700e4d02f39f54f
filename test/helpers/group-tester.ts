/**
 * The group-rule tester: valid / invalid tables of multiple-choice groups, run through audit()
 * on a JSONL file (all rules, in registry order, as the CLI sees them). A valid group gets no
 * finding of the rule (or exactly the findings it lists); an invalid one gets one group finding
 * of the rule with the given message id.
 */
import { describe, expect, it } from 'vitest';
import { defaultRuleSet } from '../../rules/index.js';
import type { AuditRecord, Finding } from '../../src/types.js';
import { auditRecords, tempDir } from './rule-tester.js';

export interface GroupValidCase {
  name: string;
  records: AuditRecord[];
  /** Rule ids of every finding expected instead (default: none at all). */
  findings?: string[];
}

export interface GroupInvalidCase {
  name: string;
  records: AuditRecord[];
  messageId: string;
  /** The candidate the finding names, and its line. */
  recordId?: string | number;
  line?: number;
  /** The rendered message must match (for wording a reader relies on). */
  message?: RegExp;
  /** Other checks on the finding. */
  check?: (f: Finding, all: Finding[]) => void;
  /** Rule ids of every finding (default: just this rule's one). */
  findings?: string[];
}

export function groupRuleTester(ruleId: string, cases: { valid: GroupValidCase[]; invalid: GroupInvalidCase[] }): void {
  const dir = tempDir();
  const meta = defaultRuleSet.byId.get(ruleId)!.meta;
  describe(`${ruleId}: valid`, () => {
    for (const c of cases.valid) {
      it(c.name, async () => {
        const findings = await auditRecords(dir(), c.records);
        const want = c.findings ?? [];
        expect(want).not.toContain(ruleId);
        expect(findings.map((f) => f.ruleId), findings.map((f) => f.message).join('\n')).toEqual(want);
      });
    }
  });
  describe(`${ruleId}: invalid`, () => {
    for (const c of cases.invalid) {
      it(c.name, async () => {
        const findings = await auditRecords(dir(), c.records);
        expect(findings.map((f) => f.ruleId), findings.map((f) => f.message).join('\n')).toEqual(c.findings ?? [ruleId]);
        const own = findings.filter((f) => f.ruleId === ruleId);
        expect(own).toHaveLength(1);
        const f = own[0];
        expect(f.messageId).toBe(c.messageId);
        expect(Object.keys(meta.messages)).toContain(f.messageId);
        expect(f.message, 'every placeholder filled').not.toMatch(/\{\{/);
        expect(f.group).toBe(c.records[0].group);
        if (c.recordId !== undefined) expect(f.recordId).toBe(c.recordId);
        if (c.line !== undefined) expect(f.line).toBe(c.line);
        if (c.message) expect(f.message).toMatch(c.message);
        c.check?.(f, findings);
      });
    }
  });
}
