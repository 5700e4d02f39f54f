/**
 * Installable anywhere: the packed tarball (what `npm publish` or a git install ships) installed
 * into a fresh project from the npm cache that `npm ci` filled, then used as a consumer would:
 * `npx evalaudit --version` prints evalaudit's version (not the consumer's), `npx evalaudit
 * audit` works, the library imports, and nothing outside the documented API is reachable.
 * It packs the build as it is (dist/, built by `npm ci` or `npm run build`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const pkg = JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: root, encoding: 'utf8' })) as { version: string };
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });

/**
 * The consumer's lockfile: evalaudit from the tarball, and its runtime dependencies exactly as
 * this repository's lockfile resolves them. `npm ci --offline` then installs from the cache
 * that `npm ci` filled here, with no registry request (an offline `npm install` would need the
 * registry's package documents to resolve version ranges, which `npm ci` never fetches).
 */
function consumerLock(tarball: string): Record<string, unknown> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const self = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '9.9.9', dependencies: { evalaudit: tarball } },
    'node_modules/evalaudit': { version: self.version, resolved: tarball, license: self.license, dependencies: self.dependencies, bin: self.bin, engines: self.engines },
  };
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim().replace(/\/$/, '');
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true || entry.link === true) continue;
    // This lockfile leaves out tarball URLs (the registry's default layout): spell them out, so nothing needs looking up.
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[path] = { resolved: `${registry}/${name}/-/${name.split('/').pop()}-${String(entry.version)}.tgz`, ...entry };
  }
  return { name: 'consumer', version: '9.9.9', lockfileVersion: 3, requires: true, packages };
}

let files: string[] = [];
let project = '';

beforeAll(() => {
  const dest = mkdtempSync(join(tmpdir(), 'evalaudit-pack-'));
  // --ignore-scripts: the build is npm ci's; rebuilding here would race the other test files.
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dest], root)) as { filename: string; files: { path: string }[] }[];
  files = packed.files.map((f) => f.path);
  project = mkdtempSync(join(tmpdir(), 'evalaudit-consumer-'));
  const tarball = `file:${join(dest, packed.filename)}`;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '9.9.9', private: true, type: 'module', dependencies: { evalaudit: tarball } }));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(consumerLock(tarball)));
  npm(['ci', '--offline', '--no-audit', '--no-fund'], project);
  cpSync(join(root, 'sample-runs', 'cat.jsonl'), join(project, 'runs', 'cat.jsonl'));
}, 240_000);

const npx = (...args: string[]) => spawnSync('npx', ['--no-install', 'evalaudit', ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });

describe('the packed package', () => {
  it('ships the CLI, the library, schemas and their generated validators, the bundle the bin runs, rule docs, the action and the licence; no bench, scripts, tests or source maps', () => {
    for (const f of ['bin/evalaudit.js', 'dist/src/cli.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/rules/index.js', 'dist/validators/config.cjs', 'dist/validators/record.cjs', 'dist/bundle/cli.js', 'dist/bundle/worker.js', 'schema/config.schema.json', 'schema/report.schema.json', 'rules/greedy-choice.md', 'action.yml', 'LICENSE', 'README.md', 'package.json']) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => /^(dist\/)?(bench|scripts|test)\//.test(f) || f.endsWith('.map') || f.startsWith('src/'))).toEqual([]);
  });

  it('npx evalaudit --version prints its own version inside a project of another version', () => {
    const r = npx('--version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('npx evalaudit audit <dir> audits (exit 1 on the planted bug) and writes its reports', () => {
    const r = npx('audit', 'runs', '--report', 'json=out/report.json', '--report', 'text');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('runs/cat.jsonl:1 cat-A');
    expect(r.stdout).toContain('greedy-choice');
    const json = JSON.parse(execFileSync('node', ['-e', 'process.stdout.write(require("fs").readFileSync("out/report.json","utf8"))'], { cwd: project, encoding: 'utf8' }));
    expect(json.tool).toEqual({ name: 'evalaudit', version: pkg.version });
  });

  it('exports the documented library API only', () => {
    const script = `
      const lib = await import('evalaudit');
      const result = await lib.audit(['runs'], { rules: lib.defaultRuleSet });
      console.log([...result.findings].map((f) => f.ruleId).join(','));
      await import('evalaudit/dist/src/cli.js').then(() => console.log('deep import allowed'), (e) => console.log(e.code));
      const schema = await import('evalaudit/schema/report.schema.json', { with: { type: 'json' } });
      console.log(schema.default.title);`;
    const r = spawnSync('node', ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['greedy-choice', 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'evalaudit report']);
  });
});
