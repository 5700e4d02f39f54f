/**
 * The files of a HELM run folder other than its scenario state, and the suite summaries
 * `helm-summarize` writes beside the run folders: `stats.json` gives headline aggregates, the
 * rest hold no log-probs and are skipped, each row with why.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RawItem } from '../../types.js';
import type { FormatAdapter } from '../adapter.js';
import { baseName, isObject } from './values.js';
import { runName, taskOf } from './helm.js';

/** A table of helm-summarize (presentation/table.py): {title, header, rows}. */
function isTable(v: unknown): boolean {
  return isObject(v) && typeof v.title === 'string' && Array.isArray(v.header) && Array.isArray(v.rows);
}

/**
 * What `helm-summarize` writes for a whole suite beside its run folders, in
 * benchmark_output/runs/<suite>/ (src/helm/benchmark/presentation/summarize.py): indexes of the
 * runs and tables of their stats, no log-probs. Each is known by its name and its shape; the
 * tables of groups/ and groups/json/ by their shape and their folder.
 */
const SUITE_FILES: Readonly<Record<string, (first: unknown) => boolean>> = {
  'summary.json': (v) => isObject(v) && typeof v.suite === 'string',
  'runs.json': (v) => isObject(v) && typeof v.run_path === 'string' && isObject(v.run_spec),
  'run_specs.json': (v) => isObject(v) && typeof v.name === 'string' && isObject(v.adapter_spec) && isObject(v.scenario_spec),
  'groups.json': isTable,
  'groups_metadata.json': (v) => isObject(v) && Object.values(v).every((g) => isObject(g) && 'display_name' in g),
  'schema.json': (v) => isObject(v) && Array.isArray(v.metrics) && Array.isArray(v.run_groups),
  'runs_to_run_suites.json': (v) => isObject(v) && Object.values(v).every((suite) => typeof suite === 'string'),
  'costs.json': (v) => isObject(v) && Object.values(v).every(isObject),
};

/** The folders of a suite's group tables: groups/ and groups/json/. */
const GROUPS_FOLDER = /(^|[\\/])groups([\\/]json)?$/;

function isSuiteFile(first: unknown, file: string): boolean {
  const name = baseName(file);
  if (Object.hasOwn(SUITE_FILES, name)) return SUITE_FILES[name](first);
  return isTable(first) && GROUPS_FOLDER.test(dirname(file));
}

/**
 * The other files HELM writes into a run folder, none with log-probs: run_spec.json and
 * scenario.json (benchmark/runner.py), the compact instances.json, display_predictions.json and
 * display_requests.json of the web frontend (presentation/run_display.py), reeval_trajectory.json
 * (reeval_runner.py), encryption_data.json (scripts/encrypt_scenario_states.py). Beside a scenario state each is known by its name; without one (a run
 * folder shared without its large scenario_state.json) by its name and its shape.
 */
const RUN_FILES: Readonly<Record<string, (first: unknown) => boolean>> = {
  'run_spec.json': (v) => isObject(v) && typeof v.name === 'string' && isObject(v.adapter_spec),
  'scenario.json': (v) => isObject(v) && typeof v.name === 'string' && typeof v.description === 'string' && Array.isArray(v.tags),
  'instances.json': (v) => isObject(v) && isObject(v.input) && Array.isArray(v.references),
  'display_predictions.json': (v) => isObject(v) && 'instance_id' in v && typeof v.predicted_text === 'string' && isObject(v.stats),
  'display_requests.json': (v) => isObject(v) && 'instance_id' in v && isObject(v.request),
  'reeval_trajectory.json': (v) => isObject(v) && Array.isArray(v.model_ability) && Array.isArray(v.response_correctness),
  'costs.json': SUITE_FILES['costs.json'],
  // scripts/encrypt_scenario_states.py: {"[encrypted_text_<n>]": {ciphertext, key, iv, tag}}.
  'encryption_data.json': (v) => isObject(v) && Object.values(v).every((e) => isObject(e) && typeof e.ciphertext === 'string'),
};

function isRunFile(first: unknown, file: string): boolean {
  const name = baseName(file);
  return Object.hasOwn(RUN_FILES, name) && (existsSync(join(dirname(file), 'scenario_state.json')) || RUN_FILES[name](first));
}

function isInstanceStats(v: unknown): boolean {
  return isObject(v) && 'instance_id' in v && Array.isArray(v.stats);
}

function isStat(v: unknown): v is Record<string, unknown> {
  return isObject(v) && isObject(v.name) && typeof v.name.name === 'string' && typeof v.count === 'number' && 'sum' in v;
}

/**
 * The rest of a HELM run folder: `stats.json` gives the headline aggregates (checked against
 * the per-instance metrics joined to the scenario state); `per_instance_stats.json` is read
 * through the scenario state it belongs to; the other files hold no numbers to audit.
 */
export const helmRunFileAdapter: FormatAdapter = {
  name: 'helm-run-file',
  description: 'the other files of a HELM run folder: stats.json (aggregates), per_instance_stats.json (joined to scenario_state.json), run_spec.json, display_*.json, encryption_data.json, …; and the suite summaries helm-summarize writes beside the run folders (runs.json, groups/*.json, …)',
  containers: ['json'],
  detect(first, file) {
    if (isInstanceStats(first) || isStat(first)) return true;
    return isRunFile(first, file) || isSuiteFile(first, file);
  },
  createConverter(file) {
    const run = runName(file);
    const beside = existsSync(join(dirname(file), 'scenario_state.json'));
    const suite = !beside && (Object.hasOwn(SUITE_FILES, baseName(file)) || GROUPS_FOLDER.test(dirname(file)));
    // Every row is accounted for: what is not an aggregate is a skipped row, with why.
    const skip = (line: number, reason: string): RawItem[] => [{ kind: 'skipped', file, line, reason }];
    return (row) => {
      const v = row.value;
      if (isStat(v)) {
        const name = v.name as Record<string, unknown>;
        // Only the plain aggregate: sub-splits and perturbations average other subsets.
        if (name.sub_split !== undefined || name.perturbation !== undefined) return skip(row.line, 'HELM stat of a sub-split or perturbation: not a headline number');
        // A Stat of no values (count 0) has no mean (metrics/statistic.py): asdict_without_nones leaves it out.
        if (typeof v.mean !== 'number') return skip(row.line, 'HELM stat without a mean (no values): not a headline number');
        return [{ kind: 'aggregate', file, line: row.line, task: taskOf(run, name.split, undefined), metric: name.name as string, value: v.mean, run: resolve(dirname(file)) }];
      }
      if (isInstanceStats(v)) {
        return skip(row.line, beside ? 'HELM per-instance stats: joined to the scenario_state.json beside them' : 'HELM per-instance stats without a scenario_state.json beside them: nothing to audit');
      }
      if (suite) return skip(row.line, 'HELM suite summary (helm-summarize): no log-probs');
      return skip(row.line, baseName(file) === 'encryption_data.json' ? 'HELM encryption data (scripts/encrypt_scenario_states.py): keys, no log-probs' : 'HELM run file without log-probs');
    };
  },
};
