/**
 * The rule set as a whole (typescript-eslint's docs.test, ESLint's "every rule has a doc and a
 * test" and RuleTester's message checks): every rule is registered, implemented in
 * rules/<id>.ts, documented in rules/<id>.md and tested in test/rules/<id>.test.ts, named like
 * its file; the registry order keeps every rule's `after`; every message id a rule declares is
 * well-formed and exercised by its test.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRuleSet, rules } from '../rules/index.js';
import { BY_SIBLING, type Rule, type RuleMeta, type Scope } from '../src/engine/rule.js';
import { PLACEHOLDER, placeholders } from '../src/engine/messages.js';
import { ruleDocsUrl } from '../src/project.js';
import type { AuditRecord } from '../src/types.js';
import { findingsOf, tempDir, verdict } from './helpers/rule-tester.js';
import { withSteepStep } from './helpers/steep-step.js';

const root = join(__dirname, '..');
const rulesDir = join(root, 'rules');
const testsDir = join(root, 'test', 'rules');

/** test/rules suites that span every rule rather than name one. */
const CROSS_RULE_SUITES = new Set(['clean-records']);

const catalogue = defaultRuleSet.catalogue;
const ids = catalogue.map((m) => m.id);
const ruleFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
const docFiles = readdirSync(rulesDir).filter((f) => f.endsWith('.md'));
const testFiles = readdirSync(testsDir).filter((f) => f.endsWith('.test.ts'));

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
    expect(ids).toEqual([...ids].sort());
    expect(ids.length).toBe(rules.length);
  });

  it('ids are kebab-case', () => {
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it('each scope list holds exactly the rules with a check of that scope, in registry order', () => {
    for (const scope of ['record', 'group', 'run'] as const) {
      expect(defaultRuleSet[scope].map((r) => r.meta.id)).toEqual(rules.filter((r) => r.checks[scope]).map((r) => r.meta.id));
      for (const r of defaultRuleSet[scope]) expect(r.meta.scopes, r.meta.id).toContain(scope);
    }
  });

  it('only the rules the engine raises have no check: invalid-record (from what ingest reports) and rule-failure (a rule that throws)', () => {
    expect(rules.filter((r) => Object.keys(r.checks).length === 0).map((r) => r.meta.id)).toEqual(['invalid-record', 'rule-failure']);
  });

  it('record rules go from exact signatures to the catch-all: invalid-logprob first, score-mismatch last', () => {
    expect(defaultRuleSet.record[0].meta.id).toBe('invalid-logprob');
    expect(defaultRuleSet.record.at(-1)!.meta.id).toBe('score-mismatch');
  });

  it("the order keeps every rule's `after`, in every scope both rules check", () => {
    for (const r of rules) {
      for (const before of r.meta.after ?? []) {
        expect(ids, `${r.meta.id} comes after ${before}`).toContain(before);
        for (const scope of r.meta.scopes as Scope[]) {
          const list = defaultRuleSet[scope].map((x) => x.meta.id);
          if (!list.includes(before)) continue;
          expect(list.indexOf(before), `${scope}: ${before} before ${r.meta.id}`).toBeLessThan(list.indexOf(r.meta.id));
        }
      }
    }
  });

  it('range rules (harmonised within a group) go narrow to wide; each a sibling can widen to has a bySibling message', () => {
    const range = defaultRuleSet.range;
    expect(range.map((r) => r.meta.id)).toEqual(['probability-product', 'probability-sum', 'softmax-skipped']);
    expect(range[0].meta.messages[BY_SIBLING], 'the narrowest is never the wider explanation').toBeUndefined();
    for (const r of range.slice(1)) expect(placeholders(r.meta.messages[BY_SIBLING] ?? '').sort(), r.meta.id).toEqual(['score', 'sibling', 'siblingScore']);
  });

  it('metadata is complete: severity, one-line summary and evidence, doc link', () => {
    for (const m of catalogue) {
      expect(['error', 'warning', 'info'], m.id).toContain(m.defaultSeverity);
      expect(m.summary.length, m.id).toBeGreaterThan(10);
      expect(m.summary, m.id).not.toMatch(/\n/);
      expect(m.evidence.length, m.id).toBeGreaterThan(5);
      // An absolute link (built from package.json's repository) to the doc file checked below.
      expect(m.docs, m.id).toBe(ruleDocsUrl(m.id));
      expect(m.docs, m.id).toMatch(new RegExp(`^https://\\S+/blob/main/rules/${m.id}\\.md$`));
    }
  });
});

describe('messages', () => {
  it.each(ids)('%s: declares camelCase message ids with one-line templates whose placeholders are all well-formed', (id) => {
    const { messages } = defaultRuleSet.byId.get(id)!.meta;
    expect(Object.keys(messages).length).toBeGreaterThan(0);
    for (const [key, template] of Object.entries(messages)) {
      expect(key).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(template.length, key).toBeGreaterThan(0);
      expect(template, key).not.toMatch(/\n/);
      // Every {{ opens a placeholder the renderer knows, so none can stay unfilled by a typo.
      expect(template.replace(PLACEHOLDER, '').includes('{{') || template.replace(PLACEHOLDER, '').includes('}}'), `${key}: ${template}`).toBe(false);
    }
  });

  it.each(ids)('%s: every message id it declares is exercised by its test (test/rules/<id>.test.ts)', (id) => {
    const source = readFileSync(join(testsDir, `${id}.test.ts`), 'utf8');
    for (const key of Object.keys(defaultRuleSet.byId.get(id)!.meta.messages)) expect(source, `${id}: message ${key} is never asserted`).toMatch(new RegExp(`'${key}'`));
  });
});

describe('files', () => {
  it('every rules/*.ts (but index.ts) is registered under its file name, as its default export', async () => {
    for (const file of ruleFiles) {
      const id = basename(file, '.ts');
      const mod = (await import(/* @vite-ignore */ `../rules/${file}`)) as { default: Rule };
      expect(mod.default?.meta?.id, file).toBe(id);
      expect(rules, file).toContain(mod.default);
    }
  });

  it.each(ids)('%s has rules/<id>.ts, rules/<id>.md and test/rules/<id>.test.ts', (id) => {
    expect(existsSync(join(rulesDir, `${id}.ts`)), `${id}.ts`).toBe(true);
    expect(existsSync(join(rulesDir, `${id}.md`)), `${id}.md`).toBe(true);
    expect(existsSync(join(testsDir, `${id}.test.ts`)), `${id}.test.ts`).toBe(true);
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
  const headline = (m: RuleMeta) => `**Default severity:** ${m.defaultSeverity} · **Scope:** ${m.scopes.join(', ')}`;

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
        got = v.rule ? [`${v.rule.id}: ${v.message}`] : [];
      } else {
        const path = join(dir(), `${id}-${list.indexOf(ex)}.jsonl`);
        writeFileSync(path, ex.input + '\n');
        // rule-failure's example is the custom rule its doc shows (test/helpers/steep-step.ts), run with the default rules.
        got = (await findingsOf([path], id === 'rule-failure' ? withSteepStep : defaultRuleSet)).map((f) => `${f.ruleId}: ${f.message}`);
      }
      expect(got).toEqual(ex.findings);
      expect([...ex.findings].some((f) => f.startsWith(`${id}: `)), 'the example shows this rule').toBe(true);
    }
  });
});
