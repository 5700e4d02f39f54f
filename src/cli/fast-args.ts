/**
 * The audit command's arguments read without yargs, for the plain command lines CI jobs and
 * scripts write (`audit run.jsonl --format json -o report.json --rule x=off`): loading yargs
 * costs more than auditing a small file. It reads the same option table yargs is given
 * (options.ts) and follows yargs' reading of it (arrays take every following value up to the next
 * flag, `--no-x` is false); anything it is not sure of — help, a misspelt or repeated flag, a
 * value yargs would refuse or read in its own way — returns null, and yargs parses the line.
 * test/fast-args.test.ts holds the two to the same result.
 */
import { AUDIT_OPTIONS, READ_OPTIONS } from './options.js';
import type { AuditArgs } from './audit-command.js';

interface OptionSpec {
  type: 'string' | 'number' | 'boolean';
  alias?: string;
  array?: boolean;
  choices?: readonly string[];
}

const OPTIONS: Record<string, OptionSpec> = { ...AUDIT_OPTIONS, ...READ_OPTIONS };
const ALIASES = new Map<string, string>(Object.entries(OPTIONS).flatMap(([name, o]) => (o.alias ? [[`-${o.alias}`, name] as [string, string]] : [])));
/** Options that `--no-<name>` turns off (yargs allows it on any; these are the ones that mean something). */
const NEGATABLE = new Set(['config', ...Object.keys(OPTIONS).filter((n) => OPTIONS[n].type === 'boolean')]);
/** A number as yargs reads one, written plainly (no sign, hex or exponent: those go to yargs). */
const PLAIN_NUMBER = /^\d+(\.\d+)?$/;

/** The audit command's arguments, or null to let yargs read the command line. */
export function fastAuditArgs(argv: readonly string[]): AuditArgs | null {
  if (argv[0] !== 'audit') return null;
  const args: Record<string, unknown> = {};
  const paths: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('-')) {
      paths.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const flag = eq > 0 ? token.slice(0, eq) : token;
    const inline = eq > 0 ? token.slice(eq + 1) : undefined;
    if (inline === '') return null;
    let name = ALIASES.get(flag) ?? (flag.startsWith('--') ? flag.slice(2) : null);
    if (name === null) return null;
    if (!Object.hasOwn(OPTIONS, name) && name.startsWith('no-') && NEGATABLE.has(name.slice(3)) && inline === undefined) {
      name = name.slice(3);
      if (Object.hasOwn(args, name)) return null;
      args[name] = false;
      continue;
    }
    if (!Object.hasOwn(OPTIONS, name) || Object.hasOwn(args, name)) return null;
    const spec = OPTIONS[name];
    if (spec.type === 'boolean') {
      // yargs reads `--flag true` and `--flag=false` its own way.
      if (inline !== undefined || /^(true|false)$/.test(argv[i + 1] ?? '')) return null;
      args[name] = true;
      continue;
    }
    const values: string[] = inline !== undefined ? [inline] : [];
    // An array takes every value up to the next flag (yargs' greedy arrays); others take one.
    while ((spec.array || values.length === 0) && i + 1 < argv.length && !argv[i + 1].startsWith('-')) values.push(argv[++i]);
    if (values.length === 0 || (!spec.array && values.length > 1)) return null;
    if (spec.choices && values.some((v) => !spec.choices!.includes(v))) return null;
    if (spec.type === 'number') {
      if (spec.array || !PLAIN_NUMBER.test(values[0])) return null;
      args[name] = Number(values[0]);
    } else args[name] = spec.array ? values : values[0];
  }
  for (const [name, spec] of Object.entries(OPTIONS)) if (spec.array && !Object.hasOwn(args, name)) args[name] = [];
  return { ...args, paths } as AuditArgs;
}
