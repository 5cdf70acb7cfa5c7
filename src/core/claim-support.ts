// Claims a reason may only make when the item's facts back them. The model (trained on LLM-written
// reasons for two free-to-play Steam games) says "without any cost" or "a strong community and
// regular updates" under any game; the slots keep titles and facts true, but these words are free
// text. Each rule names the words that make the claim and the facts that support it; a word with no
// supporting fact among ALL the item's facts (not only the planned ones) is an unsupported claim.
// A small, fixed list on purpose: the open-vocabulary check stays the main defence.
// Beyond the list, `unsupportedFeatures` generalizes from the data: every content word of the
// catalog's fact vocabulary (facts_vocab.json: 'Class-Based' → 'class', 'Character Customization' →
// 'character') names a feature an item has or lacks, so a reason may use it (in any inflection:
// 'classes') only when the item's or the history's titles, facts or description have it too
// ("diverse character classes" under a game tagged only Action). Pure; no DOM.
import type { LexWord } from './dictionary.ts';
import { lexiconWords } from './dictionary.ts';
import { isGenericTerm } from './generic-words.ts';

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
  // Reception: "a highly rated action game", "award-winning", "a popular game" — only a fact of the item can say so.
  { words: ['highly', 'rated', 'acclaimed', 'award', 'awards', 'renowned', 'bestselling', 'bestseller', 'beloved', 'iconic', 'popular', 'popularity'], supportedBy: /\b(?:rated|acclaimed|awards?|award-winning|classic|masterpiece|cult|best|best-selling|popular|bestsellers?)\b/i }, // 'Classical Guitars' is no 'Classic'
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

/** Fact words shorter than this are no feature ('2d', 'fps' aside: those are whole facts the matcher sees). */
const MIN_FEATURE_LETTERS = 4;

/** The forms a written word may stand for: itself and its singular ('classes' → 'class', 'enemies' → 'enemy'). */
function forms(word: string): string[] {
  const out = [word];
  if (word.endsWith('ies')) out.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('es')) out.push(word.slice(0, -2));
  if (word.endsWith('s') && !word.endsWith('ss')) out.push(word.slice(0, -1));
  return out;
}

/**
 * Fact words that a reason uses in their everyday sense, not as the feature ('Based on your history'
 * is no 'Class-Based' or 'Alternate History' claim; "you may like" no 'Like a Dragon'). Read off the
 * check's findings on the audit's candidates (docs/quality.md, v2 decoding).
 */
const EVERYDAY = new Set(
  ('history based like feature features content choose choices choice dynamic design level levels first only own person point side text value word down ' +
    'events fast hand living match matter multiple quick score screen friendly movement controls development generation hidden base post star cold green ' +
    'beat drawn walking party city production training vision voice touch object machine intentionally awkward remake relief causes only').split(' '),
);

const featureCache = new WeakMap<readonly string[], ReadonlySet<string>>();

/**
 * The feature words of a fact vocabulary: each fact's words of MIN_FEATURE_LETTERS letters or more,
 * except ordinary words (generic-words.ts: 'action', 'free', 'world', 'story' are everyday English in
 * a reason; EVERYDAY). Cached per array.
 */
export function featureWords(facts: readonly string[]): ReadonlySet<string> {
  let out = featureCache.get(facts);
  if (!out) {
    const set = new Set<string>();
    for (const f of facts) for (const w of lexiconWords(f)) if (w.word.length >= MIN_FEATURE_LETTERS && /^\p{L}+$/u.test(w.word) && !isGenericTerm(w.word) && !EVERYDAY.has(w.word)) set.add(w.word);
    featureCache.set(facts, (out = set));
    return set;
  }
  return out;
}

/**
 * The words of `words` that name a feature (featureWords) which none of `supported` (the lower-cased
 * words of the item's and history's titles, facts and description, and the domain's fillers) has,
 * in any of their forms; as written, each once.
 */
export function unsupportedFeatures(words: readonly LexWord[], features: ReadonlySet<string>, supported: ReadonlySet<string>): string[] {
  const has = new Set<string>();
  for (const w of supported) for (const f of forms(w)) has.add(f);
  const out = new Map<string, string>();
  for (const w of words) {
    const claimed = forms(w.word).find((f) => features.has(f));
    if (claimed === undefined || out.has(claimed) || forms(w.word).some((f) => has.has(f))) continue;
    out.set(claimed, w.written);
  }
  return [...out.values()];
}
