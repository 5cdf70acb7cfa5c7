// On-device ranking: scores the displayed items for one visitor from their history (content
// similarity) plus a rating/popularity prior, and says which features drove each score so the
// reason can verbalize them. Pure: no DOM, no I/O; the engine's `explainer.rank` calls it.
import { attributeFacts, sanitizeTitle } from './prompt.ts';
import type { AttributeValue, HistoryEntry, Item, RankFeature, RankedItem, UserContext } from '../types.ts';

/** How much each signal counts. Tuned on a validation split by `npm run eval:rank` (docs/quality.md). */
export interface RankWeights {
  /**
   * Mean log-lift of the item's facts: how much more often the (recency-weighted) history has each
   * fact than the catalog does. Rare shared facts count most (an IDF-like effect).
   */
  facts: number;
  /** The same over title words (series, franchises, topics in news headlines). */
  title: number;
  /** log(1 + `popularity`, else `ratingCount`/`reviewCount`). */
  popularity: number;
  /** Bayesian-smoothed `rating` on a 0..5 scale. */
  rating: number;
}

export const DEFAULT_RANK_WEIGHTS: Readonly<RankWeights> = Object.freeze({
  facts: 1,
  title: 0.5,
  popularity: 2,
  rating: 0.25,
});

/** Document frequencies for IDF. Keys are `f:<fact lower-cased>` and `t:<title word>`. */
export interface RankCorpus {
  documents: number;
  frequency: ReadonlyMap<string, number>;
}

export interface RankOptions {
  weights?: Partial<RankWeights>;
  /** History entries without a `weight` count 0.5^(age/halfLife), age = entries since (0 = newest). */
  recencyHalfLife?: number;
  /** Catalog statistics for the base rates of facts; default: the displayed items. */
  corpus?: RankCorpus;
  /** Facts (or title words) reported per feature. */
  maxFeatureFacts?: number;
}

export const DEFAULT_RECENCY_HALF_LIFE = 20;
/**
 * Bayesian rating: an item with few ratings is pulled toward a neutral 3 of 5 as if it had 10 more
 * ratings of 3, so one 5★ review does not beat a thousand 4.6★ ones.
 */
const RATING_PSEUDO_COUNT = 10;
const RATING_PRIOR_MEAN = 3;
const MAX_FACTS = 64;
const STOPWORDS = new Set(
  ('the and for with from that this your you are was were have has had not but all any can its into over ' +
    'more most new one two our out who what when how why his her their them they she him will than then there ' +
    'les des une der die das und edition game games vol volume part')
    .split(' '),
);

interface Doc {
  /** lower-cased fact → spelling as given */
  facts: Map<string, string>;
  words: Set<string>;
}

/** Title words: letters/digits runs, lower-cased, without stopwords and 1-2 letter Latin tokens. */
export function titleWords(title: unknown): Set<string> {
  const out = new Set<string>();
  const text = sanitizeTitle(title).toLowerCase();
  for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(word);
    if ((!cjk && word.length < 3) || STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
    out.add(word);
  }
  return out;
}

function toDoc(entry: { title?: unknown; attributes?: Record<string, AttributeValue> | undefined }): Doc {
  const facts = new Map<string, string>();
  for (const fact of attributeFacts(entry.attributes, MAX_FACTS)) facts.set(fact.toLowerCase(), fact);
  return { facts, words: titleWords(entry.title) };
}

function docKeys(doc: Doc): string[] {
  return [...[...doc.facts.keys()].map((f) => `f:${f}`), ...[...doc.words].map((w) => `t:${w}`)];
}

/** Counts document frequencies over any list of titled, attributed things (items, history entries). */
export function buildCorpus(docs: Iterable<{ title?: unknown; attributes?: Record<string, AttributeValue> }>): RankCorpus {
  const frequency = new Map<string, number>();
  let documents = 0;
  for (const entry of docs) {
    documents += 1;
    for (const key of new Set(docKeys(toDoc(entry)))) frequency.set(key, (frequency.get(key) ?? 0) + 1);
  }
  return { documents, frequency };
}

