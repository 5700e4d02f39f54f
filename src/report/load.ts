/**
 * The report formats as the CLI loads them: by name, each format's module imported only when a
 * run asks for it. The Markdown, text and summary reports need string-width and wrap-ansi
 * (~35 ms to load); a run that writes JSON or SARIF never loads them. `index.ts` is the same
 * registry for the library, loaded whole (test/report-chunks.test.ts checks the two agree).
 */
import type { ChunkedReporter } from './reporter.js';

/** Every format, in the order `--help` lists them. */
export const REPORT_FORMATS = ['markdown', 'json', 'text', 'summary', 'github', 'sarif', 'junit'] as const;

export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const DEFAULT_FORMAT: ReportFormat = 'markdown';

export function isReportFormat(name: string): name is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(name);
}

/** The format's reporter in pieces (a format without a chunked reporter gives its whole text as one piece). */
export async function loadChunkedReporter(format: ReportFormat): Promise<ChunkedReporter> {
  switch (format) {
    case 'json':
      return (await import('./json.js')).renderJsonChunks;
    case 'sarif':
      return (await import('./sarif.js')).renderSarifChunks;
    case 'text':
      return (await import('./text.js')).renderTextChunks;
    case 'markdown':
      return whole((await import('./markdown.js')).renderMarkdown);
    case 'summary':
      return whole((await import('./summary.js')).renderSummary);
    case 'github':
      return whole((await import('./github.js')).renderGithub);
    case 'junit':
      return (await import('./junit.js')).renderJunitChunks;
  }
}

function whole(render: (...args: Parameters<ChunkedReporter>) => string): ChunkedReporter {
  return (result, options) => [render(result, options)];
}
