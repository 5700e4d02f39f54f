/**
 * The report formats, by the name `--format` takes. Each is one file exporting a pure function
 * from the run result to text; adding a format is adding a file and a line here.
 */
import { renderGithub } from './github.js';
import { renderJson, renderJsonChunks } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { ChunkedReporter, Reporter } from './reporter.js';
import { renderSarif, renderSarifChunks } from './sarif.js';
import { renderSummary } from './summary.js';
import { renderText, renderTextChunks } from './text.js';

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

export const DEFAULT_FORMAT = 'markdown';

/** The reporter for a format name, or undefined (the CLI turns that into a usage error). */
export function findReporter(format: string): Reporter | undefined {
  return Object.hasOwn(reporters, format) ? reporters[format] : undefined;
}

/** Formats that can also be rendered in pieces (same text as their Reporter). */
const chunkedReporters: Record<string, ChunkedReporter> = { json: renderJsonChunks, sarif: renderSarifChunks, text: renderTextChunks };

/** The format's reporter in pieces when it has one, else its whole text as the one piece. */
export function findChunkedReporter(format: string): ChunkedReporter | undefined {
  if (Object.hasOwn(chunkedReporters, format)) return chunkedReporters[format];
  const whole = findReporter(format);
  return whole && ((result, options) => [whole(result, options)]);
}
