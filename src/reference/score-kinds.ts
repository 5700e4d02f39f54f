/**
 * The one table of score kinds: what a recorded `score` of each kind is, how a total log-prob
 * is declared in it and read back from it, and where it can lie. The record context, the
 * candidates of a group, score-mismatch, the adapters and the record schema's enum all use it.
 */
import type { ScoreKind } from '../types.js';

export interface ScoreKindSpec {
  /** The declared form, in words (docs, messages). */
  form: string;
  /** The score a total log-prob `total` over `n` tokens declares in this kind. */
  declared(total: number, n: number): number;
  /** The total log-prob a score of this kind stands for; NaN when it needs an unknown token count. */
  toTotal(score: number, n: number): number;
  /** Where a score of this kind can lie. */
  min: number;
  max: number;
  /** Divided by the token count: a total's tolerance is divided by it too. */
  perToken: boolean;
  /** Exponentiated: a total's tolerance applies to it relatively. */
  exponential: boolean;
}

export const SCORE_KINDS: Readonly<Record<ScoreKind, ScoreKindSpec>> = {
  logprob: {
    form: 'total log-prob Σ log p',
    declared: (t) => t,
    toTotal: (s) => s,
    min: -Infinity,
    max: 0,
    perToken: false,
    exponential: false,
  },
  mean_logprob: {
    form: 'mean per-token log-prob (Σ log p) / n',
    declared: (t, n) => t / n,
    // A mean over an unknown number of tokens is no total.
    toTotal: (s, n) => (n > 0 ? s * n : NaN),
    min: -Infinity,
    max: 0,
    perToken: true,
    exponential: false,
  },
  prob: {
    form: 'sequence probability Π p = exp(Σ log p)',
    declared: (t) => Math.exp(t),
    toTotal: (s) => Math.log(s),
    min: 0,
    max: 1,
    perToken: false,
    exponential: true,
  },
  nll: {
    form: 'negative log-likelihood -Σ log p',
    declared: (t) => -t,
    toTotal: (s) => -s,
    min: 0,
    max: Infinity,
    perToken: false,
    exponential: false,
  },
  perplexity: {
    form: 'perplexity exp(-(Σ log p) / n)',
    declared: (t, n) => Math.exp(-t / n),
    toTotal: (s, n) => (n > 0 ? -n * Math.log(s) : NaN),
    min: 1,
    max: Infinity,
    perToken: true,
    exponential: true,
  },
};

export const SCORE_KIND_NAMES = Object.keys(SCORE_KINDS) as ScoreKind[];

export function isScoreKind(v: unknown): v is ScoreKind {
  return typeof v === 'string' && Object.hasOwn(SCORE_KINDS, v);
}
