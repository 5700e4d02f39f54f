/**
 * Reading the per-token lists model servers write as arrays of objects (TGI's `details.prefill`
 * and `details.tokens`, llama.cpp's `completion_probabilities`). Every field is checked and the
 * first bad one is named by its path ("details.prefill[3].logprob is not a number"), so a file
 * that looks like a format but breaks it says where.
 */
import { isObject, show } from './values.js';

/** The skip reason for a server response requested without per-token log-probs. */
export const NO_LOGPROBS = 'response without log-probs';

/** Reads fields, keeping the first problem; each read returns a stand-in after a problem. */
export class FieldReader {
  error: string | null = null;

  fail(message: string): void {
    this.error ??= message;
  }

  /** A number, or null where the server gives none. */
  numberOrNull(v: unknown, where: string): number | null {
    if (v === null || v === undefined || typeof v === 'number') return (v ?? null) as number | null;
    this.fail(`${where} is not a number: ${show(v)}`);
    return null;
  }

  number(v: unknown, where: string): number {
    if (typeof v === 'number') return v;
    this.fail(v === undefined ? `${where} is missing` : `${where} is not a number: ${show(v)}`);
    return NaN;
  }

  string(v: unknown, where: string): string {
    if (typeof v === 'string') return v;
    this.fail(v === undefined ? `${where} is missing` : `${where} is not a string: ${show(v)}`);
    return '';
  }

  tokenId(v: unknown, where: string): number {
    if (Number.isInteger(v) && (v as number) >= 0) return v as number;
    this.fail(v === undefined ? `${where} is missing` : `${where} is not a token id: ${show(v)}`);
    return 0;
  }

  list(v: unknown, where: string): unknown[] {
    if (Array.isArray(v)) return v;
    this.fail(v === undefined ? `${where} is missing` : `${where} is not a list: ${show(v)}`);
    return [];
  }

  object(v: unknown, where: string): Record<string, unknown> {
    if (isObject(v)) return v;
    this.fail(`${where} is not an object: ${show(v)}`);
    return {};
  }
}

/**
 * Whether a server's raw per-token values say more than the reference made from them: a null or a
 * stand-in for -inf that a careless scorer could have summed. Only then are they given as the
 * record's `logprobs` too (the rules test "a null / sentinel was summed" on recorded values);
 * otherwise the reference alone leaves the score-level hypotheses (top-1 gathered, windows) open.
 */
export function rawValuesTell(raw: readonly (number | null)[], sentinel?: number): boolean {
  return raw.some((v) => v === null || (sentinel !== undefined && v === sentinel));
}
