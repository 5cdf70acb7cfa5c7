// On-device ranking: scores the displayed items for one visitor from their history (content
// similarity) plus a rating/popularity prior, and says which features drove each score so the
// reason can verbalize them. Pure: no DOM, no I/O; the engine's `explainer.rank` calls it.
import { attributeFacts, sanitizeTitle } from './core/prompt.ts';
import type { AttributeValue, HistoryEntry, Item, RankFeature, RankedItem, UserContext } from './types.ts';

/** How much each signal counts. Tuned on a validation split by `npm run eval:rank` (docs/quality.md). */
export interface RankWeights {
  /** IDF-weighted cosine between the item's facts and the (recency-weighted) history's facts. */
  facts: number;
  /** The same over title words (series, franchises, topics in news headlines). */
  title: number;
  /** log-scaled `popularity` (or `ratingCount`) relative to the most popular displayed item. */
  popularity: number;
  /** Bayesian-smoothed `rating` (0..5) relative to the scale. */
  rating: number;
}

export const DEFAULT_RANK_WEIGHTS: Readonly<RankWeights> = Object.freeze({
  facts: 1,
  title: 0.5,
  popularity: 0.6,
  rating: 0.3,
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
  /** Corpus statistics for IDF; default: the displayed items plus the history. */
  corpus?: RankCorpus;
  /** Facts (or title words) reported per feature. */
  maxFeatureFacts?: number;
}

export const DEFAULT_RECENCY_HALF_LIFE = 20;
/** Pseudo-count of the rating prior: an item with few ratings is pulled toward the page mean. */
const RATING_PSEUDO_COUNT = 10;
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

function idf(corpus: RankCorpus, key: string): number {
  // Smoothed IDF (as scikit-learn's): never zero, never negative.
  return Math.log((corpus.documents + 1) / ((corpus.frequency.get(key) ?? 0) + 1)) + 1;
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

interface Profile {
  /** key → weighted share of the history that has it */
  share: Map<string, number>;
  norm: number;
}

function buildProfile(docs: readonly Doc[], weights: readonly number[], corpus: RankCorpus, prefix: 'f:' | 't:', skip: ReadonlySet<number>): Profile {
  const share = new Map<string, number>();
  let total = 0;
  docs.forEach((doc, i) => {
    const w = weights[i] ?? 0;
    if (w <= 0 || skip.has(i)) return;
    total += w;
    const keys = prefix === 'f:' ? [...doc.facts.keys()] : [...doc.words];
    for (const key of keys) share.set(prefix + key, (share.get(prefix + key) ?? 0) + w);
  });
  let norm = 0;
  for (const [key, value] of share) {
    const v = (value / total) * idf(corpus, key);
    share.set(key, v);
    norm += v * v;
  }
  return { share, norm: Math.sqrt(norm) };
}

/** Cosine between the profile and the item's IDF vector, with the per-key contributions. */
function cosine(profile: Profile, keys: readonly string[], corpus: RankCorpus): { value: number; parts: [string, number][] } {
  if (profile.norm === 0 || keys.length === 0) return { value: 0, parts: [] };
  let dot = 0;
  let norm = 0;
  const parts: [string, number][] = [];
  for (const key of keys) {
    const w = idf(corpus, key);
    norm += w * w;
    const u = profile.share.get(key);
    if (u === undefined) continue;
    dot += u * w;
    parts.push([key, u * w]);
  }
  const denominator = profile.norm * Math.sqrt(norm);
  return { value: denominator > 0 ? dot / denominator : 0, parts: parts.map(([k, p]) => [k, p / denominator]) };
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
  const corpus = options.corpus ?? buildCorpus([...list, ...history]);
  const hWeights = historyWeights(history, options.recencyHalfLife ?? DEFAULT_RECENCY_HALF_LIFE);
  const none = new Set<number>();
  const baseFacts = buildProfile(historyDocs, hWeights, corpus, 'f:', none);
  const baseWords = buildProfile(historyDocs, hWeights, corpus, 't:', none);

  // Prior inputs, relative to the displayed items.
  const popularity = list.map((item) => numericAttribute(item.attributes, 'popularity', 'ratingCount', 'reviewCount'));
  const maxPopularity = Math.max(0, ...popularity.map((p) => (p !== undefined && p > 0 ? Math.log1p(p) : 0)));
  const ratings = list.map((item) => numericAttribute(item.attributes, 'rating'));
  const rated = ratings.filter((r): r is number => r !== undefined && r >= 0 && r <= 5);
  const meanRating = rated.length > 0 ? rated.reduce((a, b) => a + b, 0) / rated.length : 0;

  const ranked = list.map((item, index): RankedItem & { index: number } => {
    const doc = itemDocs[index]!;
    const itemTitle = sanitizeTitle(item.title).toLowerCase();
    // The item itself in the history (viewed, bought) must not make it similar to itself.
    const self = new Set<number>();
    history.forEach((entry, i) => sameThing(item, entry, itemTitle) && self.add(i));
    const factProfile = self.size > 0 ? buildProfile(historyDocs, hWeights, corpus, 'f:', self) : baseFacts;
    const wordProfile = self.size > 0 ? buildProfile(historyDocs, hWeights, corpus, 't:', self) : baseWords;
    const features: RankFeature[] = [];

    const facts = cosine(factProfile, [...doc.facts.keys()].map((f) => `f:${f}`), corpus);
    if (facts.value > 0 && weights.facts !== 0) {
      const top = facts.parts.sort((a, b) => b[1] - a[1]).slice(0, maxFacts);
      features.push({ name: 'shared-facts', value: weights.facts * facts.value, facts: top.map(([k]) => doc.facts.get(k.slice(2))!) });
    }
    const words = cosine(wordProfile, [...doc.words].map((w) => `t:${w}`), corpus);
    if (words.value > 0 && weights.title !== 0) {
      // Verbalizable: the history titles that share the words, most recent first.
      const shared = new Set(words.parts.map(([k]) => k.slice(2)));
      const titles: string[] = [];
      for (let i = history.length - 1; i >= 0 && titles.length < maxFacts; i -= 1) {
        if (self.has(i) || (hWeights[i] ?? 0) <= 0) continue;
        if ([...historyDocs[i]!.words].some((w) => shared.has(w))) titles.push(sanitizeTitle(history[i]!.title));
      }
      features.push({ name: 'similar-titles', value: weights.title * words.value, facts: titles });
    }
    const pop = popularity[index];
    if (pop !== undefined && pop > 0 && maxPopularity > 0 && weights.popularity !== 0) {
      features.push({ name: 'popularity', value: (weights.popularity * Math.log1p(pop)) / maxPopularity });
    }
    const rating = ratings[index];
    if (rating !== undefined && rating >= 0 && rating <= 5 && weights.rating !== 0) {
      const count = numericAttribute(item.attributes, 'ratingCount', 'reviewCount') ?? 1;
      const smoothed = (rating * count + meanRating * RATING_PSEUDO_COUNT) / (count + RATING_PSEUDO_COUNT);
      features.push({ name: 'rating', value: (weights.rating * smoothed) / 5 });
    }
    features.sort((a, b) => b.value - a.value);
    const score = features.reduce((sum, f) => sum + f.value, 0);
    return { itemId: String(item.id), score, features, index };
  });

  ranked.sort((a, b) => b.score - a.score || a.index - b.index);
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
