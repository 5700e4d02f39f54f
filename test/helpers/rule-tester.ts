/**
 * An ESLint-style RuleTester for evalaudit rules. A record rule's test is two tables: records
 * it must let pass (clean, or attributed to a named neighbour) and records whose root cause
 * must be exactly this rule. Group and run rules are tested through `audit()` on temp files,
 * the way the CLI sees them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { record as toyRecord, toy, type Level, type Recorded, type Toy, type ToyOptions } from './toy-model.js';
import { appendFileSync } from 'node:fs';
import { audit, diagnoseRecord, engineConfig, type RecordVerdict, type RuleSet } from '../../src/engine/index.js';
import { RecordContext } from '../../src/engine/record-context.js';
import { messageOf } from '../../src/engine/findings.js';
import { placeholders } from '../../src/engine/messages.js';
import { defaultRuleSet } from '../../rules/index.js';
import type { AuditRecord, Finding } from '../../src/types.js';

export const config = engineConfig(defaultRuleSet);

/** A verdict with its message rendered, as a finding would read. */
export type TestVerdict = RecordVerdict & { messageId: string | null; message: string | null };

/** The engine's verdict on one record, as `audit()` would reach it. */
export function verdict(record: AuditRecord): TestVerdict {
  const v = diagnoseRecord(record, 'test.jsonl', 1, config);
  return { ...v, messageId: v.diagnosis?.messageId ?? null, message: v.rule && v.diagnosis ? messageOf(v.rule, v.diagnosis) : null };
}

/**
 * ESLint's RuleTester checks: the message id is one the rule declares, and the rendered message
 * has every placeholder filled (the data holds each name the template uses).
 */
export function expectWellFormed(ruleId: string, messageId: string, data: Record<string, unknown> | undefined): void {
  const meta = defaultRuleSet.byId.get(ruleId)!.meta;
  expect(Object.keys(meta.messages), `${ruleId} declares message ${messageId}`).toContain(messageId);
  for (const name of placeholders(meta.messages[messageId])) expect(Object.keys(data ?? {}), `${ruleId}/${messageId} fills {{${name}}}`).toContain(name);
}

/** The root cause the engine names for a record (null when clean). */
export function rootCause(record: AuditRecord): string | null {
  return verdict(record).rule?.id ?? null;
}

/**
 * Whether one record rule's hypothesis, asked alone (outside the registry's order), reproduces
 * the record: for checking that a neighbour does not explain a record too.
 */
export function hypothesisHolds(ruleId: string, record: AuditRecord): boolean {
  const rule = defaultRuleSet.record.find((r) => r.meta.id === ruleId);
  if (!rule) throw new Error(`no record rule ${ruleId}`);
  return rule.checks.record!(new RecordContext(record, 'test.jsonl', 1)) !== null;
}

interface CaseBase {
  name: string;
  /**
   * A known rule bug: the case states the right behaviour and is run with `it.fails`, so it
   * turns red the day the rule is fixed. Say what goes wrong and why.
   */
  knownBug?: string;
}

export interface ValidCase extends CaseBase {
  record: AuditRecord;
  /** The root cause expected instead: null (clean, the default) or a neighbour's id. */
  rootCause?: string | null;
}

export interface InvalidCase extends CaseBase {
  record: AuditRecord;
  /** The diagnosis's message id (one the rule declares). */
  messageId: string;
  /** Placeholder data the diagnosis must carry (a subset, compared with toMatchObject). */
  data?: Record<string, unknown>;
  /** The rendered message must match (for wording a reader relies on). */
  message?: RegExp;
  /** Checks on the diagnosis: recorded / expected numbers, evidence fields. */
  check?: (v: TestVerdict) => void;
}

function caseIt(c: CaseBase): typeof it | typeof it.fails {
  return c.knownBug ? it.fails : it;
}

