/**
 * What a rule is (after ESLint's rule contract and typescript-eslint's createRule). A rule
 * declares its metadata, its message templates, and one check per scope it works at; the engine
 * decides when to ask it, renders its messages and gives its findings a severity (configuration,
 * never the rule's code).
 */
import type { RecordId, Severity } from '../types.js';
import type { RecordContext } from './record-context.js';
import type { GroupContext } from './group-context.js';
import type { RunContext } from './run-context.js';
import { ruleDocsUrl } from '../project.js';

export type Scope = 'record' | 'group' | 'run';

/** The message placeholder a harmonised finding names its sibling with; see `range` below. */
export const BY_SIBLING = 'bySibling';

export interface RuleMeta {
  /** Kebab-case id; the rule's file is rules/<id>.ts, its doc rules/<id>.md, its test test/rules/<id>.test.ts. */
  id: string;
  /** Severity unless configuration says otherwise. */
  defaultSeverity: Severity;
  /** The scopes the rule checks, in record → group → run order (filled in by createRule). */
  scopes: readonly Scope[];
  /** The evidence the rule needs to decide, in words (for the rule table). */
  evidence: string;
  /** One line: the bug the rule names. */
  summary: string;
  /** Absolute URL of the rule's documentation (rules/<id>.md in the project repository). */
  docs: string;
  /**
   * Message templates by message id. `{{name}}` is filled from the diagnosis's `data` (numbers
   * formatted for reading, strings as they are); `{{name|json}}` JSON-quotes the value, so a
   * token's leading space shows; `{{name|apart}}` marks numbers the message says differ: two that
   * read alike at six digits get the digits that tell them apart. The id is the stable name of a kind of finding (SARIF's
   * message id, baseline keys); the text may be reworded freely.
   */
  messages: Readonly<Record<string, string>>;
  /**
   * Record rules that must be asked before this one: their hypotheses are narrower, so when both
   * reproduce a record the earlier one is the root cause. The registry order is checked against it.
   */
  after?: readonly string[];
  /**
   * The rule may decide from a number's range alone (`basis: 'range'`), which a sibling in the
   * same multiple-choice group may settle better (see harmonize.ts). Every such rule but the
   * narrowest (which a sibling can only widen) declares a `bySibling` message taking `score`,
   * `sibling` and `siblingScore`.
   */
  range?: boolean;
}

/** A rule's verdict: the numbers reproduce its hypothesis. The engine renders the message. */
export interface Diagnosis {
  /** A key of the rule's `meta.messages`. */
  messageId: string;
  /** Values for the message's placeholders; also kept with the finding for machines. */
  data?: Record<string, unknown>;
  recorded?: number | null;
  expected?: number | null;
  evidence?: Record<string, unknown>;
  /**
   * 'range': decided only from which range a number falls in, so a sibling in the same group may
   * decide better. 'precision': the numbers are honest at a wider precision than float32, no bug
   * in the record; the engine reports such verdicts once per file (precision-pool.ts).
   */
  basis?: 'range' | 'precision';
  /**
   * A claim made at float32 that half precision explains as well: the no-bug reading fits at the
   * widest tier, and the score is a print whose digits cannot show which (length-mismatch). It
   * stands unless the file's other records show a half-precision run (precision-pool.ts);
   * grouped records' claims always stand.
   */
  unlessHalfRun?: boolean;
  /** The finding reports what the configuration declared (`--precision bf16`): info unless the rule's severity is set. */
  declared?: boolean;
  /** Group-scope diagnoses name the candidate they concern (default: the selected one). */
  recordId?: RecordId;
  line?: number;
}

/** Run-scope diagnoses are about whole files: each names its file and line. */
export interface RunDiagnosis extends Diagnosis {
  file: string;
  line: number;
}

export interface Checks {
  /** Returns a diagnosis when the rule's hypothesis reproduces the record's numbers. */
  record?(ctx: RecordContext): Diagnosis | null;
  /** Asked once per multiple-choice group, when all its candidates are in. */
  group?(group: GroupContext): Diagnosis | null;
  /** Asked once at the end, over what every file contributed. */
  run?(run: RunContext): RunDiagnosis[];
}

export interface Rule {
  meta: RuleMeta;
  checks: Checks;
}

/** A rule's metadata as written: the doc link and the scopes are filled in; `raisedIn` names the scopes of a rule the engine raises (it has no check). */
export type RuleMetaInput = Omit<RuleMeta, 'docs' | 'scopes'> & { raisedIn?: readonly Scope[] };

const SCOPES: readonly Scope[] = ['record', 'group', 'run'];

/**
 * Fills in the doc link and the scopes. A rule with no check is raised by the engine (from what
 * ingest reports: invalid-record; when another rule throws: rule-failure), in the scopes its
 * `raisedIn` names (default: record); it still has metadata, messages, a doc and a test.
 */
export function createRule(input: RuleMetaInput, checks: Checks = {}): Rule {
  const { raisedIn, ...meta } = input;
  const scopes = SCOPES.filter((s) => checks[s] !== undefined);
  return { meta: { ...meta, scopes: scopes.length > 0 ? scopes : (raisedIn ?? ['record']), docs: ruleDocsUrl(meta.id) }, checks };
}
