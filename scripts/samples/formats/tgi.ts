/**
 * Hugging Face TGI `/generate` with `details` and `decoder_input_details`: each candidate sent as
 * context + continuation with `max_new_tokens: 1`, scored from `details.prefill` (first logprob
 * null), the script's fields beside the response. Two groups.
 *
 * Planted: in tg1-c1 the first continuation token was served from TGI's prefix cache, so its
 * prefill logprob is null, and the script summed the others as if it were 0.
 */
import { argmaxOf, f64Sum } from '../../lib/pipeline-math.js';
import { jsonLines, type FormatSample } from './format-sample.js';
import { choiceRecords, logprobsAfter, text, VOCAB, type BigramToy, type Choice } from './toy.js';

const PLANTED = 'tg1-c1';

function record({ id, group, context, continuation, gold }: Choice) {
  const ids = [...context, ...continuation];
  const prefill = ids.map((t, i) => ({ id: t, text: VOCAB[t], logprob: i === 0 ? null : logprobsAfter(ids[i - 1])[t] }));
  if (id === PLANTED) prefill[context.length].logprob = null;
  const genRow = logprobsAfter(ids[ids.length - 1]);
  const generated = argmaxOf(genRow);
  const scored = prefill.slice(context.length).map((t) => t.logprob ?? 0);
  return {
    id,
    group,
    gold,
    score: f64Sum(scored),
    score_kind: 'logprob',
    context_tokens: context.length,
    request: { inputs: text(ids), parameters: { max_new_tokens: 1, details: true, decoder_input_details: true } },
    response: {
      generated_text: VOCAB[generated],
      details: {
        finish_reason: 'length',
        generated_tokens: 1,
        seed: null,
        prefill,
        tokens: [{ id: generated, text: VOCAB[generated], logprob: genRow[generated], special: false }],
        top_tokens: null,
      },
    },
  };
}

function build(toy: BigramToy) {
  const records = choiceRecords(toy, { prefix: 'tg', count: 2, first: 40 }, record, (r, selected) => {
    const { id, group, gold, ...rest } = r;
    return { id, group, gold, selected, ...rest };
  });
  return {
    files: [{ name: 'generate.jsonl', content: jsonLines(records) }],
    records: String(records.length),
    planted: `${PLANTED}: a prefill token served from the prefix cache (\`logprob: null\`) summed as 0`,
    rule: 'invalid-logprob',
  };
}

export const tgi: FormatSample = { folder: 'tgi', build };
