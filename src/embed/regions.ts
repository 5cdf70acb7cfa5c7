// The embed's per-item record (a "region": the reason shown for one item, on its card or in a
// <because-reason> element) and what is built from it without the page: keys, inline items, snapshots.
import { relevantHistory } from '../core/rank.ts';
import type { HistoryEntry, Item, Reason, UserContext } from '../types.ts';
import type { DiscoveredItem } from './discover.ts';
import type { ReasonView } from './mount.ts';

export interface Region {
  entry: DiscoveredItem;
  view: ReasonView | null;
  /** The element watched for visibility: the card, or a <because-reason> element. */
  target: Element | null;
  /** The auto-mounted host, removed when a <because-reason> element takes over. */
  host: HTMLElement | null;
  visible: boolean;
  /** The observer reported this target at least once (later reports are scrolls or layout changes). */
  observed: boolean;
  /** Generation of the reason shown; -1 when none. */
  done: number;
  running: AbortController | null;
  reason?: Reason;
}

export interface ReasonSnapshot {
  key: string;
  storeId: string;
  title: string;
  state: string;
  text: string;
  source?: 'model' | 'fallback';
  placed: 'card' | 'element' | 'none';
}

/** History entries per prompt (the prompt keeps 8). */
const PROMPT_HISTORY = 8;

export const newRegion = (entry: DiscoveredItem): Region => ({ entry, view: null, target: null, host: null, visible: false, observed: false, done: -1, running: null });

/** `base`, or `base~2`, `base~3`… (`stem~n` when given), the first that is not taken. */
export function uniqueKey(base: string, taken: { has(key: string): boolean }, stem = base): string {
  let key = base;
  for (let n = 2; taken.has(key); n += 1) key = `${stem}~${n}`;
  return key;
}

/** <because-reason data-title="…" data-attributes='{…}'> describes its own item; null without a title. */
export function inlineEntry(el: Pick<Element, 'getAttribute'>, id: string, key: string, defaultDomain: string): DiscoveredItem | null {
  const title = (el.getAttribute('data-title') ?? '').trim();
  if (!title) return null;
  let attributes: Item['attributes'] = {};
  try {
    const parsed: unknown = JSON.parse(el.getAttribute('data-attributes') ?? '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) attributes = parsed as Item['attributes'];
  } catch {
    attributes = {};
  }
  const item: Item = { id: key, title: title.slice(0, 300), attributes };
  const description = el.getAttribute('data-description');
  if (description) item.description = description.slice(0, 1000);
  const domain = (el.getAttribute('data-domain') ?? defaultDomain).toLowerCase().slice(0, 16);
  return { key, item, storeId: id || key, domain, element: null, source: 'data' };
}

export function snapshot(region: Region): ReasonSnapshot {
  const out: ReasonSnapshot = {
    key: region.entry.key,
    storeId: region.entry.storeId,
    title: region.entry.item.title,
    state: region.view?.state ?? 'none',
    text: region.view?.text ?? '',
    placed: !region.view ? 'none' : region.host ? 'card' : 'element',
  };
  if (region.reason) out.source = region.reason.source;
  return out;
}

/** The context for one item's prompt: its domain, and (personal only) the history most relevant to it, without the item itself. */
export function promptContext(entry: DiscoveredItem, history: readonly HistoryEntry[]): UserContext {
  const context: UserContext = { domain: entry.domain };
  if (history.length === 0) return context;
  const relevant = relevantHistory(entry.item, history.filter((h) => h.id !== entry.storeId), PROMPT_HISTORY);
  if (relevant.length > 0) context.history = relevant.map(({ title, attributes }) => (attributes ? { title, attributes } : { title }));
  return context;
}

/** Tells the page a reason is shown: a bubbling `because:reason` event on the region's element. */
export function announce(region: Region, reason: Reason, doc: Document): void {
  try {
    const detail = { key: region.entry.key, storeId: region.entry.storeId, text: reason.text, source: reason.source };
    (region.target ?? doc).dispatchEvent(new CustomEvent('because:reason', { detail, bubbles: true }));
  } catch {
    // an event is a courtesy; never fail a reason for it
  }
}
