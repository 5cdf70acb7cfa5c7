// The on-device profile's event model: what a visitor did, how much each kind of event counts,
// and how fast it fades. Pure functions; storage lives in store.ts.
import { attributeFacts, sanitizeTitle } from '../core/prompt.ts';
import type { AttributeValue, HistoryEntry } from '../types.ts';

export type ProfileEventType = 'view' | 'click' | 'cart' | 'purchase' | 'rating';

export const EVENT_TYPES: readonly ProfileEventType[] = ['view', 'click', 'cart', 'purchase', 'rating'];

/** One stored event. Only what a reason may cite is kept: id, title, up to 16 short facts. */
export interface ProfileEvent {
  type: ProfileEventType;
  itemId: string;
  title: string;
  /** `{ facts: [...] }`: the item's attribute facts, sanitized and capped. */
  attributes: Record<string, string[]>;
  /** ms since the epoch. */
  at: number;
  /** 1..5 for 'rating' events. */
  rating?: number;
}

/** How much one event says about taste, before decay. A purchase says more than a glance. */
export const EVENT_WEIGHTS: Readonly<Record<Exclude<ProfileEventType, 'rating'>, number>> = Object.freeze({
  view: 0.25,
  click: 0.5,
  cart: 1.5,
  purchase: 2,
});

/** Ratings: 5★ → 2, 4★ → 1, 3★ → 0 (neutral), 2★ → −1, 1★ → −2. A negative total drops the item. */
export function ratingWeight(stars: number): number {
  return Math.max(-2, Math.min(2, Math.round(stars) - 3));
}

/** Half-life of an event's weight: after 30 days an event counts half, after 60 a quarter. */
export const DEFAULT_HALF_LIFE_DAYS = 30;
/** Events whose decayed weight falls below this are forgotten (~6.6 half-lives, 200 days). */
export const FORGET_BELOW = 0.01;
export const DEFAULT_MAX_EVENTS = 500;
const MAX_FACTS = 16;
const MAX_ID = 200;
const DAY = 86_400_000;

export function eventWeight(event: Pick<ProfileEvent, 'type' | 'rating'>): number {
  if (event.type === 'rating') return ratingWeight(event.rating ?? 3);
  return EVENT_WEIGHTS[event.type] ?? 0;
}

export function decay(at: number, now: number, halfLifeDays = DEFAULT_HALF_LIFE_DAYS): number {
  const age = Math.max(0, now - at) / DAY;
  return halfLifeDays > 0 ? 0.5 ** (age / halfLifeDays) : 1;
}

export interface RecordInput {
  id?: unknown;
  title?: unknown;
  attributes?: Record<string, AttributeValue>;
}

/**
 * Turns page input into a storable event, or null when it has no usable id or title. Page text is
 * sanitized and capped so the profile stays small and holds nothing but citable facts.
 */
export function makeEvent(type: unknown, item: RecordInput | null | undefined, at: number, rating?: unknown): ProfileEvent | null {
  if (!EVENT_TYPES.includes(type as ProfileEventType) || !item || typeof item !== 'object') return null;
  const title = sanitizeTitle(item.title);
  const rawId = typeof item.id === 'string' || typeof item.id === 'number' ? String(item.id) : '';
  const itemId = rawId.slice(0, MAX_ID) || title;
  if (!title || !itemId) return null;
  const event: ProfileEvent = { type: type as ProfileEventType, itemId, title, attributes: {}, at };
  const facts = attributeFacts(item.attributes, MAX_FACTS);
  if (facts.length > 0) event.attributes = { facts };
  if (type === 'rating') {
    const stars = Number(rating);
    if (!Number.isFinite(stars) || stars < 0 || stars > 5) return null;
    event.rating = stars;
  }
  return event;
}

/** Decayed weight of each event, in order. */
export function decayedWeights(events: readonly ProfileEvent[], now: number, halfLifeDays = DEFAULT_HALF_LIFE_DAYS): number[] {
  return events.map((e) => eventWeight(e) * decay(e.at, now, halfLifeDays));
}

/**
 * Keeps the events worth keeping: drops the forgotten (|decayed weight| < FORGET_BELOW) and, over
 * `maxEvents`, the ones that count least (oldest first among equals). Order is preserved.
 */
export function prune(events: readonly ProfileEvent[], now: number, maxEvents = DEFAULT_MAX_EVENTS, halfLifeDays = DEFAULT_HALF_LIFE_DAYS): ProfileEvent[] {
  const weights = decayedWeights(events, now, halfLifeDays);
  let keep = events.map((e, i) => ({ e, i, w: Math.abs(weights[i]!) })).filter((x) => x.w >= FORGET_BELOW);
  if (keep.length > maxEvents) {
    const ranked = [...keep].sort((a, b) => b.w - a.w || b.e.at - a.e.at).slice(0, maxEvents);
    const chosen = new Set(ranked.map((x) => x.i));
    keep = keep.filter((x) => chosen.has(x.i));
  }
  return keep.map((x) => x.e);
}

export interface HistoryOptions {
  now?: number;
  halfLifeDays?: number;
  /** Most entries returned (the most recent ones). */
  max?: number;
  /** Leave out this item (e.g. the card being explained must not be its own reason). */
  excludeId?: string;
}

/**
 * The profile as `UserContext.history`: one entry per item, oldest first by the item's latest event,
 * `weight` = sum of its events' decayed weights (event type × recency). Items whose total is ≤ 0
 * (rated 1–2★ and not bought since) are left out: a reason must not say "because you liked" them.
 */
export function toHistory(events: readonly ProfileEvent[], options: HistoryOptions = {}): HistoryEntry[] {
  const now = options.now ?? Date.now();
  const weights = decayedWeights(events, now, options.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS);
  const byItem = new Map<string, { entry: HistoryEntry; weight: number; last: number }>();
  events.forEach((e, i) => {
    if (e.itemId === options.excludeId) return;
    const current = byItem.get(e.itemId);
    const facts = e.attributes?.facts;
    if (!current) {
      const entry: HistoryEntry = { id: e.itemId, title: e.title };
      if (Array.isArray(facts) && facts.length > 0) entry.attributes = { facts: [...facts] };
      byItem.set(e.itemId, { entry, weight: weights[i]!, last: e.at });
      return;
    }
    current.weight += weights[i]!;
    if (e.at >= current.last) {
      current.last = e.at;
      current.entry.title = e.title; // the latest spelling wins
      if (Array.isArray(facts) && facts.length > 0) current.entry.attributes = { facts: [...facts] };
    }
  });
  const entries = [...byItem.values()]
    .filter((x) => x.weight > 0)
    .sort((a, b) => a.last - b.last)
    .map((x) => ({ ...x.entry, weight: Math.max(1e-4, Math.round(x.weight * 1e4) / 1e4) }));
  const max = options.max ?? 50;
  return entries.slice(Math.max(0, entries.length - max));
}
