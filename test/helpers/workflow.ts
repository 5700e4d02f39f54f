/**
 * Workflow files run as GitHub's runner runs their steps (bash -eo pipefail, GITHUB_OUTPUT /
 * GITHUB_STEP_SUMMARY files, `${{ … }}` expressions substituted), in a fresh consumer project
 * that has the sample runs as results/ and the built CLI as its installed evalaudit.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');

export interface Step {
  id?: string;
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
}

export function readYaml(path: string): Record<string, unknown> {
  // `parse` throws on invalid YAML; uniqueKeys (the default) refuses a duplicated key.
  return parse(readFileSync(join(root, path), 'utf8'), { prettyErrors: true }) as Record<string, unknown>;
}

/** A fresh consumer project: the sample runs as results/, and evalaudit as an installed bin. */
export function consumer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'evalaudit-workflow-'));
  cpSync(join(root, 'sample-runs'), join(dir, 'results'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
  const bin = join(dir, 'node_modules', '.bin', 'evalaudit');
  writeFileSync(bin, `#!/bin/sh\nexec node ${JSON.stringify(join(root, 'bin', 'evalaudit.js'))} "$@"\n`);
  chmodSync(bin, 0o755);
  return dir;
}

/** Runs steps in order as the runner would; returns each step's exit code and the step outputs. */
export function runSteps(steps: Step[], dir: string, context: Record<string, string>): { codes: Record<string, number>; outputs: Record<string, Record<string, string>>; summary: string; stdout: Record<string, string> } {
  const summaryFile = join(dir, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const outputs: Record<string, Record<string, string>> = {};
  const codes: Record<string, number> = {};
  const stdout: Record<string, string> = {};
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      const step = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (step) return outputs[step[1]]?.[step[2]] ?? '';
      if (Object.hasOwn(context, expr)) return context[expr];
      throw new Error(`unknown expression ${expr}`);
    });
  for (const [i, step] of steps.entries()) {
    const key = step.id ?? step.name ?? String(i);
    const outputFile = join(dir, `output-${i}`);
    writeFileSync(outputFile, '');
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryFile, GITHUB_OUTPUT: outputFile, GITHUB_ACTION_PATH: root, COLUMNS: '80' };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(v);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expand(step.run!)], { cwd: dir, env, encoding: 'utf8' });
    codes[key] = r.status ?? -1;
    stdout[key] = r.stdout;
    outputs[key] = Object.fromEntries(
      readFileSync(outputFile, 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  }
  return { codes, outputs, summary: readFileSync(summaryFile, 'utf8'), stdout };
}

/** The steps that are ours to run: those that run evalaudit, and the final `exit` that fails the job. */
export const ours = (steps: Step[]) => steps.filter((s) => s.run !== undefined && (/evalaudit/.test(s.run) || /^exit /.test(s.run.trim())));