/** First finite number in a numeric attribute (numbers or numeric strings), else undefined. */
export function numericAttribute(attributes: Record<string, AttributeValue> | undefined, ...keys: string[]): number | undefined {
  if (!attributes || typeof attributes !== 'object') return undefined;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const raw = attributes[key];
    const value = Array.isArray(raw) ? raw[0] : raw;
    const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (Number.isFinite(number)) return number;
  }
  return undefined;
}

/** Weight of each history entry: its own `weight` when positive, else recency by position. */
export function historyWeights(history: readonly HistoryEntry[], halfLife = DEFAULT_RECENCY_HALF_LIFE): number[] {
  const n = history.length;
  return history.map((entry, i) => {
    const given = entry?.weight;
    if (typeof given === 'number') return Number.isFinite(given) && given > 0 ? given : 0;
    return halfLife > 0 ? 0.5 ** ((n - 1 - i) / halfLife) : 1;
  });
}

/** Weighted share of the history that has each key (`f:`/`t:` prefixed), ignoring `skip` entries. */
interface HistoryShares {
  share: Map<string, number>;
  /** Sum of the weights used; 0 means no usable history. */
  total: number;
}

function historyShares(docs: readonly Doc[], weights: readonly number[], skip: ReadonlySet<number>): HistoryShares {
  const share = new Map<string, number>();
  let total = 0;
  docs.forEach((doc, i) => {
    const w = weights[i] ?? 0;
    if (w <= 0 || skip.has(i)) return;
    total += w;
    for (const key of docKeys(doc)) share.set(key, (share.get(key) ?? 0) + w);
  });
  if (total > 0) for (const [key, value] of share) share.set(key, value / total);
  return { share, total };
}

/** Smoothing of the lift: keeps rare facts from dominating and unshared facts from -Infinity. */
const LIFT_SMOOTHING = 0.05;

/**
 * Mean log-lift of the item's keys: log((share in history + a) / (share in corpus + a)). Positive
 * when the visitor has the item's facts more often than the catalog does; 0 with no history.
 */
function affinity(profile: HistoryShares, keys: readonly string[], corpus: RankCorpus): { value: number; parts: [string, number][] } {
  if (profile.total <= 0 || keys.length === 0) return { value: 0, parts: [] };
  const a = LIFT_SMOOTHING;
  const parts: [string, number][] = keys.map((key) => {
    const base = (corpus.frequency.get(key) ?? 0) / Math.max(1, corpus.documents);
    return [key, Math.log(((profile.share.get(key) ?? 0) + a) / (base + a)) / keys.length];
  });
  return { value: parts.reduce((sum, [, v]) => sum + v, 0), parts };
}

function sameThing(item: Item, entry: HistoryEntry | undefined, itemTitle: string): boolean {
  if (!entry) return false;
  if (typeof entry.id === 'string' && entry.id !== '' && entry.id === item.id) return true;
  return itemTitle !== '' && sanitizeTitle(entry.title).toLowerCase() === itemTitle;
}

/**
 * Scores `items` for the visitor in `context`, best first (ties keep the given order).
 * Never throws on page data: malformed items or entries simply contribute nothing.
 */
