/**
 * The registry of input formats: every adapter, in the order detection asks them.
 */
import type { FormatAdapter } from '../adapter.js';
import { canonicalAdapter } from '../canonical.js';
import { lmEvalResultsAdapter } from './lm-eval-results.js';
import { lmEvalSamplesAdapter } from './lm-eval-samples.js';
import { mappedAdapter } from './mapped.js';
import { openaiChatAdapter } from './openai-chat.js';
import { openaiCompletionsAdapter } from './openai-completions.js';
import { openaiResponsesAdapter } from './openai-responses.js';
import { openaiBatchAdapter } from './openai-batch.js';
import { geminiAdapter } from './gemini.js';
import { ollamaAdapter } from './ollama.js';
import { sglangAdapter } from './sglang.js';
import { vllmAdapter } from './vllm.js';
import { helmAdapter } from './helm.js';
import { helmRunFileAdapter } from './helm-run-files.js';
import { inspectAdapter } from './inspect.js';
import { lightevalAdapter } from './lighteval.js';
import { lmEvalV03Adapter } from './lm-eval-v03.js';
import { vllmServerAdapter } from './vllm-server.js';
import { tgiAdapter } from './tgi.js';
import { llamaCppAdapter } from './llama-cpp.js';
import { evalauditOutputAdapter } from './evalaudit-output.js';

/** Every format evalaudit reads, most specific first (detection asks them in this order). */
export const adapters: FormatAdapter[] = [
  evalauditOutputAdapter,
  lmEvalResultsAdapter,
  lmEvalSamplesAdapter,
  openaiBatchAdapter,
  vllmServerAdapter,
  inspectAdapter,
  helmAdapter,
  helmRunFileAdapter,
  lightevalAdapter,
  lmEvalV03Adapter,
  openaiChatAdapter,
  openaiCompletionsAdapter,
  openaiResponsesAdapter,
  geminiAdapter,
  ollamaAdapter,
  sglangAdapter,
  vllmAdapter,
  tgiAdapter,
  llamaCppAdapter,
  mappedAdapter,
  canonicalAdapter,
];
