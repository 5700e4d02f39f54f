/**
 * The sharding recipes of the README, run: the GitHub Actions matrix workflow
 * (docs/github-actions/evalaudit-sharded.yml) and the Kubernetes Indexed Job
 * (docs/kubernetes/evalaudit-{shards,merge}.yaml) are valid YAML of the right shape, the README
 * shows them as they are, and their evalaudit commands, run as the runner or the pods would (every
 * matrix value, every completion index, then the merge, in one consumer project standing in for
 * the artifacts or the shared volume), write the report one `audit results/` writes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { consumer, ours, readYaml, runSteps, type Step } from '../helpers/workflow.js';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The JSON report of one audit of every file, in the consumer project. */
function singleReport(dir: string): string {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'evalaudit.js'), 'audit', 'results/', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
  expect(r.status).toBe(1);
  return r.stdout;
}

interface Job {
  needs?: string | string[];
  strategy?: { matrix: { shard: number[] } };
  steps: (Step & { with?: Record<string, unknown> })[];
}

describe('the GitHub Actions matrix recipe', () => {
  const file = 'docs/github-actions/evalaudit-sharded.yml';
  const workflow = readYaml(file) as { jobs: { shard: Job; merge: Job } };
  const { shard, merge } = workflow.jobs;
  const withOf = (job: Job, action: string) => job.steps.find((s) => s.uses === action)?.with ?? {};

  it('is in the README as it is in docs/', () => {
    expect(readme).toContain(readFileSync(join(root, file), 'utf8').replace(/^#.*\n/gm, ''));
  });

  it('shards as matrix jobs, uploads each partial, and merges them all in a job that needs them', () => {
    expect(shard.strategy!.matrix.shard).toEqual(shard.strategy!.matrix.shard.map((_, i) => i));
    expect([merge.needs].flat()).toContain('shard');
    const [audit] = ours(shard.steps);
    const output = /--output (.+?\.jsonl)/.exec(audit.run!)![1];
    expect(withOf(shard, 'actions/upload-artifact@v4').path).toBe(output);
    const download = withOf(merge, 'actions/download-artifact@v4');
    expect(String(withOf(shard, 'actions/upload-artifact@v4').name).startsWith(String(download.pattern).replace(/\*$/, ''))).toBe(true);
    expect(download['merge-multiple']).toBe(true);
    expect(output.startsWith(`${String(download.path)}/`)).toBe(true);
  });

  it('its shard and merge steps write the single-audit report, and the job fails last as audit would', () => {
    const dir = consumer();
    const values = shard.strategy!.matrix.shard;
    for (const [i, v] of values.entries()) {
      const result = runSteps(ours(shard.steps), dir, { 'matrix.shard': String(v), 'strategy.job-index': String(i), 'strategy.job-total': String(values.length) });
      expect(Object.values(result.codes)).toEqual([0]);
    }
    const steps = ours(merge.steps);
    const result = runSteps(steps, dir, {});
    expect(result.codes.merge).toBe(0);
    expect(result.outputs.merge['exit-code']).toBe('1');
    expect(result.codes[steps.at(-1)!.name!]).toBe(1);
    expect(result.summary).toMatch(/^## evalaudit: ❌ failed/);
    expect(readFileSync(join(dir, 'evalaudit.json'), 'utf8')).toBe(singleReport(dir));
  });
});

describe('the Kubernetes Indexed Job recipe', () => {
  type Pod = { containers: { command: string[]; args: string[]; workingDir: string; volumeMounts: { name: string; mountPath: string }[] }[]; volumes: { name: string; persistentVolumeClaim: { claimName: string } }[]; restartPolicy: string };
  type JobDoc = { apiVersion: string; kind: string; spec: { completionMode?: string; completions?: number; parallelism?: number; template: { spec: Pod } } };
  const load = (name: string): JobDoc => {
    const docs = parseAllDocuments(readFileSync(join(root, 'docs', 'kubernetes', name), 'utf8'), { prettyErrors: true });
    expect(docs).toHaveLength(1);
    const [doc] = docs as { errors: unknown[]; toJS(): unknown }[];
    expect(doc.errors).toEqual([]);
    return doc.toJS() as JobDoc;
  };
  const shards = load('evalaudit-shards.yaml');
  const merge = load('evalaudit-merge.yaml');
  const pod = (j: JobDoc) => j.spec.template.spec;
  const script = (j: JobDoc) => pod(j).containers[0].args[0];

  it('is in the README as it is in docs/', () => {
    for (const name of ['evalaudit-shards.yaml', 'evalaudit-merge.yaml']) expect(readme).toContain(readFileSync(join(root, 'docs', 'kubernetes', name), 'utf8').replace(/^#.*\n/gm, ''));
  });

  it('is an Indexed Job whose --shard count is its completions, on the volume the merge Job reads', () => {
    for (const j of [shards, merge]) {
      expect(j.apiVersion).toBe('batch/v1');
      expect(j.kind).toBe('Job');
      expect(pod(j).restartPolicy).toBe('Never');
      expect(pod(j).containers[0].command).toEqual(['sh', '-c']);
    }
    expect(shards.spec.completionMode).toBe('Indexed');
    expect(script(shards)).toContain(`--shard "$JOB_COMPLETION_INDEX/${shards.spec.completions}"`);
    expect(pod(merge).containers[0].workingDir).toBe(pod(shards).containers[0].workingDir);
    expect(pod(merge).containers[0].volumeMounts).toEqual(pod(shards).containers[0].volumeMounts);
    expect(pod(merge).volumes).toEqual(pod(shards).volumes);
  });

  it('its pods, then the merge, write the single-audit report with audit\'s exit code', () => {
    const dir = consumer();
    const run = (line: string, env: Record<string, string> = {}) => spawnSync('sh', ['-c', line], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    for (let i = 0; i < shards.spec.completions!; i++) {
      const r = run(script(shards), { JOB_COMPLETION_INDEX: String(i) });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const r = run(script(merge));
    expect(r.status).toBe(1);
    expect(readFileSync(join(dir, 'evalaudit.json'), 'utf8')).toBe(singleReport(dir));
    expect(readFileSync(join(dir, 'evalaudit.md'), 'utf8')).toMatch(/^# evalaudit/);
  });
});
