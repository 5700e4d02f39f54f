/**
 * sample-runs/README.md: what the canonical files hold and every planted case with the rule that
 * should name it (test/sample-runs.test.ts audits the files against this table).
 */
import type { Planted, PlantedBug } from './groups.js';

/** Rule that should name each bug (the ids of rules/ and the dev corpus' `accept` lists). */
const RULE: Record<PlantedBug, string> = {
  softmax_skipped: 'softmax-skipped',
  prob_product: 'probability-product',
  underflow: 'probability-product',
  prob_sum: 'probability-sum',
  no_shift: 'length-mismatch',
  includes_context_token: 'length-mismatch',
  drops_last_token: 'length-mismatch',
  argmax_gathered: 'high-confidence-wrong-token',
  token_id_off_by_one: 'wrong-token-index',
  temperature_0_7: 'temperature-scaled',
  softmax_twice: 'softmax-twice',
  mean_as_sum: 'normalization-mismatch',
  fp16: 'low-precision',
  nan_value: 'invalid-logprob',
  stale_score: 'score-mismatch',
  greedy: 'greedy-choice',
  inverted: 'ranking-inverted',
};

const WHAT: Record<PlantedBug, string> = {
  softmax_skipped: 'softmax skipped: raw logits recorded as log-probs',
  prob_product: 'probabilities multiplied: score is ∏ p (per-token values are probabilities)',
  underflow: 'log of a float32 product of probabilities: underflows to -Infinity on a long continuation',
  prob_sum: 'probabilities added: score is Σ p',
  no_shift: 'one-step shift forgotten: row i+1 scores token i',
  includes_context_token: 'last context token scored too: n+1 values',
  drops_last_token: 'last continuation token dropped: n-1 values',
  argmax_gathered: "argmax token's log-prob gathered instead of the target's",
  token_id_off_by_one: 'log-prob of token id + 1 gathered',
  temperature_0_7: 'log_softmax(logits / 0.7)',
  softmax_twice: 'log(softmax(softmax(logits)))',
  mean_as_sum: 'mean per-token log-prob recorded as the total',
  fp16: 'float16 model: values rounded to half, summed in half',
  nan_value: 'a NaN per-token value (and so a NaN score)',
  stale_score: 'score from an older checkpoint (matches no hypothesis)',
  greedy: 'group picked by the first token log-prob, not the total',
  inverted: 'group picked by the lowest total',
};

/** One table row per group and bug: consecutive cases of one bug in one group share a row. */
function tableRows(cases: readonly Planted[]): { file: string; bug: PlantedBug; group: string; ids: string[] }[] {
  const rows: { file: string; bug: PlantedBug; group: string; ids: string[] }[] = [];
  for (const c of cases) {
    const group = c.id.split('-')[0];
    const last = rows[rows.length - 1];
    if (last && last.file === c.file && last.bug === c.bug && last.group === group) last.ids.push(c.id);
    else rows.push({ file: c.file, bug: c.bug, group, ids: [c.id] });
  }
  return rows;
}

export function canonicalReadme(counts: Readonly<Record<string, number>>, cleanCount: number, planted: readonly Planted[]): string {
  return `# Sample runs

Small eval runs in the canonical record format (\`schema/record.schema.json\`), for trying
evalaudit and for end-to-end tests. **Generated** by \`npm run samples\` from
scripts/samples/canonical/ (deterministic: edit the generator, not these files, and regenerate).

A toy model emits random float32 logits per step over a vocabulary of 512 tokens (40 common
words and rarer sub-word pieces; 16 tokens in \`logits.jsonl\`, so its full logits stay
small). Its logits depend only on the prompt and the previous tokens, so the candidates of a
group share their first step. Each recorded value is what a scorer computed
from those logits in float32 (float16 for the fp16 case): the correct scorer for clean records,
a buggy one for planted records. \`top_logprobs\` are the model's true top-k in float64.
Non-finite numbers are written as Python writes them (\`NaN\`, \`-Infinity\` in JSON; \`nan\`,
\`-inf\` in CSV cells).

| file | records | evidence |
|---|---|---|
| logits.jsonl | ${counts['logits.jsonl']} | full logits (16-token vocabulary), per-token values, top-5, score |
| choice-topk.jsonl | ${counts['choice-topk.jsonl']} | per-token values, top-8, score |
| choice-pertoken.csv | ${counts['choice-pertoken.csv']} | per-token values and score (arrays JSON-encoded in cells; prompts span lines) |
| cat.jsonl | ${counts['cat.jsonl']} | the greedy-pick example: per-token values, top-5, score |

(\`formats/\` holds samples in native tool formats, written by scripts/samples/formats/.)

Every group has one \`selected\` and one \`gold\` candidate. Unless a planted case says
otherwise, the pipeline picked the candidate with the highest recorded score. ${cleanCount} records
have no record-level bug: apart from the planted group-level picks below, an audit should report
nothing for them.

## Planted cases

| file | id | planted bug | rule that should name it |
|---|---|---|---|
${tableRows(planted)
  .map((p) => `| ${p.file} | ${p.ids.join(', ')} | ${WHAT[p.bug]} | ${RULE[p.bug]} |`)
  .join('\n')}

Notes:

- The cat example: prompt "The cat sat on the"; A " warm mat" (-0.9, -1.5) = -2.4 was selected
  because its first token beats B's (-0.9 > -1.2), but B " plush rug" (-1.2, -1.1) = -2.3 has the
  higher total and is gold. C " soft bed" (-3.3, -1.6) = -4.9 makes the pick unambiguous: A is
  neither the lowest total nor the best mean, so only a greedy first-token pick explains it.
- A planted greedy or inverted pick is never also the pick of another policy (best first token,
  lowest total, best mean per-token log-prob).
- In a \`no_shift\` record of \`logits.jsonl\` the \`logits\` field has n+1 rows: the buggy scorer
  read the row after the last token, which the model's forward pass also produced.
- An underflow record's per-token values are correct; only its score (log of a float32 product
  of probabilities that reached 0) is -Infinity.
- Group-level cases (greedy, inverted) are made of clean records; the planted bug is the pick.
`;
}
