/**
 * Where a generated reply really ends. A server that stops on a stop sequence or an end-of-sequence
 * token can still list the token(s) it stopped on: OpenAI's legacy completions keep log-probs for
 * tokens past the stop (their `text_offset` clamped to the end of `text`), vLLM keeps the EOS token
 * and the token that completed a stop string in `token_ids` and log-probs, llama.cpp and TGI list
 * the EOS token with an empty or special text. Those tokens are not part of the returned text, so
 * a score of that text does not include them: the scored continuation is the tokens that start
 * before the text's end, and the rest are trailing (generated past the continuation).
 */

/**
 * How many leading tokens start inside `text`, when the tokens spell `text` and then more;
 * `tokens.length` when they do not spell it (a reasoning parser or tool call reshaped the reply,
 * or the server decodes tokens differently): then nothing can be cut safely. With `bytes` for
 * every token, positions are UTF-8 bytes (exact for tokens that split a character).
 */
export function tokensWithinText(tokens: readonly string[], text: string, bytes?: readonly unknown[]): number {
  if (bytes && bytes.length === tokens.length && bytes.every(isByteList)) {
    return within(bytes as number[][], Buffer.from(text, 'utf8'), (a, b) => a === b);
  }
  return within(tokens, text, (a, b) => a === b);
}

function isByteList(b: unknown): boolean {
  return Array.isArray(b) && b.every((x) => Number.isInteger(x) && x >= 0 && x < 256);
}

/** Generic over a token as a string (UTF-16 units) or a byte list. */
function within<U>(pieces: readonly ArrayLike<U>[], target: ArrayLike<U>, same: (a: U, b: U) => boolean): number {
  let offset = 0;
  for (let i = 0; i < pieces.length; i++) {
    if (offset >= target.length) return i;
    const p = pieces[i];
    for (let j = 0; j < p.length && offset + j < target.length; j++) {
      if (!same(p[j], target[offset + j])) return pieces.length;
    }
    offset += p.length;
  }
  return pieces.length;
}

/** Finish reasons that mean the server stopped before its token budget (and may list the stop). */
export function stoppedEarly(reason: unknown): boolean {
  return reason === 'stop' || reason === 'eos_token' || reason === 'stop_sequence' || reason === 'eos' || reason === 'word';
}
