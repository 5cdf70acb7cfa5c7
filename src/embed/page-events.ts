// What the embed reads from the page's own events and DOM changes, and the one change it makes to
// the page's order: which card a click was on (and which profile event it means), whether a
// mutation concerns the page's cards, reordering sibling cards by score.
import { ELEMENT_NAME } from './element.ts';
import { HOST_ATTRIBUTE } from './mount.ts';

export type CardEvent = 'click' | 'cart' | 'purchase' | 'view';

/** data-because-event values on a card's controls → the profile event a click there records. */
const MARKED_EVENTS: Record<string, CardEvent> = {
  click: 'click',
  view: 'view',
  cart: 'cart',
  'add-to-cart': 'cart',
  purchase: 'purchase',
  buy: 'purchase',
};

/** Our own regions and elements: clicks and mutations there are not the page's. */
export const isOurs = (node: Node): boolean => node instanceof Element && (node.hasAttribute(HOST_ATTRIBUTE) || node.localName === ELEMENT_NAME);

/**
 * The card a click went to (the first element on its path that `cardOf` knows) and the event it
 * means (the innermost data-because-event, else 'click'); null for clicks elsewhere or on our own controls.
 */
export function clickedCard<T>(path: readonly EventTarget[], cardOf: (el: Element) => T | undefined): { card: T; type: CardEvent } | null {
  let type: CardEvent = 'click';
  for (const node of path) {
    if (!(node instanceof Element)) continue;
    if (isOurs(node)) return null;
    const marked = node.getAttribute('data-because-event');
    if (marked && MARKED_EVENTS[marked.toLowerCase()] && type === 'click') type = MARKED_EVENTS[marked.toLowerCase()]!;
    const card = cardOf(node);
    if (card !== undefined) return { card, type };
  }
  return null;
}

/** Whether mutations added or removed page elements (not only our own). */
export const touchesCards = (records: readonly MutationRecord[]): boolean =>
  records.some((r) => [...Array.from(r.addedNodes), ...Array.from(r.removedNodes)].some((n) => n.nodeType === 1 && !isOurs(n)));

/** Reorders cards that share a parent best-first (stable for equal scores), after the last of them. */
export function reorderSiblings(cards: readonly HTMLElement[], score: (card: HTMLElement) => number): void {
  const groups = new Map<Element, HTMLElement[]>();
  for (const card of cards) {
    const parent = card.parentElement;
    if (parent) groups.set(parent, [...(groups.get(parent) ?? []), card]);
  }
  for (const [parent, group] of groups) {
    if (group.length < 2) continue;
    const anchor = group[group.length - 1]!.nextSibling;
    for (const card of [...group].sort((a, b) => score(b) - score(a))) parent.insertBefore(card, anchor);
  }
}
