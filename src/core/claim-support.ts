// Claims a reason may only make when the item's facts back them. The model (trained on LLM-written
// reasons for two free-to-play Steam games) says "without any cost" or "a strong community and
// regular updates" under any game; the slots keep titles and facts true, but these words are free
// text. Each rule names the words that make the claim and the facts that support it; a word with no
// supporting fact among ALL the item's facts (not only the planned ones) is an unsupported claim.
// A small, fixed list on purpose: the open-vocabulary check stays the main defence. Pure; no DOM.
import type { LexWord } from './dictionary.ts';

interface ClaimRule {
  /** Lower-cased words (as lexiconWords splits them) that make the claim. */
  words: readonly string[];
  /** A fact value that supports it. */
  supportedBy: RegExp;
}

export const CLAIM_RULES: readonly ClaimRule[] = [
  // No price: "free", "without any cost", "no financial commitment" ("great value for the price" is no such claim).
  { words: ['free', 'cost', 'costs', 'costing', 'financial'], supportedBy: /free|sale|discount/i },
  // Other people: "a strong community", "online matches with your teammates".
  { words: ['community', 'online', 'teammates', 'teamwork', 'multiplayer', 'pvp', 'servers'], supportedBy: /multi|co-?op|online|mmo|pvp|team|massively|competitive|community/i },
  // A living product: "regular updates".
  { words: ['updates', 'updated'], supportedBy: /early access|updat|live service/i },
];

/** The words of `words` that make a claim none of `facts` supports, as written, each once. */
export function unsupportedClaims(words: readonly LexWord[], facts: readonly string[]): string[] {
  const out = new Map<string, string>();
  for (const rule of CLAIM_RULES) {
    if (facts.some((f) => rule.supportedBy.test(f))) continue;
    for (const w of words) if (rule.words.includes(w.word) && !out.has(w.word)) out.set(w.word, w.written);
  }
  return [...out.values()];
}
