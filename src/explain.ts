/**
 * `evalaudit explain <file> --record <id>`: one record's numbers step by step, next to the
 * reference, with the diagnosis the audit gives it, and for a multiple-choice candidate its
 * group. Everything is computed by the engine (diagnoseRecord, candidateOf, the group rules) so
 * that explain never disagrees with audit; this module only finds the record and lays it out.
 */
import { stat } from 'node:fs/promises';
import type { AuditRecord, Finding, RawItem, Severity, SeveritySetting } from './types.js';
import { candidateOf, diagnoseRecord, finishGroup, recordFinding, resolveSeverities, type RecordVerdict } from './engine/index.js';
import { KEYS, type Candidate, type GroupContext } from './engine/group-context.js';
import type { HeldFinding } from './engine/harmonize.js';
import type { Diagnosis, RuleMeta } from './engine/rule.js';
import type { RecordContext } from './engine/record-context.js';
import { fmt } from './engine/evidence.js';
import type { EvidenceLevel } from './reference/sequence.js';
import { InputError, readFileItems } from './ingest/index.js';
import { escapeCell } from './report/markdown.js';
import { escapeUnprintable } from './report/format.js';

export interface ExplainOptions {
  format: 'text' | 'markdown';
  inputFormat?: string;
  /** `--map field=path`, as for audit (needed to read a custom format). */
  fieldMap?: Record<string, string>;
  /** Per-rule severity overrides, as audit's `--rule`: a rule that is off is not asked. */
  severities?: Record<string, SeveritySetting>;
}

/** The record cannot be explained: it is not in the file. The message says what is. */
export class ExplainError extends Error {
  override readonly name = 'ExplainError';
}

/** How many ids an ExplainError lists: enough to spot a typo, few enough to read. */
const LISTED_IDS = 10;

/** Long few-shot prompts would bury the table; the end is what the continuation follows. */
const PROMPT_CHARS = 200;

