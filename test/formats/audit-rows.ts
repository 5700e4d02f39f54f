/** Test helpers: audit native rows through the real entry point, from a temp file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import type { Finding } from '../../src/types.js';

export interface RowsAudit {
  findings: Finding[];
  /** Rule ids of the findings about each record id. */
  rules: Map<string, string[]>;
}

/** Writes the rows as JSONL (or one JSON document with `asDocument`) and audits the file. */
export async function auditRows(rows: readonly unknown[], asDocument = false): Promise<RowsAudit> {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-rows-'));
  try {
    const file = join(dir, asDocument ? 'rows.json' : 'rows.jsonl');
    writeFileSync(file, asDocument ? JSON.stringify(rows) : rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const result = await audit([file], { rules: defaultRuleSet });
    const rules = new Map<string, string[]>();
    for (const f of result.findings) {
      const key = String(f.recordId);
      rules.set(key, [...(rules.get(key) ?? []), f.ruleId]);
    }
    return { findings: [...result.findings], rules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A deep copy of a fixture row with a new id and score (the same payload, another scorer), out of
 * any multiple-choice group so that only record rules speak.
 */
export function rescored(row: Record<string, unknown>, id: string, score: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { group: _g, selected: _s, gold: _gold, ...rest } = structuredClone(row);
  return { ...rest, id, score, ...extra };
}
