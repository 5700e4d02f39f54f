/** Test helpers for the harness formats: copy a fixture folder, change one number, audit it. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit } from '../../src/engine/index.js';
import { defaultRuleSet } from '../../rules/index.js';
import type { Finding } from '../../src/types.js';

export function copyFixtures(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-fmt-'));
  cpSync(src, dir, { recursive: true });
  return dir;
}

/** Rewrites a JSON file through `edit` (which mutates the parsed value). */
export function editJson(file: string, edit: (v: any) => void, indent = 2): void {
  const v = JSON.parse(readFileSync(file, 'utf8'));
  edit(v);
  writeFileSync(file, JSON.stringify(v, null, indent));
}

export async function findingsOf(paths: string[]): Promise<Finding[]> {
  const result = await audit(paths, { rules: defaultRuleSet });
  return [...result.findings].filter((f) => f.severity !== 'info');
}

/** rule id, record id and file name of each finding, for compact assertions. */
export function brief(findings: Finding[]): [string, string | number | undefined, string][] {
  return findings.map((f) => [f.ruleId, f.recordId, f.file.split('/').pop()!]);
}
