/** The real command in a child process: exit codes, streams and signals as a user sees them. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'evalaudit.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: SpawnSyncOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28, ...options });
  return { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** A shell line, for pipes and process substitution; `$BIN` names the command. */
export function runShell(line: string, cwd: string): CliRun {
  const r = spawnSync('bash', ['-c', line], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, BIN, NODE: process.execPath } });
  return { code: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}
