// What a row of a batch asks of the decode loop (generate.ts) and what it gets back.
import type { CandidateSpec } from './candidates.ts';
import type { RowConstraints } from './constraints.ts';
import type { Sampling } from './sampling.ts';

export interface GenerateRow {
  /** Prompt token ids (no padding); ends with `prior` when that is given. */
  ids: readonly number[];
  /**
   * Tokens this row already generated (the tail of `ids`): a resumed generation. They count toward
   * `maxNewTokens`, the banned-sequence checks and the returned tokens/text.
   */
  prior?: readonly number[];
  maxNewTokens: number;
  /**
   * Stop once the text holds this many complete sentences (each of at least SENTENCE_MIN_WORDS words
   * counted from the start): seen when a token starting with whitespace follows sentence-final
   * punctuation; that token is dropped. Unset: only <|end|> and maxNewTokens stop the row.
   */
  sentences?: number;
  /** Token sequences that must not be produced (HF `bad_words_ids` semantics). */
  badWords?: readonly (readonly number[])[];
  /** What this row may emit (its plan's slots, banned phrases, no repeated n-grams): see constraints.ts. */
  constraints?: RowConstraints;
  /**
   * Candidates to return (see candidates.ts): n forks n ways at the first generated token, an array
   * gives the branching per step. Default 1: greedy, exactly as without it.
   */
  candidates?: CandidateSpec;
  /**
   * Sample the candidates instead of forking them (sampling.ts): each lane (lane 0 included) draws
   * every token from its own seeded stream, under the same constraints. Same seed, same logits: same
   * candidates.
   */
  sampling?: Sampling;
  /** Score the result by its mean log-probability even with one candidate. */
  logprobs?: boolean;
  /**
   * Called with each new piece of text, never splitting a multi-byte character. With several
   * candidates it streams the first (greedy) one, which need not be the one the caller keeps.
   */
  onDelta?: (text: string) => void;
  /** Aborting stops this row only; the rest of the batch goes on. */
  signal?: AbortSignal;
}

export type StopReason = 'eos' | 'length' | 'sentence' | 'aborted';

export interface Candidate {
  tokens: number[];
  text: string;
  stop: StopReason;
  /** Mean log-probability per token under the model (the eos it chose included; masks not applied). */
  logprob: number;
  /** Greedy steps where a constraint masked the model's top token (0: the model chose freely). */
  overrides: number;
}

export interface RowResult {
  tokens: number[];
  text: string;
  stop: StopReason;
  /** With `candidates` or `logprobs`: the best candidate's mean log-probability and overrides. */
  logprob?: number;
  overrides?: number;
  /** With `candidates` or `logprobs`: every distinct candidate, best first (the first is the result). */
  candidates?: Candidate[];
}

export interface GenerateStats {
  rows: number;
  /** Padded prompt width of the prefill (shared prefix included). */
  width: number;
  /** Prompt tokens every row shares, prefilled once (0 when not used). */
  sharedPrefix: number;
  /** Forward passes (1 prefill + decode steps). */
  steps: number;
  prefillMs: number;
  decodeMs: number;
  /** Generated tokens over all rows (eos excluded). */
  tokens: number;
  /** Rows dropped from the cache mid-batch because they had finished. */
  compactions: number;
  /** Rows decoded: one per candidate of every row that was generated (equals the live rows without candidates). */
  lanes: number;
}

export interface GenerateOptions {
  eosId: number;
  padId: number;
  /** Prefill a common prompt prefix once when it is at least this long (default 16) and the runtime can expand it. */
  minSharedPrefix?: number;
  /** Shrink the batch once this share of its rows has finished (only where the runtime can). */
  compactShare?: number;
  /**
   * Called once per row as soon as every lane of it has ended, with the result the call will also
   * return for it: a caller can use a row while the batch decodes the rest (rows of one batch end at
   * different steps, and the batch only when its longest row does).
   */
  onRowDone?: (index: number, result: RowResult) => void;
  now?: () => number;
}
