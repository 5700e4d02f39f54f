import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main, parseRuleArgs, exitCodeFor, useColor } from '../src/cli.js';
import { audit } from '../src/engine/index.js';
import { defaultRuleSet } from '../rules/index.js';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'evalaudit-cli-'));
}

const clean = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, tokens: ['a', 'b'], logprobs: [-1.5, -0.25], score: -1.75, ...extra });

describe('bad input', () => {
  const dir = tmp();
  const file = join(dir, 'mixed.jsonl');
  writeFileSync(
    file,
    [
      clean('ok-1'),
      '{"id": "trunc", "tokens": ["a"], "logprobs": [-1.0',
      'this is not json',
      '[1, 2, 3]',
      '{"id": "no-evidence", "tokens": ["a"]}',
      '{"id": "nan", "tokens": ["a", "b"], "logprobs": [NaN, -0.25], "score": NaN}',
      clean('ok-2'),
      '',
    ].join('\n'),
  );

  it('reports each unreadable row as invalid-record at its line and audits the rest', async () => {
    const result = await audit([file], { rules: defaultRuleSet });
    const invalid = [...result.findings].filter((f) => f.ruleId === 'invalid-record');
    expect(invalid.map((f) => f.line)).toEqual([2, 3, 4, 5]);
    expect(invalid[0].message).toMatch(/not valid JSON/);
    expect(invalid[2].message).toMatch(/array/);
    expect(invalid[3].message).toMatch(/no evidence/);
    expect(invalid[3].recordId).toBe('no-evidence');
  });

  it('flags the record whose values are NaN and counts every record', async () => {
    const result = await audit([file], { rules: defaultRuleSet });
    const nan = [...result.findings].find((f) => f.recordId === 'nan');
    expect(nan?.ruleId).toBe('invalid-logprob');
    expect(nan?.line).toBe(6);
    expect(result.summary.records).toBe(7);
    expect(result.summary.invalid).toBe(4);
    expect([...result.findings].filter((f) => String(f.recordId).startsWith('ok'))).toEqual([]);
  });
});

describe('evalaudit audit', () => {
  it('exits 0 on a clean run and 1 when an error is found', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'clean.jsonl'), clean('a') + '\n' + clean('b') + '\n');
    expect(await main(['audit', dir])).toBe(0);
    writeFileSync(join(dir, 'bad.jsonl'), JSON.stringify({ id: 'x', tokens: ['a'], logprobs: [3.5], score: 3.5 }) + '\n');
    expect(await main(['audit', dir])).toBe(1);
    expect(out).toContain('softmax-skipped');
  });

  it('honours --fail-on and --rule severity overrides', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.jsonl'), JSON.stringify({ id: 'x', tokens: ['a'], logprobs: [3.5], score: 3.5 }) + '\n');
    expect(await main(['audit', dir, '--fail-on', 'none'])).toBe(0);
    expect(await main(['audit', dir, '--rule', 'softmax-skipped=warning'])).toBe(0);
    expect(await main(['audit', dir, '--rule', 'softmax-skipped=warning', '--fail-on', 'warning'])).toBe(1);
  });

  it('exits 2 naming the path when a path cannot be read', async () => {
    expect(await main(['audit', '/no/such/evalaudit/path'])).toBe(2);
    expect(err).toContain('/no/such/evalaudit/path');
  });

  it('exits 2 on a usage error', async () => {
    expect(await main(['audit', tmp(), '--rule', 'nonsense'])).toBe(2);
    expect(await main(['audit', tmp(), '--rule', 'no-such-rule=error'])).toBe(2);
    expect(err).toMatch(/unknown rule no-such-rule/);
    expect(await main(['frobnicate'])).toBe(2);
  });

  it('writes a JSON report with --output, byte-identical across runs', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'r.jsonl'), [clean('a'), JSON.stringify({ id: 'b', tokens: ['a', 'b'], logprobs: [-1, -2], score: -1.5 })].join('\n') + '\n');
    const o1 = join(dir, 'one.json');
    const o2 = join(dir, 'two.json');
    await main(['audit', join(dir, 'runs'), '--format', 'json', '--output', o1, '--concurrency', '1']);
    await main(['audit', join(dir, 'runs'), '--format', 'json', '--output', o2, '--concurrency', '3']);
    const a = readFileSync(o1, 'utf8');
    expect(a).toBe(readFileSync(o2, 'utf8'));
    const report = JSON.parse(a);
    expect(report.summary.records).toBe(2);
    expect([...report.findings].map((f: { ruleId: string }) => f.ruleId)).toEqual(['normalization-mismatch']);
  });

  it('audits the shipped sample runs and names the four core rules', async () => {
    const code = await main(['audit', 'sample-runs', '--format', 'json']);
    expect(code).toBe(1);
    const report = JSON.parse(out);
    for (const id of ['softmax-skipped', 'probability-product', 'length-mismatch', 'high-confidence-wrong-token']) {
      expect(report.summary.byRule[id], id).toBeGreaterThan(0);
    }
  });
});

describe('evalaudit rules', () => {
  it('lists every rule with its default severity', async () => {
    expect(await main(['rules'])).toBe(0);
    expect(out).toMatch(/^softmax-skipped\s+error/m);
    expect(out).toMatch(/^low-precision\s+warning/m);
    expect(out).toMatch(/^invalid-record\s+error/m);
  });
});

describe('cli helpers', () => {
  it('parses --rule pairs and rejects malformed ones', () => {
    expect(parseRuleArgs(['a-b=off', 'c=error'])).toEqual({ 'a-b': 'off', c: 'error' });
    expect(() => parseRuleArgs(['a=loud'])).toThrow(/--rule/);
  });
  it('maps finding counts to exit codes', () => {
    expect(exitCodeFor({ error: 0, warning: 2, info: 0 }, 'error')).toBe(0);
    expect(exitCodeFor({ error: 0, warning: 2, info: 0 }, 'warning')).toBe(1);
    expect(exitCodeFor({ error: 0, warning: 0, info: 1 }, 'info')).toBe(1);
    expect(exitCodeFor({ error: 5, warning: 0, info: 0 }, 'none')).toBe(0);
  });
  it('decides colour from NO_COLOR / FORCE_COLOR / TTY', () => {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(useColor(tty, {})).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
  });
});
