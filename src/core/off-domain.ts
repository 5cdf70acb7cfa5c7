// Words of another domain: words the training references use almost only in one domain ('gameplay',
// 'restaurant', 'delicious', 'news'). On a page of any other domain they show that the model slipped
// into a training domain ("delicious food options" under a guitar). The lists are computed from the
// training data (scripts/build-lexicon.ts → lexicon.json `domainWords`, `strongWords`). Pure; no DOM.
import type { LexWord } from './dictionary.ts';

/**
 * Defaults. A word is tied to a domain when ≥ 90% of its (size-normalized) use in the references is
 * there and it occurs ≥ 20 times, unless everyday shop English uses it too: ≥ 30 per million words
 * of the background corpus, or ≥ 10% of its rate in its domain ('play', 'price', 'affordable',
 * 'read', 'buy' are fine under a guitar; 'gameplay', 'delicious', 'restaurant' are not).
 * It is *strong* when ≥ 98% of its use is there and it occurs ≥ 200 times ('news', 'gameplay',
 * 'delicious', 'multiplayer'; not 'realistic', 104 times in the book reviews, which GPT-4's game
 * reasons use too). Each domain's references come from one generator with its own style,
 * so many tied words are style, not topic ('demanding' in news, 'relatable' in books): a reason is
 * off-domain on one strong word, or — on a page of a domain training does not have (a guitar shop,
 * where the model has no style of its own to fall back on) — two distinct tied words of the same
 * training domain. On a training domain's page, style words of another domain ("critically
 * acclaimed" under a game, from the movie reasons) are just English.
 */
export const DOMAIN_WORD_RULE = {
  minCount: 20,
  minShare: 0.9,
  strongCount: 200,
  strongShare: 0.98,
  maxBackgroundPerMillion: 30,
  maxBackgroundRatio: 0.1,
} as const;

export type DomainWordRule = { [K in keyof typeof DOMAIN_WORD_RULE]: number };

export interface DomainWordLists {
  /** Per domain, every tied word (sorted). */
  domainWords: Record<string, string[]>;
  /** Per domain, the strong ones among them (sorted). */
  strongWords: Record<string, string[]>;
}

function total(map: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of map.values()) n += v;
  return n;
}

/**
 * The words tied to one domain. `counts[domain][word]` = occurrences in that domain's references.
 * Each domain's counts are normalized by its size (rate per word), so a big domain does not own
 * every common word; a word belongs to the domain holding ≥ `minShare` of its normalized use.
 * `background` (word counts of general text, e.g. product reviews) removes everyday words.
 */
export function domainWordLists(
  counts: Readonly<Record<string, ReadonlyMap<string, number>>>,
  background: ReadonlyMap<string, number> = new Map(),
  rule: DomainWordRule = DOMAIN_WORD_RULE,
): DomainWordLists {
  const domains = Object.keys(counts).sort();
  const totals = new Map(domains.map((d) => [d, Math.max(1, total(counts[d] as ReadonlyMap<string, number>))]));
  const backgroundTotal = Math.max(1, total(background));
  const all = new Map<string, number>();
  for (const d of domains) for (const [w, n] of counts[d] as ReadonlyMap<string, number>) all.set(w, (all.get(w) ?? 0) + n);
  const domainWords: Record<string, string[]> = Object.fromEntries(domains.map((d) => [d, [] as string[]]));
  const strongWords: Record<string, string[]> = Object.fromEntries(domains.map((d) => [d, [] as string[]]));
  for (const [word, n] of all) {
    if (n < rule.minCount) continue;
    let best = '';
    let bestRate = 0;
    let sum = 0;
    for (const d of domains) {
      const rate = ((counts[d] as ReadonlyMap<string, number>).get(word) ?? 0) / (totals.get(d) as number);
      sum += rate;
      if (rate > bestRate) {
        bestRate = rate;
        best = d;
      }
    }
    const share = bestRate / sum;
    if (!best || share < rule.minShare) continue;
    const everyday = (background.get(word) ?? 0) / backgroundTotal;
    if (everyday * 1e6 >= rule.maxBackgroundPerMillion || everyday >= rule.maxBackgroundRatio * bestRate) continue;
    (domainWords[best] as string[]).push(word);
    if (share >= rule.strongShare && n >= rule.strongCount) (strongWords[best] as string[]).push(word);
  }
  for (const d of domains) {
    (domainWords[d] as string[]).sort();
    (strongWords[d] as string[]).sort();
  }
  return { domainWords, strongWords };
}

