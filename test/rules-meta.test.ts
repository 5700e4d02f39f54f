/**
 * The rule set as a whole (typescript-eslint's docs.test, ESLint's "every rule has a doc and a
 * test"): every rule is registered, implemented in rules/<id>.ts, documented in rules/<id>.md
 * and tested in test/rules/<id>.test.ts, named like its file, in the scope its list says.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupRules, invalidRecordMeta, recordRules, ruleCatalogue, runRules } from '../rules/index.js';
import type { Rule, RuleMeta, Scope } from '../src/engine/rule.js';
import type { AuditRecord } from '../src/types.js';
import { findingsOf, tempDir, verdict } from './helpers/rule-tester.js';

const root = join(__dirname, '..');
const rulesDir = join(root, 'rules');
const testsDir = join(root, 'test', 'rules');

/** Raised by ingest, not a check: metadata in rules/index.ts, no rules/<id>.ts. */
const INGEST_RULES = new Set([invalidRecordMeta.id]);
/** test/rules suites that span every rule rather than name one. */
const CROSS_RULE_SUITES = new Set(['clean-records']);

const catalogue = ruleCatalogue();
const ids = catalogue.map((m) => m.id);
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
const docFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.md'));
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.test.ts'));
const registered: Rule[] = [...recordRules, ...groupRules, ...runRules];

/** The scopes each id is checked at, in record → group → run order. */
function scopesOf(id: string): Scope[] {
  if (INGEST_RULES.has(id)) return ['record'];
  const scopes: Scope[] = [];
  if (recordRules.some((r) => r.meta.id === id)) scopes.push('record');
  if (groupRules.some((r) => r.meta.id === id)) scopes.push('group');
  if (runRules.some((r) => r.meta.id === id)) scopes.push('run');
  return scopes;
}

const dir = tempDir('evalaudit-docs-');

/**
 * The worked examples of a doc's "## Example" section: each ```json (one record) or ```jsonl
 * (one file) block, with the ```text block after it listing the findings as `rule-id: message`.
 */
function examples(id: string): { kind: 'json' | 'jsonl'; input: string; findings: string[] }[] {
  const text = doc(id);
  const start = text.indexOf('\n## Example');
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const blocks = [...section.matchAll(/```(json|jsonl|text)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], body: m[2].trim() }));
  const out: { kind: 'json' | 'jsonl'; input: string; findings: string[] }[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (b.lang === 'text') continue;
    const next = blocks[i + 1];
    if (!next || next.lang !== 'text') throw new Error(`${id}.md: example ${out.length + 1} has no \`\`\`text block of findings after it`);
    out.push({ kind: b.lang as 'json' | 'jsonl', input: b.body, findings: next.body.split('\n') });
  }
  return out;
}

function doc(id: string): string {
  return readFileSync(join(rulesDir, `${id}.md`), 'utf8');
}