/** Runs a record rule's tables. */
export function recordRuleTester(ruleId: string, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describe(`${ruleId}: valid`, () => {
    for (const c of cases.valid) {
      caseIt(c)(c.name, () => {
        const got = rootCause(c.record);
        const want = c.rootCause ?? null;
        expect(want).not.toBe(ruleId);
        expect(got, verdict(c.record).message ?? undefined).toBe(want);
      });
    }
  });
  describe(`${ruleId}: invalid`, () => {
    for (const c of cases.invalid) {
      caseIt(c)(c.name, () => {
        const v = verdict(c.record);
        expect(v.rule?.id ?? null, v.message ?? undefined).toBe(ruleId);
        const d = v.diagnosis!;
        if (process.env.EVALAUDIT_RECORD_IDS) appendFileSync(process.env.EVALAUDIT_RECORD_IDS, JSON.stringify({ rule: ruleId, name: c.name, messageId: d.messageId }) + '\n');
        expect(d.messageId).toBe(c.messageId);
        expectWellFormed(ruleId, d.messageId, d.data);
        if (c.data) expect(d.data).toMatchObject(c.data);
        if (c.message) expect(v.message).toMatch(c.message);
        c.check?.(v);
      });
    }
  });
}

export interface DetectionProperty {
  /** The bug applied to a random toy. */
  bug: (t: Toy) => Recorded;
  levels: readonly Level[];
  /** Continuation lengths drawn (default 1 to 150). */
  minN?: number;
  maxN?: number;
  model?: ToyOptions;
  /** Toys the bug leaves indistinguishable from clean (the case is skipped). */
  applies?: (t: Toy) => boolean;
  numRuns?: number;
}

/**
 * A property: for any seed and length, the toy record with `bug` at each of `levels` has exactly
 * this rule as its root cause. Only for levels where the rule's evidence makes detection certain.
 */
export function detectionProperty(ruleId: string, name: string, p: DetectionProperty): void {
  it(`property: ${name} is always ${ruleId} (${p.levels.join(', ')})`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: p.minN ?? 1, max: p.maxN ?? 150 }), fc.constantFrom(...p.levels), (seed, n, level) => {
        const t = toy(seed, n, p.model);
        if (p.applies && !p.applies(t)) return;
        const v = verdict(toyRecord(t, level, p.bug(t)));
        expect(v.rule?.id ?? null, `${v.message} (seed ${seed}, n ${n}, ${level})`).toBe(ruleId);
      }),
      { numRuns: p.numRuns ?? 100, seed: 42 },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Files for audit()
// ---------------------------------------------------------------------------------------------

/** A temp folder removed after the suite. Call at the top level of a test file. */
export function tempDir(prefix = 'evalaudit-rules-'): () => string {
  let dir: string | null = null;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => (dir ??= mkdtempSync(join(tmpdir(), prefix)));
}

let fileCounter = 0;

/** Writes records as JSONL (NaN and ±Infinity written the way Python writes them). */
export function writeJsonl(dir: string, records: readonly unknown[], name = `records-${++fileCounter}.jsonl`): string {
  const path = join(dir, name);
  writeFileSync(path, records.map((r) => pythonJson(r)).join('\n') + '\n');
  return path;
}

/** JSON.stringify, except non-finite numbers come out as NaN / Infinity / -Infinity. */
export function pythonJson(value: unknown): string {
  const marks = new Map<string, string>();
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      const mark = `__nonfinite_${marks.size}__`;
      marks.set(mark, Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
      return mark;
    }
    return v;
  });
  return text.replace(/"__nonfinite_\d+__"/g, (m) => marks.get(m.slice(1, -1))!);
}

/** Audits files and returns every finding (with the default rules, or the set given). */
export async function findingsOf(paths: string[], rules: RuleSet = defaultRuleSet): Promise<Finding[]> {
  const result = await audit(paths, { rules });
  return [...result.findings];
}

/** Audits one JSONL file of records. */
export async function auditRecords(dir: string, records: readonly AuditRecord[]): Promise<Finding[]> {
  return findingsOf([writeJsonl(dir, records)]);
}
