/**
 * The example workflow (docs/github-actions/evalaudit.yml) and the composite action
 * (action.yml) are valid YAML of the right shape, and their evalaudit steps do what they claim
 * when run as the runner runs them (bash -eo pipefail, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
 * files, `${{ … }}` expressions substituted) against the built CLI, in a fresh folder with the
 * sample runs as the results. Steps that `uses:` another action, and the install steps, are
 * GitHub's and the network's, so they are not run here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sarifErrors } from './helpers/ci-schemas.js';
import { consumer, ours, readYaml, runSteps, type Step } from './helpers/workflow.js';

const root = join(__dirname, '..');

function checkOutcome(dir: string, result: ReturnType<typeof runSteps>, auditStep: string, failStep: string, json: string, sarif: string): void {
  // Audit once: the audit step itself succeeds and records the exit code; the job fails last.
  expect(result.codes[auditStep]).toBe(0);
  expect(result.outputs[auditStep]['exit-code']).toBe('1');
  expect(result.codes[failStep]).toBe(1);
  expect(JSON.parse(readFileSync(join(dir, json), 'utf8')).summary.findings.error).toBeGreaterThan(0);
  expect(sarifErrors(JSON.parse(readFileSync(join(dir, sarif), 'utf8')))).toEqual([]);
  expect(result.summary).toMatch(/^## evalaudit: ❌ failed: \d+ findings/);
  expect(result.stdout[auditStep]).toMatch(/^::error file=results\/cat\.jsonl,line=1,title=greedy-choice::/m);
}

describe('the example workflow', () => {
  const workflow = readYaml('docs/github-actions/evalaudit.yml') as { on: unknown; permissions: Record<string, string>; jobs: Record<string, { 'runs-on': string; steps: Step[] }> };

  it('is a valid workflow: triggers, code-scanning permission, one job of named steps', () => {
    expect(workflow.on).toBeDefined();
    expect(workflow.permissions['security-events']).toBe('write');
    const steps = workflow.jobs.audit.steps;
    expect(steps.every((s) => (s.run === undefined) !== (s.uses === undefined))).toBe(true);
    expect(steps.map((s) => s.uses).filter(Boolean)).toEqual(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/upload-artifact@v4', 'github/codeql-action/upload-sarif@v3']);
    // Failing last: nothing runs after the step that fails the job.
    expect(steps.at(-1)?.run?.trim()).toMatch(/^exit /);
  });

  it('its evalaudit steps audit once, write JSON, SARIF, annotations and the step summary, and fail last', () => {
    const dir = consumer();
    const steps = ours(workflow.jobs.audit.steps);
    expect(steps).toHaveLength(2);
    const result = runSteps(steps, dir, {});
    checkOutcome(dir, result, 'audit', steps[1].name!, 'evalaudit.json', 'evalaudit.sarif');
  });
});

describe('the composite action', () => {
  const action = readYaml('action.yml') as { name: string; inputs: Record<string, { required?: boolean; default?: string }>; outputs: Record<string, { value: string }>; runs: { using: string; steps: Step[] } };

  it('is a composite action with documented inputs and outputs', () => {
    expect(action.runs.using).toBe('composite');
    expect(action.inputs.paths.required).toBe(true);
    expect(action.outputs['exit-code'].value).toBe('${{ steps.audit.outputs.exit-code }}');
    // A composite step that runs a command must name its shell.
    for (const s of action.runs.steps) if (s.run !== undefined) expect((s as { shell?: string }).shell, s.name).toBe('bash');
    expect(readFileSync(join(root, 'package.json'), 'utf8')).toContain('"action.yml"');
  });

  it('its steps audit once, write the reports and fail last', () => {
    const dir = consumer();
    const context: Record<string, string> = { 'inputs.paths': 'results/' };
    for (const [name, input] of Object.entries(action.inputs)) if (input.default !== undefined) context[`inputs.${name}`] = input.default;
    const steps = ours(action.runs.steps).filter((s) => !s.run!.startsWith('npm '));
    const result = runSteps(steps, dir, context);
    checkOutcome(dir, result, 'audit', steps[1].name!, 'evalaudit.json', 'evalaudit.sarif');
    expect(existsSync(join(dir, 'evalaudit.sarif'))).toBe(true);
  });
});
