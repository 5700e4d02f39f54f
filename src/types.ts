/**
 * The types every layer shares. Data flows one way:
 * ingest (RawItem) → AuditRecord → reference (Reference) → rules (Diagnosis) → Finding → report.
 */

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export type ScoreKind = 'logprob' | 'mean_logprob' | 'prob' | 'nll' | 'perplexity';

export interface TopLogprob {
  token: string;
  logprob: number;
  id?: number;
}

/**
 * The canonical record: what every input adapter produces (see schema/record.schema.json).
 * Fields after `gold` are filled by native-format adapters, never expected from users.
 */
export interface AuditRecord {
  id: string | number;
  group?: string | number;
  prompt?: string;
  completion?: string;
  tokens?: string[];
  token_ids?: number[];
  /** Per-token values as the pipeline recorded them (may be buggy). */
  logprobs?: (number | null)[];
  /** The model's top-k at each continuation step. */
  top_logprobs?: (TopLogprob[] | null)[];
  /** Raw full-vocabulary logits; row i predicts token i. */
  logits?: number[][];
  score?: number;
  score_kind?: ScoreKind;
  selected?: boolean;
  gold?: boolean;

  /**
   * The model server's own log-prob of each continuation token (an API's echo or prompt
   * log-probs): trusted as the reference, unlike `logprobs`. Null where the server gave none.
   */
  reference_logprobs?: (number | null)[];
  /** The server's log-probs of the context tokens, in order; the last is the one just before the continuation. */
  context_logprobs?: (number | null)[];
  /** The server's log-probs of tokens after the continuation (e.g. the generated token of an echo request). */
  trailing_logprobs?: (number | null)[];
  /** A per-token value the server uses for "not reported" (OpenAI's -9999.0). */
  sentinel?: number;
  /** Character length used for length-normalised accuracy (lm-eval acc_norm); defaults to completion length. */
  norm_length?: number;
  /** Per-sample metrics the harness recorded for this record's group (lm-eval acc, acc_norm, …). */
  metrics?: Record<string, number>;
  /** Index of this candidate in its group and the gold index, when the harness numbers choices. */
  choice_index?: number;
  /** Task name, for harnesses that aggregate per task. */
  task?: string;
  /**
   * Whose distribution the server's numbers are. `processed`: the sampler's after temperature,
   * truncation or penalties (llama.cpp post-sampling probabilities, TGI with sampling parameters),
   * so they are evidence of what the pipeline saw, never the model's reference. Default `model`.
   */
  distribution?: 'model' | 'processed';
  /** The processing behind a processed distribution, in words, for reports. */
  processing?: string;
  /**
   * The run the record's file belongs to (lm-eval: its directory and date), so a results file
   * pairs only with its own samples. Set by adapters from the file's path; not a canonical field.
   */
  run?: string;
}

export type RecordId = string | number;

/**
 * Why a row could not be read, for the invalid-record finding's message id: `unreadable` (not
 * JSON, a broken CSV row, too long), `notObject`, `schema`, `structure` (lengths and indices that
 * disagree), `duplicateId`, `format` (a native format's adapter could not translate it),
 * `unsupportedFormat` and `emptyFile` (about the whole file).
 */
export type InvalidCode = 'unreadable' | 'notObject' | 'schema' | 'structure' | 'duplicateId' | 'format' | 'unsupportedFormat' | 'emptyFile';

/**
 * A skipped row's per-sample metrics, still averaged for its run's headline: a generative
 * sample has no log-likelihoods to audit, but its `exact_match` is what results_<date>.json means.
 */
export interface SampleMetrics {
  task: string;
  run?: string;
  metrics: Record<string, number>;
}

/** One thing an input adapter yields. */
export type RawItem =
  | { kind: 'record'; file: string; line: number; record: AuditRecord }
  /** `wholeFile`: about the file, not a row of it (unsupported format, no records), so not counted as a record. */
  | { kind: 'invalid'; file: string; line: number; recordId?: RecordId; message: string; wholeFile?: boolean; code?: InvalidCode }
  /**
   * A row that holds nothing to audit (a generative sample, a response without log-probs): not an
   * error, but counted and listed with its reason, so that records = audited + invalid + skipped.
   * `reason` is a fixed phrase per kind of row (reports tally rows by it); `wholeFile` as for invalid.
   */
  | { kind: 'skipped'; file: string; line: number; recordId?: RecordId; reason: string; wholeFile?: boolean; sample?: SampleMetrics }
  /**
   * A harness's headline number; `run` as on AuditRecord, naming the samples it averages, and
   * `samplesTask` the task those samples are filed under when it is not `task` (an undated
   * lm-eval run's `<model_args>_<task>`).
   */
  | { kind: 'aggregate'; file: string; line: number; task: string; metric: string; value: number; run?: string; samplesTask?: string };

export interface Finding {
  ruleId: string;
  /** Which of the rule's messages (its `meta.messages` key): the stable name of this kind of finding. */
  messageId: string;
  severity: Severity;
  file: string;
  line: number;
  recordId?: RecordId;
  group?: string | number;
  message: string;
  recorded?: number | null;
  expected?: number | null;
  evidence?: Record<string, unknown>;
}
