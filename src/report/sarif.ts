/**
 * SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF viewers. Rules come from rule
 * metadata (summary, doc link, message templates as messageStrings); each finding is a result
 * with its rule, level, message id and text, file and line, and partialFingerprints from its
 * stable key (file, record, rule, message id) so a viewer tracks it across runs. Findings the
 * baseline accepted are kept as suppressed results, as SARIF intends.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, Severity } from '../types.js';
import type { RunResult } from '../engine/result.js';
import type { RuleMeta } from '../engine/rule.js';
import { inReportOrder, mergeOrdered } from '../engine/order.js';
import { PLACEHOLDER } from '../engine/messages.js';
import { absoluteDocsUrl, homepage, toolName, toolVersion } from '../project.js';
import { displayPath } from './format.js';
import { encodeNumber } from './json.js';
import { findingKey, keyFingerprint } from './finding-key.js';
import type { ReportOptions } from './reporter.js';
import { joined, jsonPieces } from './json-pieces.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The partialFingerprints key: versioned, so a change of key shape is a new fingerprint kind. */
export const FINGERPRINT = 'evalauditFindingKey/v1';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

type RuleInfo = Partial<RuleMeta> & { id: string };

/**
 * A message template in SARIF's placeholder syntax: `{{name}}` becomes `{0}`, `{1}`, … in order
 * of first use, and literal braces are doubled (SARIF §3.11.5). `names` lists the placeholders by index.
 */
export function sarifTemplate(template: string): { text: string; names: string[] } {
  const names: string[] = [];
  let text = '';
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    text += literal(template.slice(last, m.index));
    let i = names.indexOf(m[1]);
    if (i < 0) i = names.push(m[1]) - 1;
    text += `{${i}}`;
    last = m.index + m[0].length;
  }
  return { text: text + literal(template.slice(last)), names };
}

function literal(s: string): string {
  return s.replace(/[{}]/g, '$&$&');
}

/**
 * The values a rendered message filled its template with, for SARIF's message.arguments: the
 * template read as a pattern (placeholders as lazy groups, a repeated one as a back-reference).
 * Null when the message does not match (a rule's text may be reworded between versions).
 */
export function messageArguments(template: string, message: string): string[] | null {
  const groups: string[] = [];
  let pattern = '';
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    pattern += escapeRegExp(template.slice(last, m.index));
    const seen = groups.indexOf(m[1]);
    pattern += seen >= 0 ? `\\k<p${seen}>` : `(?<p${groups.push(m[1]) - 1}>.*?)`;
    last = m.index + m[0].length;
  }
  if (groups.length === 0) return null;
  const match = new RegExp(`^${pattern}${escapeRegExp(template.slice(last))}$`, 's').exec(message);
  return match ? groups.map((_, i) => match.groups![`p${i}`]) : null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function artifactUri(path: string): string {
  return isAbsolute(path) ? pathToFileURL(path).href : encodeURI(path).replace(/[?#]/g, encodeURIComponent);
}

export function buildSarif(result: RunResult, options: Pick<ReportOptions, 'cwd' | 'gate'>): Record<string, unknown> {
  const { head, findings, resultOf } = sarifParts(result, options);
  const run = (head.runs as Record<string, unknown>[])[0];
  run.results = [...findings].map(resultOf);
  return head;
}

/** The same text as `renderSarif`, piece by piece (what a large run's writer streams). */
export function renderSarifChunks(result: RunResult, options: ReportOptions): Generator<string> {
  const { head, findings, resultOf } = sarifParts(result, options);
  return jsonPieces(head, findings, resultOf);
}

type Merged = { finding: Finding; fromB: boolean };

/**
 * The log with its results empty (their array the last value), the findings they come from (the
 * reported ones merged with those the baseline suppressed, in report order), and how.
 */
function sarifParts(result: RunResult, options: Pick<ReportOptions, 'cwd' | 'gate'>): { head: Record<string, unknown>; findings: Iterable<Merged>; resultOf: (m: Merged) => unknown } {
  const suppressed = options.gate?.baseline?.suppressed ?? [];
  const findings: Iterable<Merged> = { [Symbol.iterator]: () => mergeOrdered(inReportOrder(result.findings), inReportOrder(suppressed)) };
  // Every enabled rule, then any rule a finding names without metadata (in the order findings
  // first name them): the index is the result's ruleIndex.
  const rules: RuleInfo[] = [...result.rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const named = new Set(Object.keys(result.summary.byRule));
  for (const f of suppressed) named.add(f.ruleId);
  if ([...named].some((id) => !index.has(id))) {
    for (const { finding: f } of findings) if (!index.has(f.ruleId)) index.set(f.ruleId, rules.push({ id: f.ruleId }) - 1);
  }
  const baselineFile = options.gate?.baseline?.file;
  const head = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: toolName, version: toolVersion, semanticVersion: toolVersion, informationUri: homepage, rules: rules.map(ruleDescriptor) } },
        results: [],
      },
    ],
  };
  return { head, findings, resultOf: ({ finding: f, fromB }) => resultOf(f, rules[index.get(f.ruleId)!], index.get(f.ruleId)!, options.cwd, fromB ? baselineFile : undefined) };
}

export function renderSarif(result: RunResult, options: ReportOptions): string {
  return joined(renderSarifChunks(result, options));
}

function ruleDescriptor(r: RuleInfo): Record<string, unknown> {
  const messages = Object.entries(r.messages ?? {});
  return {
    id: r.id,
    ...(r.summary ? { shortDescription: { text: r.summary } } : {}),
    ...(r.evidence ? { fullDescription: { text: `${r.summary ?? r.id}. Evidence it needs: ${r.evidence}.` } } : {}),
    helpUri: absoluteDocsUrl(r.docs, r.id),
    ...(r.defaultSeverity ? { defaultConfiguration: { level: LEVEL[r.defaultSeverity] } } : {}),
    ...(messages.length > 0 ? { messageStrings: Object.fromEntries(messages.map(([id, t]) => [id, { text: sarifTemplate(t).text }])) } : {}),
    properties: { tags: ['evalaudit', ...(r.scopes ?? [])] },
  };
}

function resultOf(f: Finding, rule: RuleInfo, ruleIndex: number, cwd: string | undefined, suppressedBy: string | undefined): Record<string, unknown> {
  const path = displayPath(f.file, cwd);
  const template = rule.messages?.[f.messageId];
  const args = template === undefined ? null : messageArguments(template, f.message);
  const properties: Record<string, unknown> = {};
  if (f.recordId !== undefined) properties.recordId = f.recordId;
  if (f.group !== undefined) properties.group = f.group;
  if (f.recorded !== undefined) properties.recorded = f.recorded === null ? null : encodeNumber(f.recorded);
  if (f.expected !== undefined) properties.expected = f.expected === null ? null : encodeNumber(f.expected);
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { id: f.messageId, text: f.message, ...(args ? { arguments: args } : {}) },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: artifactUri(path) }, ...(f.line >= 1 ? { region: { startLine: f.line } } : {}) },
        ...(f.recordId !== undefined ? { logicalLocations: [{ name: String(f.recordId), kind: 'object' }] } : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT]: keyFingerprint(findingKey(f, cwd)) },
    ...(suppressedBy !== undefined ? { suppressions: [{ kind: 'external', justification: `accepted in the baseline ${suppressedBy}` }] } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}
