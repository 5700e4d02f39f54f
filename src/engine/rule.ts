/**
 * What a rule is. A rule declares its metadata and one check; the engine decides when to ask
 * it and what severity its findings carry (configuration, never the rule's code).
 */
import type { Severity } from '../types.js';
import type { RecordContext } from './record-context.js';
import type { GroupContext } from './group-context.js';
import type { RunContext } from './run-context.js';

export type Scope = 'record' | 'group' | 'run';

export interface RuleMeta {
  /** Kebab-case id; the rule's file is rules/<id>.ts and its doc rules/<id>.md. */
  id: string;
  /** Severity unless configuration says otherwise. */
  defaultSeverity: Severity;
  scope: Scope;
  /** The evidence the rule needs to decide, in words (for the rule table). */
  evidence: string;
  /** One line: the bug the rule names. */
  summary: string;
  /** Relative path of the rule's documentation. */
  docs: string;
}

/** A rule's verdict: the numbers reproduce its hypothesis. */
export interface Diagnosis {
  /** One sentence: why the record is wrong. */
  message: string;
  recorded?: number | null;
  expected?: number | null;
  evidence?: Record<string, unknown>;
  /**
   * 'range': decided only from which range a number falls in (a positive score is a probability
   * product, sum, or logit sum by its size), so a sibling in the same group may decide better.
   * 'precision': the numbers are honest at a wider precision than float32; not a bug in the
   * record, so the engine reports such verdicts once per file (a run rule sums them up).
   */
  basis?: 'range' | 'precision';
  /** The finding reports what the configuration declared (e.g. `--precision bf16`): info unless the rule's severity is set. */
  declared?: boolean;
  /** Group-scope diagnoses name the candidate they concern (default: the selected one). */
  recordId?: string | number;
  line?: number;
}

export interface RecordRule {
  meta: RuleMeta & { scope: 'record' };
  /** Returns a diagnosis when this rule's hypothesis reproduces the record's numbers. */
  check(ctx: RecordContext): Diagnosis | null;
}

export interface GroupRule {
  meta: RuleMeta & { scope: 'group' };
  check(group: GroupContext): Diagnosis | null;
}

export interface RunRule {
  meta: RuleMeta & { scope: 'run' };
  /** Findings about whole files; each names its file and line. */
  check(run: RunContext): (Diagnosis & { file: string; line: number })[];
}

export type Rule = RecordRule | GroupRule | RunRule;

type MetaInput<S extends Scope> = Omit<RuleMeta, 'docs' | 'scope'> & { scope: S };

/** Fills in the doc link and keeps each rule file to its metadata and its check. */
export function createRule<S extends Scope>(
  meta: MetaInput<S>,
  check: S extends 'record' ? RecordRule['check'] : S extends 'group' ? GroupRule['check'] : RunRule['check'],
): S extends 'record' ? RecordRule : S extends 'group' ? GroupRule : RunRule {
  return { meta: { ...meta, docs: `rules/${meta.id}.md` }, check } as never;
}
