/**
 * The native-format sample runs (sample-runs/formats/<folder>/ and formats/README.md): one small
 * run per input format, shaped like the files the tool writes, scored by a toy server (toy.ts)
 * with one planted bug each.
 *
 * To add a format: write `scripts/samples/formats/<format>.ts` exporting a FormatSample (its
 * folder, its files, its README row; see format-sample.ts and vllm.ts for a short one), append it
 * to FORMAT_SAMPLES, run `npm run samples`, and commit the new folder with the README. Append,
 * do not insert: the modules draw from one random stream in list order, so a module placed
 * before others would change their bytes (test/samples.test.ts would say so).
 */
import type { SampleFile, SampleGenerator } from '../types.js';
import type { FormatSample, FormatSampleRun } from './format-sample.js';
import { lmEval } from './lm-eval.js';
import { openaiChat } from './openai-chat.js';
import { openaiCompletionsEcho } from './openai-completions-echo.js';
import { BigramToy } from './toy.js';
import { vllm } from './vllm.js';
import { helm, inspect, lighteval, lmEvalV03 } from './harness.js';
import { vllmServer } from './vllm-server.js';
import { tgi } from './tgi.js';
import { llamaCpp } from './llama-cpp.js';
import { mulberry32 } from '../../lib/prng.js';

export const FORMAT_SAMPLES: readonly FormatSample[] = [lmEval, openaiCompletionsEcho, openaiChat, vllm, inspect, helm, lighteval, lmEvalV03, vllmServer, tgi, llamaCpp];

/** The seeds of the streams the format modules share: the bigram toy's, and the harness formats' per-token log-probs. */
const STREAM_SEED = 7;
const HARNESS_SEED = 20260115;

function readme(runs: readonly (FormatSampleRun & { folder: string })[]): string {
  const rows = runs.map((r) => `| ${r.folder}/ | ${r.records} | ${r.planted} | ${r.rule} |`);
  const notes = runs.flatMap((r) => (r.note === undefined ? [] : ['', r.note]));
  return `# Sample runs in native formats

One small run per native input format (see \`docs/formats.md\`), shaped like the files the tool
writes, each with one planted bug. **Generated** by \`npm run samples\` (scripts/samples/formats/,
one module per format; deterministic, offline: edit the generator, not these files, and
regenerate; \`test/samples.test.ts\` checks they match).

The model server is a seeded toy: a bigram table over 64 word tokens, log-softmax in float64.
Its top-k lists are true top-k lists, with the actual token added the way each API adds it.
Every record not listed below is scored correctly from its own payload: an audit should report
nothing for it.

| folder | records | planted bug | rule that should name it |
|---|---|---|---|
${[...rows, ...notes].join('\n')}
`;
}

function files(): SampleFile[] {
  const toy = new BigramToy(STREAM_SEED);
  const rand = mulberry32(HARNESS_SEED);
  const runs = FORMAT_SAMPLES.map((f) => ({ ...f.build(toy, rand), folder: f.folder }));
  return [
    ...runs.flatMap((r) => r.files.map((file) => ({ path: `formats/${r.folder}/${file.name}`, content: file.content }))),
    { path: 'formats/README.md', content: readme(runs) },
  ];
}

export const formatSamples: SampleGenerator = { name: 'native formats', files };
