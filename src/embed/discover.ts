// Finds the items on a storefront page without markup changes: cards marked `data-because-item`
// (explicit markup wins when present), else schema.org microdata and JSON-LD already on the page,
// each matched to the card it describes. Page data is hostile by default: malformed JSON, missing
// titles, thousands of nodes, odd objects. Nothing here throws and nothing is parsed as HTML.
import type { AttributeValue, Item } from '../types.ts';
import { fnv1a } from '../core/random.ts';
import { collectNodes, isJsonLdNode, type JsonLdNode, nodeToItem, plainText, SCHEMA_TYPES } from './schema-org.ts';

export type DiscoverySource = 'data' | 'microdata' | 'json-ld';

export interface DiscoveredItem {
  /** Unique on the page; the item's `id` as passed to the explainer (reasons come back under it). */
  key: string;
  item: Item;
  /** The store's own id (sku, data-because-item value, url), recorded in the profile. */
  storeId: string;
  /** Prompt domain: 'product', 'movie', 'book', 'game', 'music', 'news', or a store's data-domain. */
  domain: string;
  /** The card the reason goes with; null when no card could be matched (use <because-reason>). */
  element: HTMLElement | null;
  source: DiscoverySource;
}

export interface Discovery {
  items: DiscoveredItem[];
  /** Candidates dropped: no title, unparseable JSON-LD, over the cap. */
  skipped: number;
}

export interface DiscoverOptions {
  /** Most items returned (page order). */
  max?: number;
  /** Domain for items that do not say (data-because-item without data-domain). */
  defaultDomain?: string;
}

const MAX_JSON_LD_CHARS = 2_000_000;
const MAX_CLIMB = 8;

/** A short stable hash for ids of items that carry none. */
const hashId = (text: string): string => fnv1a(text).toString(36);

function parseAttributes(raw: string | null): Record<string, AttributeValue> {
  if (!raw) return {};
  try {
    const value: unknown = JSON.parse(raw);
    return isJsonLdNode(value) ? (value as Record<string, AttributeValue>) : {};
  } catch {
    return {}; // documented: malformed data-attributes means "no attributes", never an error
  }
}

const text = (el: Element | null | undefined): string => plainText(el?.textContent ?? '');

// ---------------------------------------------------------------- explicit markup

function fromDataAttributes(root: ParentNode, defaultDomain: string): { found: Omit<DiscoveredItem, 'key'>[]; skipped: number } {
  const found: Omit<DiscoveredItem, 'key'>[] = [];
  let skipped = 0;
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-because-item]'))) {
    try {
      const title =
        plainText(el.getAttribute('data-title')) ||
        text(el.querySelector('[itemprop="name"]')) ||
        text(el.querySelector('h1, h2, h3, h4, h5, h6'));
      if (!title) {
        skipped += 1;
        continue;
      }
      const storeId = plainText(el.getAttribute('data-because-item'), 200) || plainText(el.getAttribute('data-id'), 200) || el.id || `item-${hashId(title)}`;
      const item: Item = { id: storeId, title, attributes: parseAttributes(el.getAttribute('data-attributes')) };
      const description = plainText(el.getAttribute('data-description'), 1000);
      if (description) item.description = description;
      const domain = plainText(el.getAttribute('data-domain'), 16).toLowerCase() || defaultDomain;
      found.push({ item, storeId, domain, element: el, source: 'data' });
    } catch {
      skipped += 1;
    }
  }
  return { found, skipped };
}

// ---------------------------------------------------------------- microdata

