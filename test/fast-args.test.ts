/**
 * The audit command line read without yargs (src/cli/fast-args.ts) must mean what yargs makes of
 * it, or be left to yargs (null). Each command line here is read both ways; where the fast path
 * answers, every flag the audit reads is the same as yargs', and the plain lines are answered.
 */
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { fastAuditArgs } from '../src/cli/fast-args.js';
import { auditCommand } from '../src/cli/program.js';
import { AUDIT_OPTIONS, READ_OPTIONS } from '../src/cli/options.js';

const NAMES = ['paths', ...Object.keys(AUDIT_OPTIONS), ...Object.keys(READ_OPTIONS)];

async function byYargs(argv: string[]): Promise<Record<string, unknown> | string> {
  let got: Record<string, unknown> = {};
  try {
    await yargs(argv)
      .command('audit [paths..]', '', (y) => auditCommand(y), (a) => void (got = a as Record<string, unknown>))
      .strict()
      .exitProcess(false)
      .fail((msg, e) => {
        throw e ?? new Error(msg);
      })
      .parseAsync();
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
  return Object.fromEntries(NAMES.filter((n) => got[n] !== undefined).map((n) => [n, got[n]]));
}

const plain = [
  ['audit', 'run.jsonl'],
  ['audit', 'a.jsonl', 'b/', '<stdin>'],
  ['audit', '123', '0x10', '1e3', 'true'],
  ['audit', 'run.jsonl', '--format', 'json', '--output', 'r.json', '--fail-on', 'none'],
  ['audit', '-f', 'sarif', '-o', 'r.sarif', 'runs'],
  ['audit', '--format=json', 'runs', '--max-warnings', '5', '--max-accuracy-change', '0.5'],
  ['audit', '--rule', 'score-mismatch=off', 'low-precision=warn', '--', 'x'],
  ['audit', 'runs', '--rule', 'a=off', '--ignore', 'x/**', 'y/*.jsonl', '--report', 'json=r.json'],
  ['audit', 'runs', '--no-config', '--no-color', '--allow-empty', '--step-summary'],
  ['audit', 'runs', '--config', 'c.json', '--precision', 'bf16', '--input-format', 'canonical'],
  ['audit', 'runs', '--map', 'score=a.b', '--map-config', 'm.json', '--baseline', 'b.json', '--update-baseline'],
  ['audit', 'runs', '--concurrency', '2', '--max-findings', '3', '--print-config'],
];
const odd = [
  ['audit', '--help'],
  ['audit', 'runs', '--format', 'yaml'],
  ['audit', 'runs', '--format', 'json', '--format', 'text'],
  ['audit', 'runs', '--forma', 'json'],
  ['audit', 'runs', '--color', 'false'],
  ['audit', 'runs', '--allow-empty=true'],
  ['audit', 'runs', '--max-warnings', '1e2'],
  ['audit', 'runs', '--max-warnings', '-1'],
  ['audit', 'runs', '--max-warnings', 'many'],
  ['audit', 'runs', '--output'],
  ['audit', 'runs', '--output='],
  ['audit', 'runs', '-x'],
  ['audit', 'runs', '-fo', 'json'],
  ['audit', 'runs', '--no-format'],
  ['audit', 'runs', '--rule=a=off', 'b'],
  ['audit', 'runs', '--maxWarnings', '3'],
  ['audit', '--', 'runs'],
  ['explain', 'run.jsonl', '--record', 'r1'],
  ['rules'],
];

describe('the audit command line without yargs', () => {
  it.each([...plain, ...odd])('%j means what yargs reads, or is left to yargs', async (...argv) => {
    const fast = fastAuditArgs(argv);
    if (fast === null) return;
    const expected = await byYargs(argv);
    const got = Object.fromEntries(NAMES.filter((n) => fast[n] !== undefined).map((n) => [n, fast[n]]));
    expect(got).toEqual(expected);
  });

  it('answers the plain command lines itself', () => {
    const answered = plain.filter((argv) => fastAuditArgs(argv) !== null);
    // The `--` line is yargs' (end of flags); every other plain line is the fast path's.
    expect(answered.length).toBe(plain.length - 1);
  });

  it('leaves help, misspelt, repeated and odd flags to yargs', () => {
    for (const argv of odd) if (argv[0] === 'audit' && argv.join(' ') !== 'audit runs --rule=a=off b') expect(fastAuditArgs(argv), argv.join(' ')).toBeNull();
  });
});
