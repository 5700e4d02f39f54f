/**
 * The report formats, by the name `--format` takes. Each is one file exporting a pure function
 * from the run result to text; adding a format is adding a file, a line here and a case in
 * load.ts (the CLI's registry, which imports a format's module only when a run asks for it).
 */
import { renderGithub } from './github.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { Reporter } from './reporter.js';
import { renderSarif } from './sarif.js';
import { renderSummary } from './summary.js';
import { renderText } from './text.js';
import { DEFAULT_FORMAT } from './load.js';

export type { ChunkedReporter, ReportOptions, Reporter } from './reporter.js';

export const reporters: Record<string, Reporter> = {
  markdown: renderMarkdown,
  json: renderJson,
  text: renderText,
  summary: renderSummary,
  github: renderGithub,
  sarif: renderSarif,
  junit: renderJunit,
};

export { DEFAULT_FORMAT };

/** The reporter for a format name, or undefined (the CLI turns that into a usage error). */
export function findReporter(format: string): Reporter | undefined {
  return Object.hasOwn(reporters, format) ? reporters[format] : undefined;
}