function microdataType(el: Element): string | undefined {
  const types = (el.getAttribute('itemtype') ?? '').split(/\s+/).map((t) => t.replace(/^https?:\/\/schema\.org\//i, '').replace(/\/$/, ''));
  return types.find((t) => Object.prototype.hasOwnProperty.call(SCHEMA_TYPES, t));
}

function propValue(el: Element, depth: number): unknown {
  if (el.hasAttribute('itemscope')) return depth < 3 ? microdataNode(el, depth + 1) : undefined;
  const tag = el.tagName.toLowerCase();
  if (el.hasAttribute('content')) return el.getAttribute('content');
  if (tag === 'a' || tag === 'link' || tag === 'area') return el.getAttribute('href');
  if (tag === 'img' || tag === 'source' || tag === 'audio' || tag === 'video') return el.getAttribute('src');
  if (tag === 'time' && el.hasAttribute('datetime')) return el.getAttribute('datetime');
  if ((tag === 'data' || tag === 'meter') && el.hasAttribute('value')) return el.getAttribute('value');
  return el.textContent ?? '';
}

/** The properties of one itemscope: itemprop descendants whose nearest itemscope is this one. */
function microdataNode(scope: Element, depth = 0): JsonLdNode {
  const node: JsonLdNode = { '@type': microdataType(scope) ?? (scope.getAttribute('itemtype') ?? '').split('/').pop() ?? '' };
  for (const el of Array.from(scope.querySelectorAll('[itemprop]'))) {
    const owner = el.parentElement?.closest('[itemscope]');
    if (owner !== scope) continue;
    const value = propValue(el, depth);
    if (value === undefined || value === null) continue;
    for (const name of (el.getAttribute('itemprop') ?? '').split(/\s+/).filter(Boolean)) {
      const prev = node[name];
      node[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
  }
  return node;
}

function fromMicrodata(root: ParentNode): { found: Omit<DiscoveredItem, 'key'>[]; skipped: number } {
  const found: Omit<DiscoveredItem, 'key'>[] = [];
  let skipped = 0;
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('[itemscope][itemtype]'))) {
    try {
      if (!microdataType(el)) continue;
      // A Product nested as a property of another explainable item is a detail of it, not a card.
      const outer = el.parentElement?.closest('[itemscope][itemtype]');
      if (outer && microdataType(outer) && el.hasAttribute('itemprop')) continue;
      const item = nodeToItem(microdataNode(el));
      if (!item) {
        skipped += 1;
        continue;
      }
      const { domain, ...rest } = item;
      found.push({ item: rest, storeId: rest.id, domain, element: el, source: 'microdata' });
    } catch {
      skipped += 1;
    }
  }
  return { found, skipped };
}

// ---------------------------------------------------------------- JSON-LD

function jsonLdNodes(root: ParentNode): { nodes: JsonLdNode[]; skipped: number } {
  const nodes: JsonLdNode[] = [];
  let skipped = 0;
  for (const script of Array.from(root.querySelectorAll('script'))) {
    const type = (script.getAttribute('type') ?? '').trim().toLowerCase();
    if (type !== 'application/ld+json') continue;
    const raw = script.textContent ?? '';
    if (raw.length > MAX_JSON_LD_CHARS) {
      skipped += 1;
      continue;
    }
    try {
      nodes.push(...collectNodes(JSON.parse(raw)));
    } catch {
      skipped += 1; // malformed JSON-LD: ignored, never thrown
    }
  }
  return { nodes, skipped };
}

/** Canonical form for comparing links: absolute, no hash, no trailing slash. */
function canonical(href: string | null | undefined, base: string): string {
  if (!href) return '';
  try {
    const url = new URL(href, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return '';
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return '';
  }
}

const foldTitle = (value: string): string => value.toLowerCase().replace(/\s+/g, ' ').trim();

// Class names of a whole card ("card", "product-card", "grid-item", "product"), not of its parts
// ("product-title", "card-body").
const CARD_CLASS = [/(^|[-_])(card|tile|teaser)s?$/i, /^(product|item|result|listing|offer)s?$/i, /(^|[-_])(product|item)$/i];

function isCardLike(el: Element): boolean {
  const tag = el.tagName.toLowerCase();
  if (tag === 'article' || tag === 'li' || el.hasAttribute('itemscope')) return true;
  const classes = (el.getAttribute('class') ?? '').split(/\s+/).filter(Boolean);
  return classes.some((c) => CARD_CLASS.some((re) => re.test(c)));
}

interface Anchor {
  index: number;
  el: Element;
}

/**
 * Matches JSON-LD items to cards: first by link (url / @id / offers.url to an `<a href>`), then by a
 * data-sku / data-product-id / data-id equal to the id, then by an element whose text is the title.
 * The card is the largest ancestor (up to a card-like element) that holds no other item's anchor.
 */
function matchCards(doc: Document, items: { node: JsonLdNode; item: Item }[]): (HTMLElement | null)[] {
  const base = doc.baseURI || 'http://localhost/';
  const links = new Map<string, Element[]>();
  for (const a of Array.from(doc.querySelectorAll('a[href]'))) {
    const key = canonical(a.getAttribute('href'), base);
    if (key) links.set(key, [...(links.get(key) ?? []), a]);
  }
  const ids = new Map<string, Element>();
  for (const el of Array.from(doc.querySelectorAll('[data-sku], [data-product-id], [data-id]'))) {
    for (const attr of ['data-sku', 'data-product-id', 'data-id']) {
      const value = el.getAttribute(attr);
      if (value && !ids.has(value)) ids.set(value, el);
    }
  }
  let titles: Map<string, Element> | null = null;
  const titleIndex = (): Map<string, Element> => {
    if (titles) return titles;
    titles = new Map();
    for (const el of Array.from(doc.querySelectorAll('h1, h2, h3, h4, h5, h6, a, [class*="title" i], [class*="name" i], [itemprop="name"]'))) {
      const key = foldTitle(el.textContent ?? '');
      if (key && key.length <= 300 && !titles.has(key)) titles.set(key, el);
    }
    return titles;
  };

  const anchors: Anchor[] = [];
  items.forEach(({ node, item }, index) => {
    const offers = Array.isArray(node.offers) ? node.offers[0] : node.offers;
    const urls = [node.url, node['@id'], isJsonLdNode(offers) ? offers.url : undefined].flatMap((u) => (Array.isArray(u) ? u : [u]));
    const byLink = urls.map((u) => links.get(canonical(typeof u === 'string' ? u : '', base))).find((list) => list && list.length > 0);
    if (byLink) {
      for (const el of byLink) anchors.push({ index, el });
      return;
    }
    const byId = item.id ? ids.get(item.id) : undefined;
    if (byId) {
      anchors.push({ index, el: byId });
      return;
    }
    const byTitle = titleIndex().get(foldTitle(item.title));
    if (byTitle) anchors.push({ index, el: byTitle });
  });

  // Which items have an anchor inside each ancestor.
  const owners = new Map<Element, Set<number>>();
  for (const { index, el } of anchors) {
    for (let cur: Element | null = el, depth = 0; cur && depth <= MAX_CLIMB + 1; cur = cur.parentElement, depth += 1) {
      const set = owners.get(cur) ?? new Set<number>();
      set.add(index);
      owners.set(cur, set);
    }
  }
  const cards: (HTMLElement | null)[] = items.map(() => null);
  for (const { index, el } of anchors) {
    if (cards[index]) continue;
    let card: Element = el;
    for (let cur: Element | null = el, depth = 0; cur && depth <= MAX_CLIMB; cur = cur.parentElement, depth += 1) {
      const tag = cur.tagName.toLowerCase();
      if (tag === 'body' || tag === 'html' || tag === 'main' || (owners.get(cur)?.size ?? 0) > 1) break;
      card = cur;
      if (isCardLike(cur)) break;
    }
    cards[index] = card as HTMLElement;
  }
  return cards;
}

function fromJsonLd(doc: Document): { found: Omit<DiscoveredItem, 'key'>[]; skipped: number } {
  const { nodes, skipped: bad } = jsonLdNodes(doc);
  let skipped = bad;
  const mapped: { node: JsonLdNode; item: Item & { domain: string } }[] = [];
  for (const node of nodes) {
    try {
      const item = nodeToItem(node);
      if (item) mapped.push({ node, item });
      else skipped += 1;
    } catch {
      skipped += 1;
    }
  }
  let cards: (HTMLElement | null)[] = [];
  try {
    cards = matchCards(doc, mapped);
  } catch {
    cards = mapped.map(() => null);
  }
  const found = mapped.map(({ item }, i) => {
    const { domain, ...rest } = item;
    return { item: rest, storeId: rest.id, domain, element: cards[i] ?? null, source: 'json-ld' as const };
  });
  return { found, skipped };
}

// ---------------------------------------------------------------- all together

/**
 * The explainable items on the page, in page order where known. Explicit `data-because-item`
 * markup, when present, is the whole answer; otherwise microdata and JSON-LD, deduplicated (the
 * same card or the same id is one item).
 */
export function discoverItems(doc: Document, options: DiscoverOptions = {}): Discovery {
  const max = options.max ?? 1000;
  const defaultDomain = options.defaultDomain ?? 'product';
  let skipped = 0;
  let found: Omit<DiscoveredItem, 'key'>[] = [];
  try {
    const explicit = fromDataAttributes(doc, defaultDomain);
    skipped += explicit.skipped;
    if (explicit.found.length > 0 || explicit.skipped > 0) found = explicit.found;
    else {
      const micro = fromMicrodata(doc);
      const ld = fromJsonLd(doc);
      skipped += micro.skipped + ld.skipped;
      found = [...micro.found, ...ld.found];
    }
  } catch {
    // a hostile DOM (throwing getters, detached nodes): whatever was found so far
  }

  const items: DiscoveredItem[] = [];
  const usedKeys = new Map<string, number>();
  const usedCards = new Set<Element>();
  const seenIds = new Set<string>();
  for (const entry of found) {
    if (entry.element && usedCards.has(entry.element)) continue; // microdata and JSON-LD for one card
    if (entry.source !== 'data' && entry.storeId && seenIds.has(entry.storeId)) continue;
    if (items.length >= max) {
      skipped += 1;
      continue;
    }
    if (entry.element) usedCards.add(entry.element);
    const storeId = entry.storeId || `item-${hashId(`${entry.item.title}\u0000${JSON.stringify(entry.item.attributes ?? {})}`)}`;
    if (entry.storeId) seenIds.add(entry.storeId);
    const n = (usedKeys.get(storeId) ?? 0) + 1;
    usedKeys.set(storeId, n);
    const key = n === 1 ? storeId : `${storeId}~${n}`;
    items.push({ ...entry, key, storeId, item: { ...entry.item, id: key } });
  }
  // Page order: cards by document position; card-less items keep their discovery order at the end.
  const positioned = items.filter((i) => i.element);
  positioned.sort((a, b) => {
    const rel = a.element!.compareDocumentPosition(b.element!);
    return rel & 4 ? -1 : rel & 2 ? 1 : 0; // 4: b follows a; 2: b precedes a
  });
  return { items: [...positioned, ...items.filter((i) => !i.element)], skipped };
}
