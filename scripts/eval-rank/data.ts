// Loads real interaction histories with content attributes for `npm run eval:rank`.
// Each user is one chronological sequence of items; items carry attributes (tags, genres,
// categories) from the source data. See docs/quality.md "## Ranking" for why these sets.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue } from '../../src/types.ts';
import { decodePythonTitle, readJsonlGz as readJsonl } from '../llmxrec.ts';

export interface EvalItem {
  key: string;
  title: string;
  attributes: Record<string, AttributeValue>;
}

export interface EvalDataset {
  name: string;
  /** Why this set, and how attributes were derived. */
  note: string;
  items: Map<string, EvalItem>;
  /** Per user: item keys, oldest first, each item once. */
  sequences: string[][];
  /** Optional per-(user, item) rating, for the rating prior (key `${user index}\t${item}`). */
  ratings?: Map<string, number>;
}

/** Keeps the first occurrence of each item: a storefront recommends things not yet consumed. */
function dedupe(keys: string[]): string[] {
  const seen = new Set<string>();
  return keys.filter((k) => (seen.has(k) ? false : (seen.add(k), true)));
}

interface ParsedPrompt {
  dataset: string;
  parsed: { history: Record<string, unknown>[] };
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '' && x !== 'nan') : typeof v === 'string' && v !== '' ? [v] : [];

/**
 * LLMXRec prompts hold each user's real interaction history (the input the recommenders were
 * trained on) with titles and attributes. One unique history = one user.
 */
export function loadLlmxrec(dataDir: string, dataset: 'ml-100k' | 'steam' | 'mind_small_dev'): EvalDataset {
  const base = join(dataDir, 'llmxrec-rec-reasons');
  const prompts = readJsonl(join(base, 'prompts.jsonl.gz')) as ParsedPrompt[];
  const catalog = new Map<string, Record<string, unknown>>();
  if (dataset === 'steam') {
    for (const game of readJsonl(join(base, 'catalog', 'steam_games.jsonl.gz')) as Record<string, unknown>[]) {
      for (const name of [game.app_name, game.title]) if (typeof name === 'string' && !catalog.has(name)) catalog.set(name, game);
    }
  }
  const items = new Map<string, EvalItem>();
  const seenHistories = new Set<string>();
  const sequences: string[][] = [];
  let matched = 0;
  for (const prompt of prompts) {
    if (prompt.dataset !== dataset) continue;
    const history = prompt.parsed.history.filter((h) => typeof h?.title === 'string');
    const fingerprint = JSON.stringify(history.map((h) => h.title));
    if (seenHistories.has(fingerprint)) continue; // the same user under another recommender
    seenHistories.add(fingerprint);
    const keys: string[] = [];
    for (const h of history) {
      const title = dataset === 'steam' ? decodePythonTitle(h.title as string) : (h.title as string);
      if (!items.has(title)) {
        let attributes: Record<string, AttributeValue>;
        if (dataset === 'ml-100k') attributes = { genres: strings(h.genres) };
        else if (dataset === 'mind_small_dev') attributes = { category: strings(h.category), subcategory: strings(h.subcategory) };
        else {
          const game = catalog.get(title);
          if (game) matched += 1;
          attributes = game
            ? { genres: strings(game.genres), tags: strings(game.tags), developer: strings(game.developer), specs: strings(game.specs) }
            : { tags: strings(h.tags) };
        }
        items.set(title, { key: title, title, attributes });
      }
      keys.push(title);
    }
    sequences.push(dedupe(keys));
  }
  const names: Record<string, string> = { 'ml-100k': 'movielens-100k', steam: 'steam', mind_small_dev: 'mind' };
  const notes: Record<string, string> = {
    'ml-100k': 'MovieLens-100K histories (last 50 ratings per user) with genres',
    steam: `Steam play histories; attributes from the UCSD Steam catalog (genres, tags, developer, specs) for ${matched}/${items.size} items, else the prompt's genre tags`,
    mind_small_dev: 'MIND news click histories with category and subcategory; headline words as title words',
  };
  return { name: names[dataset]!, note: notes[dataset]!, items, sequences };
}

interface Review {
  reviewerID: string;
  asin: string;
  overall: number;
  summary?: string;
  reviewText?: string;
  unixReviewTime: number;
}

const WORD_STOP = new Set(
  ('the and for with this that you are was but not have has had its it\'s one all can just get very use used ' +
    'they them would will what when from out like great good well also more than these there been really much ' +
    'only about some other which could into your does did dont don\'t i\'m ive i\'ve my me we our his her he she ' +
    'their then too any after over even because product bought buy works work star stars five four three nice ' +
    'price excellent love perfect best better little make made need thing things using way sure ever think time')
    .split(' '),
);

function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z'-]{2,}/g) ?? []).filter((w) => !WORD_STOP.has(w));
}

/**
 * Amazon Musical Instruments 5-core: real purchase/review histories, but no item metadata. Item
 * "keywords" are derived from the text of the reviews in the training part only (each user's last
 * two reviews are never used), the top words per item by TF-IDF; the rating prior uses the mean
 * training rating and review count. Titles are unknown (ASINs are used as opaque titles).
 */
export function loadAmazon(dataDir: string, keywordsPerItem = 8): EvalDataset {
  const reviews = readJsonl(join(dataDir, 'amazon-musical-instruments-5core', 'reviews_Musical_Instruments_5.json.gz')) as Review[];
  const byUser = new Map<string, Review[]>();
  reviews.forEach((r) => byUser.set(r.reviewerID, [...(byUser.get(r.reviewerID) ?? []), r]));
  const sequences: string[][] = [];
  const heldOut = new Set<Review>();
  const ratings = new Map<string, number>();
  for (const list of byUser.values()) {
    const user = sequences.length;
    const sorted = list.map((r, i) => ({ r, i })).sort((a, b) => a.r.unixReviewTime - b.r.unixReviewTime || a.i - b.i).map((x) => x.r);
    sorted.slice(-2).forEach((r) => heldOut.add(r));
    sequences.push(dedupe(sorted.map((r) => r.asin)));
    sorted.forEach((r) => ratings.set(`${user}\t${r.asin}`, r.overall));
  }
  // Term frequencies per item from training reviews only.
  const tf = new Map<string, Map<string, number>>();
  const df = new Map<string, number>();
  for (const r of reviews) {
    if (heldOut.has(r)) continue;
    const counts = tf.get(r.asin) ?? new Map<string, number>();
    for (const w of words(`${r.summary ?? ''} ${r.summary ?? ''} ${r.reviewText ?? ''}`)) counts.set(w, (counts.get(w) ?? 0) + 1);
    tf.set(r.asin, counts);
  }
  for (const counts of tf.values()) for (const w of counts.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const items = new Map<string, EvalItem>();
  const asins = new Set(reviews.map((r) => r.asin));
  for (const asin of asins) {
    const counts = tf.get(asin) ?? new Map<string, number>();
    const keywords = [...counts]
      .filter(([w]) => (df.get(w) ?? 0) >= 2)
      .map(([w, c]) => [w, c * Math.log(tf.size / (df.get(w) ?? 1))] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, keywordsPerItem)
      .map(([w]) => w);
    items.set(asin, { key: asin, title: asin, attributes: { keywords } });
  }
  return {
    name: 'amazon-musical-instruments',
    note: 'Amazon Musical Instruments 5-core purchase histories; keywords derived from training-split review text (no metadata exists)',
    items,
    sequences,
    ratings,
  };
}

export function datasetsAvailable(dataDir: string): boolean {
  return existsSync(join(dataDir, 'llmxrec-rec-reasons', 'prompts.jsonl.gz'));
}