export async function explain(file: string, recordId: string, options: ExplainOptions): Promise<string> {
  const severities = resolveSeverities(options.severities);
  await assertFile(file);
  const found = await findRecord(file, recordId, severities, options);
  const style = options.format === 'markdown' ? MARKDOWN : TEXT;
  const sections = found.target.kind === 'invalid' ? invalidSections(found, found.target, recordId, severities, style) : recordSections(found, found.target, style);
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

// ── Finding the record and its group ─────────────────────────────────────────

/** A group candidate, kept small: a group can be far from its record in a large file. */
interface Member {
  candidate: Candidate;
  completion: string | undefined;
  /** Its record-level finding, as audit would hold it until the group is complete. */
  held: HeldFinding | null;
  isTarget: boolean;
  /**
   * Whether the candidate's total and first-token log-prob are the reference's. Without a
   * reference the engine falls back to the recorded numbers of a clean record; say so.
   */
  totalIsReference: boolean;
  firstIsReference: boolean;
}

interface RecordTarget {
  kind: 'record';
  line: number;
  verdict: RecordVerdict;
  /** Its record-level finding after the group had its say (see harmonizeGroup). */
  finding: Finding | null;
}

interface InvalidTarget {
  kind: 'invalid';
  line: number;
  message: string;
}

interface GroupView {
  context: GroupContext;
  members: Member[];
  finding: { meta: RuleMeta; severity: Severity; diagnosis: Diagnosis } | null;
}

interface Found {
  file: string;
  format: string | null;
  target: RecordTarget | InvalidTarget;
  group: GroupView | null;
}

/**
 * Reads the file once. Grouped records are diagnosed as they stream by, like audit does, since
 * the target's siblings may come before it; once the target is known, other groups are dropped.
 */
async function findRecord(file: string, wanted: string, severities: Map<string, SeveritySetting>, options: ExplainOptions): Promise<Found> {
  const reading = await readFileItems(file, { inputFormat: options.inputFormat, fieldMap: options.fieldMap });
  const ids = new IdList();
  const byGroup = new Map<string | number, Member[]>();
  let target: RecordTarget | null = null;
  let targetGroup: string | number | undefined;
  let invalid: InvalidTarget | null = null;
  let firstProblem: Extract<RawItem, { kind: 'invalid' }> | null = null;
  let aggregates = 0;

  for await (const item of reading.items as AsyncIterable<RawItem>) {
    if (item.kind === 'aggregate') {
      aggregates++;
      continue;
    }
    if (item.kind === 'skipped') continue;
    if (item.kind === 'invalid') {
      firstProblem ??= item;
      if (item.recordId !== undefined) ids.add(item.recordId);
      // A later readable record with the same id wins: it is what audit checks.
      if (!target && !invalid && item.recordId !== undefined && String(item.recordId) === wanted) {
        invalid = { kind: 'invalid', line: item.line, message: item.message };
      }
      continue;
    }
    const { record, line } = item;
    ids.add(record.id);
    const isTarget = target === null && String(record.id) === wanted;
    const key = record.group;
    // Only the target and candidates of a group that may be the target's need a diagnosis.
    if (!isTarget && (key === undefined || (target !== null && key !== targetGroup))) continue;

    const verdict = diagnoseRecord(record, file, line, severities);
    if (isTarget) {
      target = { kind: 'record', line, verdict, finding: key === undefined ? recordFinding(verdict, file, line, severities) : null };
      targetGroup = key;
      for (const other of [...byGroup.keys()]) if (other !== key) byGroup.delete(other);
      // An ungrouped record needs nothing from the rest of the file.
      if (key === undefined) break;
    }
    if (key === undefined) continue;
    let list = byGroup.get(key);
    if (!list) byGroup.set(key, (list = []));
    list.push(memberOf(verdict, record, file, line, severities, isTarget));
  }

  if (target) return { file, format: reading.format, target, group: groupOf(file, target, targetGroup, byGroup.get(targetGroup!), severities) };
  if (invalid) return { file, format: reading.format, target: invalid, group: null };
  throw new ExplainError(notFoundMessage(file, wanted, ids, firstProblem, aggregates));
}

/** The first few distinct ids, for the not-found message, and how many there are. */
class IdList {
  readonly shown: string[] = [];
  private readonly seen = new Set<string>();
  add(id: string | number): void {
    const s = String(id);
    if (this.seen.has(s)) return;
    this.seen.add(s);
    if (this.shown.length < LISTED_IDS) this.shown.push(s);
  }
  get count(): number {
    return this.seen.size;
  }
}

function notFoundMessage(file: string, wanted: string, ids: IdList, problem: Extract<RawItem, { kind: 'invalid' }> | null, aggregates: number): string {
  const head = `no record with id ${JSON.stringify(wanted)} in ${file}`;
  if (ids.count === 0) {
    // A harness results file: the records are in its samples file.
    if (aggregates > 0) return `${head}: the file holds only aggregate metrics (${aggregates}), no per-record data; explain a samples file instead`;
    return problem ? `${head}: the file has no readable records (line ${problem.line}: ${problem.message})` : `${head}: the file has no records`;
  }
  const more = ids.count > ids.shown.length ? `, … (${ids.count - ids.shown.length} more)` : '';
  return `${head}; ids in this file: ${ids.shown.map((s) => JSON.stringify(s)).join(', ')}${more}`;
}

function memberOf(v: RecordVerdict, record: AuditRecord, file: string, line: number, severities: Map<string, SeveritySetting>, isTarget: boolean): Member {
  const finding = recordFinding(v, file, line, severities);
  return {
    candidate: candidateOf(v, line),
    completion: record.completion ?? (record.tokens ? record.tokens.join('') : undefined),
    held: finding ? { finding, range: v.diagnosis?.basis === 'range' } : null,
    isTarget,
    totalIsReference: !Number.isNaN(v.ctx.ref.total),
    firstIsReference: v.ctx.n > 0 && !Number.isNaN(v.ctx.ref.exact[0]),
  };
}

/** The group as audit sees it at the file's end: harmonised record findings, then the group rules. */
function groupOf(
  file: string,
  target: RecordTarget,
  key: string | number | undefined,
  members: Member[] | undefined,
  severities: Map<string, SeveritySetting>,
): GroupView | null {
  if (key === undefined || !members) return null;
  const held = members.flatMap((m) => (m.held ? [m.held] : []));
  const outcome = finishGroup(file, key, members.map((m) => m.candidate), held, severities);
  const own = members.find((m) => m.isTarget)?.held?.finding ?? null;
  // finishGroup drops a finding whose (possibly renamed) rule is off, as audit does.
  target.finding = own && outcome.recordFindings.includes(own) ? own : null;
  return { context: outcome.context, members, finding: outcome.group };
}

// ── Output styles ────────────────────────────────────────────────────────────

/** What differs between the terminal and Markdown; the sections are written once against it. */
interface Style {
  /** A token, completion or prompt: quoted, so leading spaces and newlines show. */
  quote(text: string): string;
  /** Free text (messages, ids, paths) made safe for the medium. */
  text(text: string): string;
  heading(title: string, level: 1 | 2 | 3): string[];
  /** Cells must already be escaped; `align` has one letter per column, l or r. */
  table(header: readonly string[], align: string, rows: readonly (readonly string[])[]): string[];
  /** `key: value` lines; values already escaped. */
  items(pairs: readonly (readonly [string, string])[], indent?: number): string[];
  /** A plain paragraph line (already escaped). */
  line(text: string): string;
}

/** Code points, not UTF-16 units, so ≤ ✓ and accented tokens pad right. */
function width(s: string): number {
  return [...s].length;
}

/**
 * On a terminal a token is printed as a JSON string: whitespace shows, and control characters
 * or bidi overrides that JSON leaves raw are escaped so they cannot drive the terminal.
 */
const TEXT: Style = {
  quote: (t) => escapeUnprintable(JSON.stringify(t)),
  text: (t) => escapeUnprintable(t),
  heading: (title, level) => (level === 1 ? [title, ''] : level === 2 ? [title, '-'.repeat(width(title))] : [`${title}:`]),
  table(header, align, rows) {
    const widths = header.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c] ?? ''))));
    const pad = (cells: readonly string[]) =>
      cells
        .map((cell, c) => {
          const fill = ' '.repeat(widths[c] - width(cell));
          return align[c] === 'r' ? fill + cell : cell + fill;
        })
        .join('  ')
        .trimEnd();
    return [pad(header), pad(widths.map((w) => '-'.repeat(w))), ...rows.map(pad)];
  },
  items(pairs, indent = 0) {
    // Values start in one column, so a list of numbers reads like a table.
    const keyWidth = Math.max(...pairs.map(([k]) => width(k)));
    return pairs.map(([k, v]) => `${' '.repeat(indent)}${`${k}:`.padEnd(keyWidth + 1)} ${v}`.trimEnd());
  },
  line: (t) => t,
};