describe('the registry', () => {
  it('catalogues every rule once, sorted by id', () => {
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
    for (const r of registered) expect(ids).toContain(r.meta.id);
  });

  it('ids are kebab-case', () => {
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it('each list holds rules of its own scope', () => {
    for (const r of recordRules) expect(r.meta.scope, r.meta.id).toBe('record');
    for (const r of groupRules) expect(r.meta.scope, r.meta.id).toBe('group');
    for (const r of runRules) expect(r.meta.scope, r.meta.id).toBe('run');
  });

  it('no rule is registered twice in one list', () => {
    for (const list of [recordRules, groupRules, runRules]) {
      const listIds = list.map((r) => r.meta.id);
      expect(new Set(listIds).size).toBe(listIds.length);
    }
  });

  it('a rule checked at several scopes shares its metadata apart from the scope', () => {
    for (const id of ids) {
      const metas = registered.filter((r) => r.meta.id === id).map((r) => r.meta);
      for (const m of metas.slice(1)) {
        const { scope: _a, ...rest } = m;
        const { scope: _b, ...first } = metas[0];
        expect(rest, id).toEqual(first);
      }
    }
  });

  it('record rules go from exact signatures to the catch-all: invalid-logprob first, score-mismatch last', () => {
    expect(recordRules[0].meta.id).toBe('invalid-logprob');
    expect(recordRules.at(-1)!.meta.id).toBe('score-mismatch');
  });

  it('metadata is complete: severity, one-line summary and evidence, doc link', () => {
    for (const m of catalogue) {
      expect(['error', 'warning', 'info'], m.id).toContain(m.defaultSeverity);
      expect(m.summary.length, m.id).toBeGreaterThan(10);
      expect(m.summary, m.id).not.toMatch(/\n/);
      expect(m.evidence.length, m.id).toBeGreaterThan(5);
      expect(m.docs, m.id).toBe(`rules/${m.id}.md`);
    }
  });
});

describe('files', () => {
  it('every rules/*.ts (but index.ts) is registered under its file name, as its default export', async () => {
    for (const file of ruleFiles) {
      const id = basename(file, '.ts');
      const mod = (await import(/* @vite-ignore */ `../rules/${file}`)) as { default: Rule };
      expect(mod.default?.meta?.id, file).toBe(id);
      expect(registered, file).toContain(mod.default);
    }
  });

  it.each(ids)('%s has rules/<id>.ts (or is raised by ingest)', (id) => {
    expect(existsSync(join(rulesDir, `${id}.ts`)), id).toBe(!INGEST_RULES.has(id));
  });

  it.each(ids)('%s has rules/<id>.md', (id) => {
    expect(existsSync(join(rulesDir, `${id}.md`))).toBe(true);
  });

  it.each(ids)('%s has test/rules/<id>.test.ts', (id) => {
    expect(existsSync(join(testsDir, `${id}.test.ts`))).toBe(true);
  });

  it('every doc and every test under test/rules names a rule (or is a cross-rule suite)', () => {
    for (const f of docFiles) expect(ids, f).toContain(basename(f, '.md'));
    for (const f of testFiles) {
      const name = basename(f, '.test.ts');
      if (!CROSS_RULE_SUITES.has(name)) expect(ids, f).toContain(name);
    }
  });

  it('the docs are shipped with the package', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('rules/*.md');
  });
});

describe('docs', () => {
  const headline = (m: RuleMeta) => `**Default severity:** ${m.defaultSeverity} · **Scope:** ${scopesOf(m.id).join(', ')}`;

  it.each(ids)('%s: the first line is the id as title', (id) => {
    expect(doc(id).split('\n')[0]).toBe(`# ${id}`);
  });

  it.each(catalogue.map((m) => [m.id, m] as const))('%s: states the default severity and scope its metadata declares', (_id, m) => {
    expect(doc(m.id)).toContain(headline(m));
  });

  it.each(ids)('%s: has the sections every rule doc has', (id) => {
    const text = doc(id);
    for (const section of ['## What the bug is', '## How it arises', '## What reveals it', '## Example', '## Fix']) {
      expect(text, section).toContain(`\n${section}`);
    }
  });

  it.each(ids)('%s: is focused (40 to 100 lines) with its example as JSON', (id) => {
    const text = doc(id);
    const lines = text.trimEnd().split('\n').length;
    expect(lines).toBeGreaterThanOrEqual(40);
    expect(lines).toBeLessThanOrEqual(100);
    expect(text).toMatch(/```(json|jsonl)\n/);
  });

  it.each(ids)('%s: links to other rules only by existing ids', (id) => {
    for (const m of doc(id).matchAll(/\]\(\.\/([a-z0-9-]+)\.md\)/g)) expect(ids, m[0]).toContain(m[1]);
  });

  it.each(ids)('%s: every worked example gets exactly the findings its doc shows', async (id) => {
    const list = examples(id);
    expect(list.length).toBeGreaterThan(0);
    for (const ex of list) {
      let got: string[];
      if (ex.kind === 'json') {
        const v = verdict(JSON.parse(ex.input) as AuditRecord);
        got = v.rule ? [`${v.rule.id}: ${v.diagnosis!.message}`] : [];
      } else {
        const path = join(dir(), `${id}-${list.indexOf(ex)}.jsonl`);
        writeFileSync(path, ex.input + '\n');
        got = (await findingsOf([path])).map((f) => `${f.ruleId}: ${f.message}`);
      }
      expect(got).toEqual(ex.findings);
      expect(ex.findings.some((f) => f.startsWith(`${id}: `)), 'the example shows this rule').toBe(true);
    }
  });
});