export function rankItems(items: readonly Item[], context: UserContext = {}, options: RankOptions = {}): RankedItem[] {
  const weights = { ...DEFAULT_RANK_WEIGHTS, ...options.weights };
  const maxFacts = options.maxFeatureFacts ?? 3;
  const list = Array.isArray(items) ? items.filter((item): item is Item => !!item && typeof item === 'object') : [];
  const history = Array.isArray(context?.history) ? context.history.filter((h) => !!h && typeof h === 'object') : [];
  const itemDocs = list.map(toDoc);
  const historyDocs = history.map(toDoc);
  const corpus = options.corpus ?? buildCorpus(list);
  const hWeights = historyWeights(history, options.recencyHalfLife ?? DEFAULT_RECENCY_HALF_LIFE);
  const baseProfile = historyShares(historyDocs, hWeights, new Set());

  const ratings = list.map((item) => numericAttribute(item.attributes, 'rating'));

  const ranked = list.map((item, index): RankedItem & { index: number } => {
    const doc = itemDocs[index]!;
    const itemTitle = sanitizeTitle(item.title).toLowerCase();
    // The item itself in the history (viewed, bought) must not make it similar to itself.
    const self = new Set<number>();
    history.forEach((entry, i) => sameThing(item, entry, itemTitle) && self.add(i));
    const profile = self.size > 0 ? historyShares(historyDocs, hWeights, self) : baseProfile;
    const features: RankFeature[] = [];

    const facts = affinity(profile, [...doc.facts.keys()].map((f) => `f:${f}`), corpus);
    if (facts.value !== 0 && weights.facts !== 0) {
      const shared = facts.parts.filter(([k]) => profile.share.has(k)).sort((x, y) => y[1] - x[1]);
      features.push({ name: 'shared-facts', value: weights.facts * facts.value, facts: shared.slice(0, maxFacts).map(([k]) => doc.facts.get(k.slice(2))!) });
    }
    const words = affinity(profile, [...doc.words].map((w) => `t:${w}`), corpus);
    if (words.value !== 0 && weights.title !== 0) {
      // Verbalizable: the history titles that share the words, most recent first.
      const shared = new Set(words.parts.filter(([k]) => profile.share.has(k)).map(([k]) => k.slice(2)));
      const titles: string[] = [];
      for (let i = history.length - 1; i >= 0 && titles.length < maxFacts && shared.size > 0; i -= 1) {
        if (self.has(i) || (hWeights[i] ?? 0) <= 0) continue;
        if ([...historyDocs[i]!.words].some((w) => shared.has(w))) titles.push(sanitizeTitle(history[i]!.title));
      }
      features.push({ name: 'similar-titles', value: weights.title * words.value, facts: titles });
    }
    // log(popularity) is unit-free for ranking: a store's counts may be on any scale.
    const pop = numericAttribute(item.attributes, 'popularity', 'ratingCount', 'reviewCount');
    if (pop !== undefined && pop > 0 && weights.popularity !== 0) {
      features.push({ name: 'popularity', value: weights.popularity * Math.log1p(pop) });
    }
    const rating = ratings[index];
    if (rating !== undefined && rating >= 0 && rating <= 5 && weights.rating !== 0) {
      const count = Math.max(0, numericAttribute(item.attributes, 'ratingCount', 'reviewCount') ?? 1);
      const smoothed = (rating * count + RATING_PRIOR_MEAN * RATING_PSEUDO_COUNT) / (count + RATING_PSEUDO_COUNT);
      features.push({ name: 'rating', value: weights.rating * smoothed });
    }
    features.sort((x, y) => y.value - x.value);
    const score = features.reduce((sum, f) => sum + f.value, 0);
    return { itemId: String(item.id), score: Number.isFinite(score) ? score : 0, features, index };
  });

  ranked.sort((x, y) => y.score - x.score || x.index - y.index);
  return ranked.map(({ itemId, score, features }) => ({ itemId, score, features }));
}

/**
 * The history entries most relevant to one item (shared facts or title words, weighted), at most
 * `max`, in their original (chronological) order; filled with the most recent others. Lets the
 * prompt, which keeps only the last 8 entries, see the entries a reason can truthfully cite.
 */
export function relevantHistory(item: Item, history: readonly HistoryEntry[] | undefined, max = 8): HistoryEntry[] {
  if (!Array.isArray(history) || history.length === 0) return [];
  const entries = history.filter((h) => !!h && typeof h === 'object');
  const itemDoc = toDoc(item);
  const itemTitle = sanitizeTitle(item?.title).toLowerCase();
  const weights = historyWeights(entries);
  const scored = entries.map((entry, i) => {
    if (sameThing(item, entry, itemTitle) || (weights[i] ?? 0) <= 0) return { i, overlap: -1 };
    const doc = toDoc(entry);
    let overlap = 0;
    for (const fact of doc.facts.keys()) if (itemDoc.facts.has(fact)) overlap += 1;
    for (const word of doc.words) if (itemDoc.words.has(word)) overlap += 1;
    return { i, overlap: overlap * (weights[i] ?? 0) };
  });
  const chosen = scored
    .filter((s) => s.overlap >= 0)
    .sort((a, b) => b.overlap - a.overlap || b.i - a.i)
    .slice(0, max)
    .map((s) => s.i)
    .sort((a, b) => a - b);
  return chosen.map((i) => entries[i]!);
}
