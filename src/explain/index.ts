/**
 * `evalaudit explain <file> --record <id>`: one record's numbers step by step, next to the
 * reference, with the diagnosis the audit gives it, and for a multiple-choice candidate its
 * group. The numbers and verdicts come from the audit's own file pass (locate.ts); the other
 * modules here only lay them out, once, against a terminal or Markdown style.
 */
import { stat } from 'node:fs/promises';
import type { SeveritySetting } from '../types.js';
import type { RecordContext } from '../engine/record-context.js';
import type { RuleSet } from '../engine/rule-set.js';
import type { EvidenceLevel } from '../reference/sequence.js';
import type { PrecisionSetting } from '../reference/precision.js';
import { engineConfig } from '../engine/index.js';
import { InputError } from '../ingest/index.js';
import { MARKDOWN_STYLE, TEXT_STYLE, type Style } from '../report/layout.js';
import { ExplainError, locate, type Found, type InvalidTarget, type RecordTarget } from './locate.js';
import { precisionSection, tokenSection, totalsSection } from './steps.js';
import { diagnosisSection } from './diagnosis.js';
import { groupSection } from './group-section.js';

export { ExplainError } from './locate.js';

export interface ExplainOptions {
  /** The rules the audit runs (the CLI passes the default set). */
  rules: RuleSet;
  format: 'text' | 'markdown';
  inputFormat?: string;
  /** `--map field=path`, as for audit (needed to read a custom format). */
  fieldMap?: Record<string, string>;
  /** Per-rule severity overrides, as audit's `--rule`: a rule that is off is not asked. */
  severities?: Record<string, SeveritySetting>;
  /** The precision the pipeline ran in, as audit's `--precision`. */
  precision?: PrecisionSetting;
}

/** Long few-shot prompts would bury the table; the end is what the continuation follows. */
const PROMPT_CHARS = 200;

export async function explain(file: string, recordId: string, options: ExplainOptions): Promise<string> {
  const config = engineConfig(options.rules, options.severities, options.precision);
  await assertFile(file);
  const found = await locate(file, recordId, config, { inputFormat: options.inputFormat, fieldMap: options.fieldMap });
  const style = options.format === 'markdown' ? MARKDOWN_STYLE : TEXT_STYLE;
  const severity = config.severities.get('invalid-record') ?? 'error';
  const sections =
    found.target.kind === 'record' ? recordSections(found, found.target, style) : unreadableSections(found, found.target, recordId, severity, style);
  return `${sections.filter((s) => s.length > 0).map((s) => s.join('\n')).join('\n\n')}\n`;
}

/** Same wording as audit for a missing path; a directory is a usage mistake here. */
async function assertFile(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new InputError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (info.isDirectory()) throw new ExplainError(`${file} is a directory; explain takes one file`);
}

function recordSections(found: Found, target: RecordTarget, s: Style): string[][] {
  const { ctx } = target.verdict;
  return [
    header(found, target.line, ctx, s),
    tokenSection(ctx, s),
    totalsSection(ctx, s),
    precisionSection(ctx, s),
    diagnosisSection(target.finding, ctx, s, target.verdict.diagnosis?.basis === 'precision'),
    groupSection(found.group, s),
  ];
}

/** A row that is invalid (no numbers to explain) or skipped (nothing to audit): say which, and why. */
function unreadableSections(found: Found, target: InvalidTarget, wanted: string, severity: SeveritySetting, s: Style): string[][] {
  const diagnosis: [string, string][] =
    target.kind === 'invalid'
      ? [
          ['rule', `invalid-record (${severity})`],
          ['message', `the record cannot be read, so there are no numbers to explain: ${s.text(target.message)}`],
        ]
      : [['skipped', `the row holds nothing to audit: ${s.text(target.message)}`]];
  return [
    [...s.heading(`evalaudit explain: record ${s.text(JSON.stringify(wanted))}`, 1), ...s.items([['file', `${s.text(found.file)}, line ${target.line}`]])],
    [...s.heading('Diagnosis', 2), ...s.items(diagnosis)],
  ];
}

const LEVEL_WORDS: Record<EvidenceLevel, string> = {
  logits: 'logits: log_softmax of each row at the target id (exact)',
  server: "the model server's own per-token log-probs (exact)",
  topk: 'top-k lists: exact where the target is listed, else an upper bound',
  values: 'none: per-token values but no logits, top-k lists or server log-probs to check them against',
  score: 'none: only a score',
};

function header(found: Found, line: number, ctx: RecordContext, s: Style): string[] {
  const r = ctx.record;
  const pairs: [string, string][] = [['file', `${s.text(found.file)}, line ${line} (${found.format ?? 'format not detected'})`]];
  if (r.group !== undefined) pairs.push(['group', s.text(JSON.stringify(r.group))]);
  if (r.prompt !== undefined) pairs.push(['prompt', promptText(r.prompt, s)]);
  if (r.completion !== undefined) pairs.push(['completion', s.quote(r.completion)]);
  pairs.push(['reference', LEVEL_WORDS[ctx.ref.level]]);
  return [...s.heading(`evalaudit explain: record ${s.text(JSON.stringify(r.id))}`, 1), ...s.items(pairs)];
}

function promptText(prompt: string, s: Style): string {
  const chars = [...prompt];
  if (chars.length <= PROMPT_CHARS) return s.quote(prompt);
  return `… ${s.quote(chars.slice(-PROMPT_CHARS).join(''))} (last ${PROMPT_CHARS} of ${chars.length} characters)`;
}
