/**
 * evalaudit.config.json: found in the working directory (or given with --config), validated
 * against schema/config.schema.json with ajv. Every problem is a SettingsError naming the file
 * and the key (the CLI exits 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { schemaValidator } from '../lazy-ajv.js';
import { parseJsonText, parseErrorMessage } from '../ingest/json-text.js';
import { describeAjvError } from '../schema-errors.js';
import type { AccuracyThresholds } from '../gate/thresholds.js';
import type { FailOn } from '../gate/outcome.js';
import { SettingsError } from './errors.js';

export const CONFIG_FILE = 'evalaudit.config.json';

/** The file's keys, as schema/config.schema.json defines them. */
export interface ConfigFile {
  $schema?: string;
  rules?: Record<string, 'off' | 'info' | 'warn' | 'warning' | 'error'>;
  failOn?: FailOn;
  maxWarnings?: number;
  thresholds?: AccuracyThresholds;
  inputFormat?: string;
  map?: Record<string, string>;
  precision?: 'auto' | 'fp32' | 'bf16' | 'fp16';
  ignore?: string[];
  concurrency?: number;
  jobs?: number;
  baseline?: string;
  allowEmpty?: boolean;
  maxFindings?: number;
}

export interface LoadedConfig {
  /** As the user gave it, or the file name found in the working directory. */
  path: string;
  /** Relative paths in the file are read from here. */
  dir: string;
  config: ConfigFile;
}

/**
 * The config to use: `explicit` (--config PATH), none when `explicit` is false (--no-config),
 * else evalaudit.config.json in `cwd` if there is one.
 */
export function loadConfig(cwd: string, explicit?: string | false): LoadedConfig | null {
  if (explicit === false) return null;
  const path = explicit ?? CONFIG_FILE;
  const full = resolve(cwd, path);
  if (explicit === undefined && !existsSync(full)) return null;
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (e) {
    throw new SettingsError(`cannot read config ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let doc: unknown;
  try {
    doc = parseJsonText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new SettingsError(`config ${path} is not valid JSON: ${parseErrorMessage(e)}`);
  }
  const validate = schemaValidator('config');
  if (!validate(doc)) throw new SettingsError(`config ${path}: ${validate.errors?.[0] ? describeAjvError(validate.errors[0], 'config') : 'does not match schema/config.schema.json'}`);
  return { path, dir: dirname(full), config: doc as ConfigFile };
}

/** A path from the config file, read from the file's folder. */
export function configPath(loaded: LoadedConfig, path: string): string {
  return join(loaded.dir, path);
}
