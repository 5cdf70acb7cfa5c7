// Greedy picks around banned tokens, and where a ban would first change a greedy continuation (what
// lets a regeneration resume instead of starting over).
import { laneRules, rankedPick } from './constraints.ts';
import type { RowConstraints } from './constraints.ts';
import { TokenTrie } from './token-trie.ts';

/**
 * The first position where greedy decoding with `badWords` (and `constraints`, when given) would leave
 * `tokens` (a token that a rule bans there), or -1 when no rule fires: then a greedy regeneration with
 * these rules would reproduce `tokens` exactly, and up to the returned position it always does.
 */
export function firstBannedIndex(tokens: readonly number[], badWords: readonly (readonly number[])[], constraints?: RowConstraints): number {
  const rules = laneRules(constraints, new TokenTrie(badWords));
  if (!rules) return -1;
  for (let i = 0; i < tokens.length; i++) {
    if (!rules.allows(tokens[i] as number)) return i;
    rules.advance(tokens[i] as number);
  }
  return -1;
}

/** Index of the largest logit of one row, skipping banned ids; ties go to the lowest id (deterministic). */
export function argmax(logits: Float32Array, offset: number, vocab: number, banned: readonly number[] = []): number {
  let mask: Uint8Array | null = null;
  if (banned.length > 0) {
    mask = new Uint8Array(vocab);
    for (const b of banned) if (b >= 0 && b < vocab) mask[b] = 1;
  }
  return Math.max(0, rankedPick(logits, offset, vocab, 0, mask));
}
