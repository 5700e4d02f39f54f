/**
 * A shard writes a pass's findings from the run's spool (partialPieces): when they spilled to
 * the spool's file, what it writes is still every finding once, in report order, exactly as a
 * pass that held them sorts them; and the pass and audited lines count what follows them.
 * merge refuses, naming the file and line, a partial whose lines are not what they promise.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles, engineConfig } from '../../src/engine/index.js';
import { HELD, Spool } from '../../src/engine/finding-spool.js';
import { compareFindings } from '../../src/engine/order.js';
import { decodeValue } from '../../src/engine/partial.js';
import { inputsOf, mergedPasses, openPartial, partialPieces, PARTIAL_FORMAT, PARTIAL_VERSION, type PartialHeader } from '../../src/shard/partial-report.js';
import { defaultRuleSet } from '../../rules/index.js';
import { auditedEntries } from '../../src/engine/audited-list.js';

/** The header of a one-shard audit of `file`. */
const headerFor = (file: string): PartialHeader => ({
  format: PARTIAL_FORMAT,
  version: PARTIAL_VERSION,
  tool: { name: 'evalaudit', version: '0' },
  shard: { index: 0, count: 1 },
  settings: { rules: [], overrides: {}, precision: 'auto', inputFormat: null, map: {} },
  inputs: inputsOf([file]),
});

describe('partialPieces', () => {
  it("writes a pass's spilled findings from the spool: each once, in report order, as a held pass sorts them", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-partial-'));
    try {
      // HELD + 808 probability-product findings: more than a pass holds, so some spill.
      const file = join(dir, 'a.jsonl');
      await writeFile(file, Array.from({ length: HELD + 808 }, (_, i) => `{"id": "r${i}", "group": "g${i >> 2}", "score": ${0.1 + (i % 7) / 10}, "logprobs": [-1.0, -0.5]}`).join('\n'));
      const config = engineConfig(defaultRuleSet);
      const spool = new Spool();
      const [pass] = await auditFiles([file], config, { listAudited: true }, spool);
      expect(pass.spooled!.runs.length).toBeGreaterThan(0);
      const [held] = await auditFiles([file], config, { listAudited: true });
      const header = headerFor(file);
      const lines = [...partialPieces(header, [{ index: 0, pass }], spool)]
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      spool.discard();
      expect(lines[0]).toMatchObject({ format: PARTIAL_FORMAT, passes: 1 });
      const passLine = lines[1] as { audited: number; findings: number; pass: { findings: unknown[]; summary: Record<string, unknown> } };
      expect(passLine.findings).toBe(held.findings.length);
      expect(passLine.pass.findings).toEqual([]);
      expect(passLine.pass.summary.auditedItems).toBeUndefined();
      const audited = lines.filter((l) => 'audited' in l && Array.isArray(l.audited)).flatMap((l) => l.audited as unknown[]);
      expect(passLine.audited).toBe(held.summary.auditedItems!.length);
      expect(audited).toEqual([...auditedEntries(held.summary.auditedItems!)]);
      const findings = lines.filter((l) => 'finding' in l).map((l) => decodeValue(l.finding, 'finding'));
      expect(findings.length).toBeGreaterThan(HELD);
      expect(findings).toEqual([...held.findings].sort(compareFindings));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('merge refuses a line that is not what its pass promised, naming the file and line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalaudit-partial-'));
    try {
      const file = 'sample-runs/cat.jsonl';
      const config = engineConfig(defaultRuleSet);
      const spool = new Spool();
      const passes = await auditFiles([file], config, { listAudited: true }, spool);
      const header = headerFor(file);
      const lines = [...partialPieces(header, [{ index: 0, pass: passes[0] }], spool)].join('').split('\n').filter((l) => l !== '');
      spool.discard();
      const auditedAt = lines.findIndex((l) => l.startsWith('{"audited":'));
      const findingAt = lines.findIndex((l) => l.startsWith('{"finding":'));
      expect(auditedAt).toBe(2);
      expect(findingAt).toBeGreaterThan(auditedAt);
      const merged = async (name: string, edit: (ls: string[]) => void) => {
        const copy = [...lines];
        edit(copy);
        const path = join(dir, name);
        await writeFile(path, `${copy.join('\n')}\n`);
        const partial = await openPartial(path);
        return mergedPasses([partial], new Spool(), true).then(
          () => 'merged',
          (e: Error) => e.message,
        );
      };
      expect(await merged('as-written.jsonl', () => undefined)).toBe('merged');
      const items = (JSON.parse(lines[auditedAt]) as { audited: unknown[] }).audited;
      expect(await merged('more-items.jsonl', (ls) => (ls[auditedAt] = JSON.stringify({ audited: [...items, items[0]] })))).toBe(
        `${join(dir, 'more-items.jsonl')}:${auditedAt + 1}: ${items.length + 1} audited items where ${items.length} were left of file 0`,
      );
      expect(await merged('not-a-finding.jsonl', (ls) => (ls[findingAt] = '{"finding": 5}'))).toBe(`${join(dir, 'not-a-finding.jsonl')}:${findingAt + 1}: the finding is no finding`);
      expect(await merged('no-pass.jsonl', (ls) => (ls[1] = JSON.stringify({ ...JSON.parse(ls[1]), pass: null })))).toBe(`${join(dir, 'no-pass.jsonl')}:2: a pass was expected`);
      expect(await merged('bad-tag.jsonl', (ls) => (ls[findingAt] = '{"finding": {"$": "bogus"}}'))).toMatch(new RegExp(`^${join(dir, 'bad-tag.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${findingAt + 1}: finding: unknown tag "bogus"`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
