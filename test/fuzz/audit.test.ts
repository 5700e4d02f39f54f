/**
 * The fuzz suite: generated runs (canonical JSONL/CSV/JSON, native payloads, their mutations and
 * byte-level damage, several files at once) through the library (fast, most cases) and through
 * the real command (fewer cases: each is a process). Seeded: `npm test` replays the same cases,
 * `npm run fuzz -- --runs 10000 [--seed N]` explores more.
 */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { audit, nothingAudited } from '../../src/engine/index.js';
import { displayPath } from '../../src/report/format.js';
import { defaultRuleSet } from '../../rules/index.js';
import { decideGate } from '../../src/gate/index.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { runCli } from '../helpers/cli-process.js';
import { runFiles } from './arbitraries.js';
import { fuzzParams } from './config.js';
import { checkAccounting, checkMarkdown, checkSchema, writeRun } from './oracles.js';

const LONG = process.env.FUZZ_RUNS ? 3_600_000 : 60_000;

let stderr = '';
beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe('fuzz: the library', () => {
  it(
    'never throws; counts add up and match the model; the report validates; bytes do not depend on --concurrency; Markdown reads back as written',
    async () => {
      await fc.assert(
        fc.asyncProperty(runFiles, fc.integer({ min: 2, max: 8 }), async (files, concurrency) => {
          const { dir, paths } = writeRun(files);
          try {
            const result = await audit([dir], { rules: defaultRuleSet, concurrency: 1 });
            expect(stderr, 'nothing on stderr (a rule that failed)').toBe('');
            // stderr hears of a rule's failure once per thread: the findings say it every time (shrinking needs that).
            expect(result.summary.byRule['rule-failure'] ?? 0, 'no rule threw').toBe(0);
            checkAccounting(result, files, paths);
            checkSchema(result, dir);
            checkMarkdown(result, dir);
            const again = await audit([dir], { rules: defaultRuleSet, concurrency });
            const options = { cwd: dir, color: false };
            expect(renderJson(again, options)).toBe(renderJson(result, options));
            expect(renderMarkdown(again, options)).toBe(renderMarkdown(result, options));
            expect(renderText(again, options)).toBe(renderText(result, options));
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }),
        fuzzParams(0.98, 30),
      );
    },
    LONG,
  );
});

describe('fuzz: the command', () => {
  it(
    'exits 0 or 1 (2 when nothing was audited, saying why on stderr), prints no internal error, and writes the same report as the library',
    async () => {
      await fc.assert(
        fc.asyncProperty(runFiles, fc.integer({ min: 1, max: 6 }), fc.constantFrom('json', 'markdown', 'text'), async (files, concurrency, format) => {
          const { dir } = writeRun(files);
          try {
            const r = runCli(['audit', '.', '--format', format, '--concurrency', String(concurrency), '--fail-on', 'error'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CI: '1' } });
            const result = await audit(['.'].map(() => dir), { rules: defaultRuleSet });
            // A run with no auditable record (a results file alone, every row skipped) exits 2 and says why, file by file.
            const empty = nothingAudited(result);
            const why = empty.map((e) => `evalaudit: nothing audited in ${displayPath(e.file, dir)}: ${e.why}\n`).join('');
            expect(r.stderr).toBe(empty.length > 0 ? `${why}evalaudit: no record was audited (--allow-empty accepts that)\n` : '');
            // The CLI reports the gate it decided (here --fail-on error alone) at the terminal's default width.
            const gate = decideGate(result, { failOn: 'error', accuracy: [] });
            const expected = (format === 'json' ? renderJson : format === 'markdown' ? renderMarkdown : renderText)(result, { cwd: dir, color: false, gate, width: 80 });
            expect(r.stdout).toBe(expected.split(dir + '/').join(''));
            expect(r.code).toBe(empty.length > 0 ? 2 : result.summary.findings.error > 0 ? 1 : 0);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }),
        fuzzParams(0.02, 2),
      );
    },
    LONG,
  );
});
