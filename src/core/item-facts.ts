// The facts of an item and of a visitor's history: titles and attribute values, sanitized exactly
// as the prompt shows them, and the ones an item shares with the history. Pure; no DOM.
import type { CitedFact, HistoryEntry, Item, UserContext } from '../types.ts';
import { keyedAttributeFacts, LIMITS, sanitizeTitle, type KeyedFact } from './prompt.ts';
import { termKey } from './term-index.ts';

export { termKey } from './term-index.ts';

/** What the fact functions read of an item: its title and attributes (a whole Item fits). */
export type ItemLike = Pick<Item, 'title' | 'attributes'> & Partial<Pick<Item, 'id' | 'description'>>;

/**
 * 'prompt': exactly the facts the model saw (item: 8 facts; history: the last 8 entries, 3 facts each).
 * 'all' (default for citation): every fact the page gave, within ALL_FACTS_LIMITS. A true fact the
 * prompt left out is still true, so it is never "ungrounded".
 */
export type FactScope = 'prompt' | 'all';

export interface FactsOptions {
  scope?: FactScope;
}

/** Bounds for scope 'all', so hostile input (100 KB attributes, 10k history entries) stays cheap. */
export const ALL_FACTS_LIMITS = { itemFacts: 64, historyFacts: 32, historyEntries: 200 } as const;

// KeyedFact and keyedAttributeFacts live in prompt.ts (the facts the model sees); re-exported here.
export { keyedAttributeFacts, type KeyedFact } from './prompt.ts';

/** A history entry as facts: its sanitized title and its attribute facts. */
export interface HistoryFacts {
  title: string;
  facts: KeyedFact[];
}

/**
 * The history entries with a non-empty sanitized title, oldest first: the last 8 with 3 facts each
 * for scope 'prompt' (= prompt.ts's `promptHistory`), else the last 200 with up to 32 facts each.
 */
export function historyEntryFacts(context: UserContext | undefined | null, options: FactsOptions = {}): HistoryFacts[] {
  const history = context && Array.isArray(context.history) ? (context.history as readonly HistoryEntry[]) : [];
  const prompt = options.scope === 'prompt';
  const maxFacts = prompt ? LIMITS.historyFacts : ALL_FACTS_LIMITS.historyFacts;
  const valid: HistoryFacts[] = [];
  for (const h of history) {
    const title = sanitizeTitle(h?.title);
    if (title) valid.push({ title, facts: keyedAttributeFacts(h?.attributes, maxFacts) });
  }
  return valid.slice(-(prompt ? LIMITS.historyEntries : ALL_FACTS_LIMITS.historyEntries));
}

/** The item's facts: its title (kind 'title') then its attribute facts, all `from: 'item'`. */
export function itemFacts(item: ItemLike | undefined | null, options: FactsOptions = {}): CitedFact[] {
  const out: CitedFact[] = [];
  const title = sanitizeTitle(item?.title);
  if (title) out.push({ value: title, from: 'item', kind: 'title' });
  const max = options.scope === 'prompt' ? LIMITS.itemFacts : ALL_FACTS_LIMITS.itemFacts;
  for (const f of keyedAttributeFacts(item?.attributes, max)) out.push({ value: f.value, from: 'item', kind: f.kind });
  return out;
}

/**
 * The history's facts, `from: 'history'`: titles and attribute values, most recent entry first,
 * one per distinct value (compared by `termKey`, so 'Co-op' and 'co op' are one fact).
 */
export function historyFacts(context: UserContext | undefined | null, options: FactsOptions = {}): CitedFact[] {
  const out: CitedFact[] = [];
  const seen = new Set<string>();
  const push = (value: string, kind: string): void => {
    const key = termKey(value);
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ value, from: 'history', kind });
  };
  for (const entry of historyEntryFacts(context, options).reverse()) {
    push(entry.title, 'title');
    for (const f of entry.facts) push(f.value, f.kind);
  }
  return out;
}

/** An item attribute fact that history entries share, with those entries' titles (most recent first). */
export interface SharedFact extends KeyedFact {
  titles: string[];
}

/**
 * The item's attribute facts that the history also has (compared by `termKey`), in the item's
 * order, each with the titles of the history entries that have it, most recent first.
 */
export function sharedFacts(item: ItemLike, context: UserContext | undefined | null): SharedFact[] {
  const history = historyEntryFacts(context).reverse();
  const out: SharedFact[] = [];
  for (const fact of keyedAttributeFacts(item.attributes, ALL_FACTS_LIMITS.itemFacts)) {
    const key = termKey(fact.value);
    const titles = history.filter((h) => h.facts.some((f) => termKey(f.value) === key)).map((h) => h.title);
    if (titles.length > 0) out.push({ ...fact, titles: [...new Set(titles)] });
  }
  return out;
}
