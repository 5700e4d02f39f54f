/**
 * A JUnit report's test cases of one file (junit.ts): which test case each finding belongs to
 * (its audited item's, else its line's), the counts the testsuite's element needs before its
 * test cases (countCases, the first read of the findings), and the test cases' text, made as the
 * findings are read a second time (StreamedCases) or, when the file's testsuite cannot be written
 * yet, held whole (heldCases).
 */
import type { Finding } from '../types.js';
import type { FileSummary } from '../engine/result.js';
import { auditedEntries } from '../engine/audited-list.js';
import { reaches } from '../engine/severity.js';
import { absoluteDocsUrl } from '../project.js';
import type { FailOn } from '../gate/outcome.js';
import { escapeUnprintable } from './format.js';

export interface TestCase {
  name: string;
  /** Each failing finding's text, XML-escaped; the first one's rule and message head the failure. */
  failing: string[];
  first?: { type: string; message: string };
  passing: string[];
  skipped?: string;
  /** A gate check's failure, not a finding's. */
  failure?: { type: string; message: string };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** XML text: unprintable characters as escape text first (XML 1.0 cannot hold most controls at all), lone surrogates replaced. */
export function xmlEscape(text: string): string {
  return escapeUnprintable(text.replace(LONE_SURROGATE, '\uFFFD'))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** What the first pass keeps of a file: its audited items that have findings, and its counts of the other test cases. */
export interface FileCounts {
  /** Keys (itemKey) of the audited items some finding belongs to: how many findings, and how many audited items have the key. */
  audited: Map<string, { findings: number; items: number }>;
  /** Test cases of findings on no audited item (one per line), and of those, with their audited items, how many fail. */
  lineCases: number;
  failures: number;
}

export function itemKey(kind: 'record' | 'group', id: string | number): string {
  return `${kind}:${JSON.stringify(id)}`;
}

/** The audited item a finding names (its group, else its record), whether or not it was audited. */
function ownKey(f: Finding): string | null {
  return f.group !== undefined ? itemKey('group', f.group) : f.recordId !== undefined ? itemKey('record', f.recordId) : null;
}

/** A finding's test case, from its ownKey and line: its own audited item's, or (an unreadable row, a file-level finding) its line's. */
function caseKey(own: string | null, line: number, audited: ReadonlyMap<string, unknown>): string {
  return own !== null && audited.has(own) ? own : `line:${line}`;
}

function failing(f: Finding, failOn: FailOn): boolean {
  return failOn !== 'none' && reaches(f.severity, failOn);
}

/** The first pass over a file's findings. */
export function countCases(file: FileSummary | undefined, block: Iterable<Finding>, failOn: FailOn): FileCounts {
  // Which audited item a finding belongs to is known only once its key is looked for among the
  // file's audited items: each finding's key, line and verdict are kept until the block ends.
  const owns: (string | null)[] = [];
  const lines: number[] = [];
  const fails: boolean[] = [];
  const named = new Set<string>();
  for (const f of block) {
    const own = ownKey(f);
    if (own !== null) named.add(own);
    owns.push(own);
    lines.push(f.line);
    fails.push(failing(f, failOn));
  }
  const audited = new Map<string, { findings: number; items: number }>();
  if (named.size > 0 && file?.auditedItems) {
    for (const item of auditedEntries(file.auditedItems)) {
      const key = itemKey(item.kind, item.id);
      if (!named.has(key)) continue;
      const a = audited.get(key);
      if (a) a.items++;
      else audited.set(key, { findings: 0, items: 1 });
    }
  }
  const fail = new Map<string, boolean>();
  for (let i = 0; i < owns.length; i++) {
    const key = caseKey(owns[i], lines[i], audited);
    fail.set(key, fail.get(key) === true || fails[i]);
    const a = audited.get(key);
    if (a) a.findings++;
  }
  let lineCases = 0;
  let failures = 0;
  for (const [key, fails] of fail) {
    if (key.startsWith('line:')) lineCases++;
    if (fails) failures++;
  }
  return { audited, lineCases, failures };
}

/** Adds a finding's text to its test case, made when it is the key's first. */
function addToCase(cases: Map<string, TestCase>, key: string, f: Finding, failOn: FailOn, docs: ReadonlyMap<string, string>): void {
  let c = cases.get(key);
  if (!c) {
    // An audited item's case is written under its item's name (suiteXml).
    const name = key.startsWith('line:') ? (f.line >= 1 ? `line ${f.line}${f.recordId !== undefined ? ` (record ${JSON.stringify(f.recordId)})` : ''}` : 'whole file') : '';
    cases.set(key, (c = { name, failing: [], passing: [] }));
  }
  const text = findingText(f, docs);
  if (failing(f, failOn)) {
    c.first ??= { type: f.ruleId, message: f.message };
    c.failing.push(text);
  } else c.passing.push(text);
}

/** A file's test cases as suiteXml asks for them: each audited item's in the items' order, then the lines' (in the order they first appear). */
export interface Cases {
  /** The test case of the audited item with this key; undefined when no finding belongs to it. */
  item(key: string): TestCase | undefined;
  lines(): Iterable<TestCase>;
}

/** A file's test cases from all its findings, held (the second read of them): the test cases they belong to, with their text, in the order they first appear. */
export function heldCases(counts: FileCounts, block: Iterable<Finding>, failOn: FailOn, docs: ReadonlyMap<string, string>): Cases {
  const cases = new Map<string, TestCase>();
  for (const f of block) addToCase(cases, caseKey(ownKey(f), f.line, counts.audited), f, failOn, docs);
  return {
    item: (key) => cases.get(key),
    *lines() {
      for (const [key, c] of cases) if (key.startsWith('line:')) yield c;
    },
  };
}

/**
 * A file's test cases made as its findings are read: an audited item's test case is complete
 * once as many findings as countCases counted for it are read, so the findings are read only as
 * far as that, the ones read ahead held in their cases until asked for. The lines' cases come
 * after every audited item's: they are held until the findings end.
 */
export class StreamedCases implements Cases {
  private readonly it: Iterator<Finding>;
  private readonly held = new Map<string, TestCase>();
  /** Per audited key with findings: those not read yet, and the audited items still to ask for its case. */
  private readonly left: Map<string, { findings: number; items: number }>;

  constructor(
    private readonly counts: FileCounts,
    block: Iterable<Finding>,
    private readonly failOn: FailOn,
    private readonly docs: ReadonlyMap<string, string>,
  ) {
    this.it = block[Symbol.iterator]();
    this.left = new Map([...counts.audited].map(([key, n]) => [key, { ...n }]));
  }

  item(key: string): TestCase | undefined {
    const left = this.left.get(key);
    if (!left) return undefined;
    while (left.findings > 0 && this.read());
    const c = this.held.get(key);
    // The last audited item with the key has its case: it is not asked for again.
    if (--left.items === 0) {
      this.held.delete(key);
      this.left.delete(key);
    }
    return c;
  }

  *lines(): Iterable<TestCase> {
    while (this.read());
    for (const [key, c] of this.held) if (key.startsWith('line:')) yield c;
  }

  /** Reads a finding into its case; false when there are no more. */
  private read(): boolean {
    const at = this.it.next();
    if (at.done) return false;
    const f = at.value;
    const key = caseKey(ownKey(f), f.line, this.counts.audited);
    addToCase(this.held, key, f, this.failOn, this.docs);
    const left = this.left.get(key);
    if (left) left.findings--;
    return true;
  }
}

/** A finding's text in a test case, XML-escaped. */
function findingText(f: Finding, docs: ReadonlyMap<string, string>): string {
  const record = f.recordId === undefined ? '' : `, record ${JSON.stringify(f.recordId)}`;
  // Line by line: a line break in a message stays one (xmlEscape would write it as an escape).
  return `${f.severity} ${f.ruleId} (line ${f.line}${record}): ${f.message}\n${absoluteDocsUrl(docs.get(f.ruleId), f.ruleId)}`.split('\n').map(xmlEscape).join('\n');
}