/**
 * Words the training references use (≥ 20 times, in any mix of domains) that everyday shop English
 * does not (< 2 per million words of the background corpus): 'storyline', 'gameplay', 'must-watch',
 * 'characters'. On a page of a domain training does not have, one of them shows the model slipped
 * into the media it was trained on ("a must-watch with an engaging storyline" under a microphone),
 * which the per-domain lists miss when several training domains share the word.
 */
export const FOREIGN_WORD_RULE = { minCount: 20, maxBackgroundPerMillion: 2 } as const;

export function foreignWordList(
  counts: Readonly<Record<string, ReadonlyMap<string, number>>>,
  background: ReadonlyMap<string, number>,
  rule: { minCount: number; maxBackgroundPerMillion: number } = FOREIGN_WORD_RULE,
): string[] {
  if (background.size === 0) return []; // without a background every word would look foreign
  const backgroundTotal = Math.max(1, total(background));
  const all = new Map<string, number>();
  for (const map of Object.values(counts)) for (const [w, n] of map) all.set(w, (all.get(w) ?? 0) + n);
  const out: string[] = [];
  for (const [word, n] of all) if (n >= rule.minCount && ((background.get(word) ?? 0) / backgroundTotal) * 1e6 < rule.maxBackgroundPerMillion) out.push(word);
  return out.sort();
}

/** Compiled lists: word → the domain it is tied to, and whether it is strong. */
export type DomainIndex = ReadonlyMap<string, { domain: string; strong: boolean }>;

export function domainIndex(domainWords: Readonly<Record<string, readonly string[]>>, strongWords: Readonly<Record<string, readonly string[]>> = {}): DomainIndex {
  const index = new Map<string, { domain: string; strong: boolean }>();
  for (const [domain, words] of Object.entries(domainWords)) for (const w of words) index.set(w, { domain, strong: false });
  for (const [domain, words] of Object.entries(strongWords)) for (const w of words) index.set(w, { domain, strong: true });
  return index;
}

/**
 * The words of `words` that show another domain than `domain` (a training domain, or '' for a page
 * domain training does not have), each once, as written: for each other domain, its words when one
 * of them is strong, or (only when `domain` is '') when two distinct ones occur. `allowed` are words
 * the page itself uses (its titles and facts, its domain's noun and verb): a history title
 * 'Restaurant Empire' on a game page makes 'restaurant' fair.
 */
export function offDomainWords(words: readonly LexWord[], index: DomainIndex, domain: string, allowed: ReadonlySet<string>): string[] {
  const byDomain = new Map<string, { written: Map<string, string>; strong: boolean }>();
  for (const { word, written } of words) {
    const key = index.has(word) ? word : word.endsWith('s') && index.has(word.slice(0, -1)) ? word.slice(0, -1) : undefined;
    const tie = key === undefined ? undefined : index.get(key);
    if (!tie || tie.domain === domain || allowed.has(word) || (key !== undefined && allowed.has(key))) continue;
    let hits = byDomain.get(tie.domain);
    if (!hits) byDomain.set(tie.domain, (hits = { written: new Map(), strong: false }));
    if (!hits.written.has(key as string)) hits.written.set(key as string, written);
    hits.strong ||= tie.strong;
  }
  const out: string[] = [];
  for (const hits of byDomain.values()) if (hits.strong || (domain === '' && hits.written.size >= 2)) out.push(...hits.written.values());
  return out;
}
