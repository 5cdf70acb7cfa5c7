// When a row stops besides <|end|> and its token limit: after its n-th complete sentence.
import type { Detokenize } from './step.ts';

/** Fewer words than this before a full stop do not count as a sentence ("Dear customer." goes on). */
export const SENTENCE_MIN_WORDS = 4;
const SENTENCE_END = /[.!?…。！？]["'”’)\]]*$/u;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Whether `text` (ending with the newest token `last`) has just completed its `n`-th sentence: `last`
 * starts with whitespace and what precedes it ends a sentence. Sentences are counted as sentence-final
 * punctuation followed by whitespace, after at least SENTENCE_MIN_WORDS words.
 */
export function completesSentences(text: string, last: string, n: number): boolean {
  if (!/^\s/u.test(last) || last.length > text.length) return false;
  const before = text.slice(0, text.length - last.length);
  if (!SENTENCE_END.test(before)) return false;
  if ((before.match(WORD)?.length ?? 0) < SENTENCE_MIN_WORDS) return false;
  const ends = before.match(/[.!?…。！？]["'”’)\]]*(?=\s)/gu)?.length ?? 0;
  return ends + 1 >= n;
}

/**
 * completesSentences for a row's tokens ending with `token`; the row's text is decoded only when the
 * token starts with whitespace (the only case that can end a sentence): most steps decode one token.
 */
export function endsSentence(detokenize: Detokenize, tokens: readonly number[], token: number, n: number): boolean {
  const last = detokenize([token]);
  return /^\s/u.test(last) && completesSentences(detokenize(tokens), last, n);
}