/**
 * In Markdown a token is JSON-quoted and then escaped: a table cell trims the leading space
 * that often tells two tokens apart, and escapeCell keeps `|` and friends from breaking the row.
 */
const MARKDOWN: Style = {
  quote: (t) => escapeCell(JSON.stringify(t)),
  text: (t) => escapeCell(t),
  // The blank line keeps a following table or list its own block in every renderer.
  heading: (title, level) => [`${'#'.repeat(level)} ${title}`, ''],
  table(header, align, rows) {
    const rule = [...align].map((a) => (a === 'r' ? '---:' : '---'));
    return [header, rule, ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  },
  items(pairs, indent = 0) {
    return pairs.map(([k, v]) => `${'  '.repeat(indent / 2)}- **${k}:** ${v}`.trimEnd());
  },
  line: (t) => t,
};

// ── Sections ─────────────────────────────────────────────────────────────────

function recordSections(found: Found, target: RecordTarget, s: Style): string[][] {
  const { ctx } = target.verdict;
  return [header(found, target.line, ctx, s), tokenSection(ctx, s), totalsSection(ctx, s), diagnosisSection(target.finding, ctx, s), groupSection(found.group, s)];
}

function invalidSections(found: Found, target: InvalidTarget, wanted: string, severities: Map<string, SeveritySetting>, s: Style): string[][] {
  const severity = severities.get('invalid-record') ?? 'error';
  return [
    [...s.heading(`evalaudit explain: record ${s.text(JSON.stringify(wanted))}`, 1), ...s.items([['file', `${s.text(found.file)}, line ${target.line}`]])],
    [
      ...s.heading('Diagnosis', 2),
      ...s.items([
        ['rule', `invalid-record (${severity})`],
        ['message', `the record cannot be read, so there are no numbers to explain: ${s.text(target.message)}`],
      ]),
    ],
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

// ── Per-token rows ───────────────────────────────────────────────────────────

/** One row per token, plus a row per recorded value beyond the tokens (a length mismatch). */
function tokenSection(ctx: RecordContext, s: Style): string[] {
  const recordedCount = ctx.values?.length ?? 0;
  const rows: string[][] = [];
  for (let i = 0; i < Math.max(ctx.n, recordedCount); i++) rows.push(i < ctx.n ? tokenRow(ctx, i, s) : extraValueRow(ctx, i));
  const out = s.heading('Tokens', 2);
  if (rows.length === 0) return [...out, s.line('(no per-token data: the record has no tokens, token ids, per-token values, logits or top-k lists)')];
  out.push(
    ...s.table(['step', 'token', 'recorded', 'reference', 'top alternative', 'recorded − reference'], 'rlrrlr', rows),
    '',
    s.line("step is 0-based, as in a finding's evidence.step. ✓ the target is its step's top token; ✗ differs from the reference by more than float32 rounding; ≤ only an upper bound is known; ? unknown."),
  );
  const note = lengthNote(ctx);
  if (note) out.push(s.line(note));
  return out;
}

function tokenRow(ctx: RecordContext, i: number, s: Style): string[] {
  return [String(i), tokenCell(ctx, i, s), recordedCell(ctx, i), referenceCell(ctx, i), topAlternativeCell(ctx, i, s), differenceCell(ctx, i)];
}

/** A recorded value with no token to belong to: the scorer's window was off by some steps. */
function extraValueRow(ctx: RecordContext, i: number): string[] {
  return [String(i), '(no token)', recordedCell(ctx, i), '—', '—', '—'];
}

/** Values are laid against tokens by position; the diagnosis says which value is the odd one. */
function lengthNote(ctx: RecordContext): string | null {
  const v = ctx.values;
  if (!v || v.length === ctx.n) return null;
  const lo = Math.min(v.length, ctx.n);
  const hi = Math.max(v.length, ctx.n) - 1;
  const steps = lo === hi ? `step ${lo}` : `steps ${lo}–${hi}`;
  const what = v.length > ctx.n ? 'no token' : 'no recorded value';
  return `${v.length} recorded values for ${ctx.n} tokens, shown by position: ${steps} ${lo === hi ? 'has' : 'have'} ${what}.`;
}

function tokenCell(ctx: RecordContext, i: number, s: Style): string {
  const t = ctx.token(i);
  if (t !== undefined) return s.quote(t);
  const id = ctx.record.token_ids?.[i];
  return id !== undefined ? `id ${id}` : '?';
}

function recordedCell(ctx: RecordContext, i: number): string {
  const v = ctx.values;
  if (!v) return 'n/a';
  if (i >= v.length) return '(missing)';
  return ctx.record.logprobs![i] === null ? 'null' : fmt(v[i]);
}

/** Where the target was not in a top-k list, the list still bounds it from above. */
function hasBound(ctx: RecordContext, i: number): boolean {
  return Number.isNaN(ctx.ref.exact[i]) && ctx.ref.upper[i] !== 0;
}

function referenceCell(ctx: RecordContext, i: number): string {
  const e = ctx.ref.exact[i];
  if (!Number.isNaN(e)) return fmt(e);
  return hasBound(ctx, i) ? `≤ ${fmt(ctx.ref.upper[i])}` : '?';
}

function topAlternativeCell(ctx: RecordContext, i: number, s: Style): string {
  const { ref } = ctx;
  if (Number.isNaN(ref.top1[i])) return '—';
  const label = ref.top1Token[i] !== '' ? s.quote(ref.top1Token[i]) : ref.top1Id[i] >= 0 ? `id ${ref.top1Id[i]}` : '?';
  return `${label} ${fmt(ref.top1[i])}${isTop(ctx, i) ? ' ✓' : ''}`;
}

/** The target is the step's favourite: by id when both sides have one, else by text (as findInTop matches). */
function isTop(ctx: RecordContext, i: number): boolean {
  const { ref, record } = ctx;
  const id = record.token_ids?.[i];
  if (ref.top1Id[i] >= 0 && id !== undefined) return ref.top1Id[i] === id;
  const t = ctx.token(i);
  return ref.top1Token[i] !== '' && t !== undefined && ref.top1Token[i] === t;
}

function differenceCell(ctx: RecordContext, i: number): string {
  const v = ctx.values;
  if (!v || i >= v.length || Number.isNaN(v[i])) return '—';
  const e = ctx.ref.exact[i];
  if (!Number.isNaN(e)) return `${signed(v[i] - e)}${ctx.valueMatches(i, e) ? '' : ' ✗'}`;
  if (!hasBound(ctx, i)) return '?';
  // reference ≤ upper, so recorded − reference ≥ recorded − upper.
  const u = ctx.ref.upper[i];
  return `≥ ${signed(v[i] - u)}${v[i] > u + ctx.stepTol(i) ? ' ✗' : ''}`;
}

function signed(x: number): string {
  return x > 0 ? `+${fmt(x)}` : fmt(x);
}

// ── Totals ───────────────────────────────────────────────────────────────────

function totalsSection(ctx: RecordContext, s: Style): string[] {
  const pairs: [string, string][] = [
    ['recorded score', ctx.score === undefined ? 'n/a (no score recorded)' : `${fmt(ctx.score)} (${ctx.kind})`],
    ['Σ recorded values', recordedSum(ctx)],
    ['reference total log-prob', referenceTotal(ctx)],
  ];
  const total = ctx.ref.total;
  if (!Number.isNaN(total)) {
    // The score is compared in its own kind; show the reference in that kind too.
    if (ctx.kind !== 'logprob') pairs.push([`reference as ${ctx.kind}`, fmt(ctx.declared(total))]);
    if (ctx.score !== undefined) pairs.push(['recorded − reference score', signed(ctx.score - ctx.declared(total))]);
  }
  return [...s.heading('Totals', 2), ...s.items(pairs)];
}

function recordedSum(ctx: RecordContext): string {
  if (!ctx.values) return 'n/a (no per-token values recorded)';
  const nulls = ctx.nulls > 0 ? ` (${ctx.nulls} null${ctx.nulls === 1 ? '' : 's'} counted as 0)` : '';
  return `${fmt(ctx.valuesTotal)} over ${ctx.values.length} value${ctx.values.length === 1 ? '' : 's'}${nulls}`;
}

function referenceTotal(ctx: RecordContext): string {
  const { ref } = ctx;
  if (!Number.isNaN(ref.total)) return fmt(ref.total);
  if (ctx.n === 0) return '? (no continuation tokens)';
  const known = `${ref.known} of ${ctx.n} steps known`;
  // Known steps plus upper bounds for the rest bound the total when every step has one or the other.
  let bound = 0;
  for (let i = 0; i < ctx.n; i++) {
    if (!Number.isNaN(ref.exact[i])) bound += ref.exact[i];
    else if (hasBound(ctx, i)) bound += ref.upper[i];
    else return `? (${known})`;
  }
  return `≤ ${fmt(bound)} (${known})`;
}

// ── Diagnosis ────────────────────────────────────────────────────────────────

function diagnosisSection(finding: Finding | null, ctx: RecordContext, s: Style): string[] {
  const head = s.heading('Diagnosis', 2);
  if (!finding) return [...head, s.line(noFinding(ctx))];
  return [...head, ...findingLines(finding.ruleId, finding.severity, finding, s)];
}

/** Only claim agreement with as much reference as the record actually carries. */
function noFinding(ctx: RecordContext): string {
  let bounded = 0;
  let unknown = 0;
  for (let i = 0; i < ctx.n; i++) {
    if (!Number.isNaN(ctx.ref.exact[i])) continue;
    if (hasBound(ctx, i)) bounded++;
    else unknown++;
  }
  if (ctx.ref.level === 'values' || ctx.ref.level === 'score' || (ctx.n > 0 && unknown === ctx.n)) {
    return 'no finding: the recorded numbers are consistent with each other, but the record carries no reference (logits, top-k lists or server log-probs) to check them against';
  }
  const caveats: string[] = [];
  if (bounded > 0) caveats.push('where only a bound is known, the recorded values respect it');
  if (unknown > 0) caveats.push(`${unknown} step${unknown === 1 ? ' has' : 's have'} no reference and ${unknown === 1 ? 'is' : 'are'} not checked`);
  return `no finding: the numbers agree with the reference within float32 tolerance${caveats.length ? ` (${caveats.join('; ')})` : ''}`;
}

type FindingLike = Pick<Diagnosis, 'message' | 'recorded' | 'expected' | 'evidence'>;

/** Rule id and severity, message, recorded/expected, and the evidence as `key: value` lines. */
function findingLines(ruleId: string, severity: Severity, f: FindingLike, s: Style, omit: readonly string[] = []): string[] {
  const pairs: [string, string][] = [
    ['rule', `${s.text(ruleId)} (${severity})`],
    ['message', s.text(f.message)],
  ];
  if (f.recorded !== undefined) pairs.push(['recorded', fmt(f.recorded)]);
  if (f.expected !== undefined) pairs.push(['expected', fmt(f.expected)]);
  const evidence = Object.entries(f.evidence ?? {}).filter(([k, v]) => v !== undefined && !omit.includes(k));
  const lines = s.items(pairs);
  if (evidence.length > 0) lines.push(...s.items([['evidence', '']]), ...s.items(evidence.map(([k, v]) => [s.text(k), s.text(evidenceValue(v))]), 2));
  return lines;
}

function evidenceValue(v: unknown): string {
  if (typeof v === 'number') return fmt(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || typeof v === 'boolean') return String(v);
  // JSON would print NaN and ±Infinity as null; say what they are.
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
}

// ── Group ────────────────────────────────────────────────────────────────────

function groupSection(group: GroupView | null, s: Style): string[] {
  if (!group) return [];
  const g = group.context;
  const n = g.candidates.length;
  return [
    ...s.heading(`Group ${s.text(JSON.stringify(g.group))} (${n} candidate${n === 1 ? '' : 's'})`, 2),
    ...s.table(['', 'id', 'selected', 'gold', 'first-token log-prob', 'total log-prob', 'tokens', 'completion', 'record finding'], 'llllrrrll', group.members.map((m) => candidateRow(m, s))),
    '',
    ...s.items(pickPairs(group, s)),
    '',
    ...groupFindingLines(group, s),
  ];
}

function candidateRow(m: Member, s: Style): string[] {
  const c = m.candidate;
  return [
    m.isTarget ? '▶' : '',
    s.text(JSON.stringify(c.id)),
    c.selected ? 'yes' : 'no',
    c.gold === undefined ? '?' : c.gold ? 'yes' : 'no',
    sourced(c.first, m.firstIsReference),
    sourced(c.total, m.totalIsReference),
    String(c.tokens),
    m.completion === undefined ? '?' : s.quote(m.completion),
    m.held ? s.text(m.held.finding.ruleId) : '—',
  ];
}

function sourced(x: number, isReference: boolean): string {
  if (Number.isNaN(x)) return '?';
  return isReference ? fmt(x) : `${fmt(x)} (recorded)`;
}

function pickPairs(group: GroupView, s: Style): [string, string][] {
  const g = group.context;
  const recorded = group.members.some((m) => !m.totalIsReference && !Number.isNaN(m.candidate.total));
  const pairs: [string, string][] = [
    ['picked by the pipeline', s.text(pipelinePick(g))],
    // Without a reference the objective can only be applied to the recorded numbers.
    ['picked by the sequence objective (highest total)', s.text(objectivePick(g) + (recorded && g.best ? ', using recorded totals where there is no reference' : ''))],
  ];
  const gold = g.candidates.filter((c) => c.gold === true);
  if (gold.length > 0) pairs.push(['gold', s.text(gold.map((c) => JSON.stringify(c.id)).join(', '))]);
  return pairs;
}

function pipelinePick(g: GroupContext): string {
  if (g.selected) return g.describe(g.selected);
  if (g.selectedCount === 0) return 'none: no candidate is marked selected';
  const ids = g.candidates.filter((c) => c.selected).map((c) => JSON.stringify(c.id));
  return `ambiguous: ${g.selectedCount} candidates are marked selected (${ids.join(', ')})`;
}

function objectivePick(g: GroupContext): string {
  if (!g.best) {
    const unknown = g.candidates.filter((c) => Number.isNaN(c.total)).map((c) => JSON.stringify(c.id));
    return `unknown: no known total for ${unknown.join(', ')}`;
  }
  const tie = g.tieWith(g.best, KEYS.total) ? ' (tied with another candidate within their tolerances: either pick is fine)' : '';
  return `${g.describe(g.best)}${tie}`;
}

function groupFindingLines(group: GroupView, s: Style): string[] {
  const f = group.finding;
  if (!f) return [s.line('no group finding')];
  const g = group.context;
  const about = f.diagnosis.recordId ?? g.selected?.id;
  // The candidates' numbers are the table above; repeating them as JSON would only bury the rest.
  const lines = [...s.heading('Group finding', 3), ...findingLines(f.meta.id, f.severity, f.diagnosis, s, ['candidates'])];
  if (about !== undefined) lines.push(...s.items([['concerns record', s.text(JSON.stringify(about))]]));
  return lines;
}
