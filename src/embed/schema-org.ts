// schema.org → item facts. One mapping for JSON-LD nodes and microdata (which discover.ts first
// turns into the same plain-object shape). The table is documented in docs/integration.md.
import type { AttributeValue, Item } from '../types.ts';

/** The schema.org types we explain, and the prompt domain each one maps to. */
export const SCHEMA_TYPES: Readonly<Record<string, string>> = Object.freeze({
  Product: 'product',
  ProductGroup: 'product',
  IndividualProduct: 'product',
  Movie: 'movie',
  Book: 'book',
  VideoGame: 'game',
  MusicRecording: 'music',
  MusicAlbum: 'music',
  NewsArticle: 'news',
});

/** Caps on page-supplied text, before the prompt builder's own (tighter) limits. */
const MAX_STRING = 300;
const MAX_DESCRIPTION = 1000;
const MAX_VALUES = 20;

export type JsonLdNode = Record<string, unknown>;

export const isJsonLdNode = (value: unknown): value is JsonLdNode => !!value && typeof value === 'object' && !Array.isArray(value);

/** The schema.org type names of a node (`@type` may be a string, an array, or a full URL). */
export function typesOf(node: JsonLdNode): string[] {
  const raw = node['@type'] ?? node.type;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((t): t is string => typeof t === 'string').map((t) => t.replace(/^https?:\/\/schema\.org\//i, '').trim());
}

/** The first explainable type of a node, if any. */
export function explainableType(node: JsonLdNode): string | undefined {
  return typesOf(node).find((t) => Object.prototype.hasOwnProperty.call(SCHEMA_TYPES, t));
}

/** Plain text: tags stripped (descriptions often hold HTML), whitespace collapsed, capped. Never HTML-parsed. */
export function plainText(value: unknown, max = MAX_STRING): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return '';
  return value.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);
}

/** Strings of a property: a string, a `{name}` object (Person, Brand, Organization), or an array of those. */
export function names(value: unknown, max = MAX_VALUES): string[] {
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const entry of list) {
    const text = isJsonLdNode(entry) ? plainText(entry.name ?? entry['@value']) : plainText(entry);
    if (text && !out.includes(text)) out.push(text);
    if (out.length >= max) break;
  }
  return out;
}

/** "Music > Guitars > Strings" and "a, b" style values split into separate facts. */
function split(values: string[], separators: RegExp): string[] {
  const out: string[] = [];
  for (const value of values) for (const part of value.split(separators)) {
    const text = part.trim();
    if (text && !out.includes(text)) out.push(text);
  }
  return out.slice(0, MAX_VALUES);
}

function number(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.replace(',', '.')) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** aggregateRating → `rating` on a 0–5 scale (using best/worstRating) and `ratingCount`. */
export function ratingFacts(aggregate: unknown): { rating?: number; ratingCount?: number } {
  const node = Array.isArray(aggregate) ? aggregate.find(isJsonLdNode) : aggregate;
  if (!isJsonLdNode(node)) return {};
  const out: { rating?: number; ratingCount?: number } = {};
  const value = number(node.ratingValue);
  const best = number(node.bestRating) ?? 5;
  const worst = number(node.worstRating) ?? (best > 5 ? 0 : 1);
  if (value !== undefined && best > worst && value >= worst && value <= best) {
    // Map [worst, best] onto [worst', 5] where a 1-based scale keeps 1 as the floor.
    const floor = worst >= 1 ? 1 : 0;
    out.rating = Math.round((floor + ((value - worst) / (best - worst)) * (5 - floor)) * 100) / 100;
  }
  const count = number(node.ratingCount) ?? number(node.reviewCount);
  if (count !== undefined && count >= 0) out.ratingCount = Math.floor(count);
  return out;
}

/** A stable id from the node: sku, productID, gtin*, isbn, @id, url (in that order). */
export function nodeId(node: JsonLdNode): string {
  for (const key of ['sku', 'productID', 'gtin13', 'gtin12', 'gtin14', 'gtin8', 'gtin', 'isbn', 'mpn', '@id', 'url']) {
    const value = plainText(Array.isArray(node[key]) ? (node[key] as unknown[])[0] : node[key], 200);
    if (value) return value;
  }
  return '';
}

/**
 * Maps a schema.org node to an item (id may be '' when the node has none; the caller assigns one).
 * Returns null without a usable title. See docs/integration.md for the table.
 */
export function nodeToItem(node: JsonLdNode): (Item & { domain: string }) | null {
  const type = explainableType(node);
  if (!type) return null;
  const title = plainText(node.name) || plainText(node.headline) || plainText(node.alternateName);
  if (!title) return null;
  const attributes: Record<string, AttributeValue> = {};
  const put = (key: string, values: string[]) => {
    if (values.length > 0) attributes[key] = values.slice(0, MAX_VALUES);
  };
  put('category', split(names(node.category), /\s*(?:>|›|\/|\|)\s*/));
  put('genres', split(names(node.genre), /\s*,\s*/));
  put('section', names(node.articleSection));
  put('brand', names(node.brand));
  put('author', names(node.author, 3));
  put('artist', names(node.byArtist, 3));
  put('director', names(node.director, 2));
  put('cast', names(node.actor ?? node.actors, 3));
  put('publisher', type === 'VideoGame' || type === 'Book' ? names(node.publisher, 2) : []);
  put('platform', names(node.gamePlatform));
  put('keywords', split(names(node.keywords), /\s*,\s*/));
  put('color', names(node.color, 3));
  put('material', names(node.material, 3));
  Object.assign(attributes, ratingFacts(node.aggregateRating));
  const item: Item & { domain: string } = { id: nodeId(node), title, attributes, domain: SCHEMA_TYPES[type]! };
  const description = plainText(node.description, MAX_DESCRIPTION);
  if (description) item.description = description;
  return item;
}

/**
 * Every explainable node in parsed JSON-LD: top-level arrays, `@graph`, and nested values such as
 * ItemList → itemListElement → item, or a WebPage's mainEntity. Depth and count are bounded.
 */
export function collectNodes(json: unknown, max = 2000): JsonLdNode[] {
  const out: JsonLdNode[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (out.length >= max || depth > 8 || value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const entry of value.slice(0, max)) visit(entry, depth + 1);
      return;
    }
    const node = value as JsonLdNode;
    if (explainableType(node)) {
      out.push(node);
      // Variants of a ProductGroup are items too; other nested values are properties of this one.
      if (node.hasVariant) visit(node.hasVariant, depth + 1);
      return;
    }
    for (const key of ['@graph', 'itemListElement', 'item', 'mainEntity', 'about', 'hasPart', 'itemOffered']) {
      if (key in node) visit(node[key], depth + 1);
    }
  };
  visit(json, 0);
  return out;
}
