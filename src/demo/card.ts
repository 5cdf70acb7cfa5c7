// One storefront card: cover, title, facts, the streamed reason and the two history buttons.
import type { Reason } from '../types.ts';
import type { Action } from './history.ts';
import { el } from './dom.ts';
import { priceLabel, type Game } from './catalog.ts';

export type CardState = 'idle' | 'pending' | 'streaming' | 'done' | 'error' | 'history';

/** A stable hue per title, so covers differ without loading images from anywhere. */
function hue(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + (ch.codePointAt(0) ?? 0)) % 360;
  return h;
}

function initials(title: string): string {
  const words = title.replace(/[^\p{L}\p{N} ]/gu, ' ').split(' ').filter(Boolean);
  return words.slice(0, 2).map((w) => Array.from(w)[0]?.toUpperCase() ?? '').join('') || '?';
}

export class Card {
  readonly root: HTMLElement;
  private readonly reasonText: HTMLElement;
  private readonly reasonMeta: HTMLElement;
  private readonly buttons: Record<Action, HTMLButtonElement>;

  constructor(readonly game: Game, onAction: (id: string, action: Action) => void) {
    this.root = el('article', 'card');
    this.root.dataset.id = game.id;
    const cover = el('div', 'cover', initials(game.title));
    cover.style.setProperty('--hue', String(hue(game.title)));
    cover.setAttribute('aria-hidden', 'true');

    const body = el('div', 'body');
    const title = el('h2', 'title', game.title);
    const meta = el('p', 'meta', [game.developer, game.year ?? '', priceLabel(game.price)].filter((x) => x !== '').join(' · '));
    const tags = el('ul', 'tags');
    for (const tag of [...new Set([...game.genres, ...game.tags])].slice(0, 4)) tags.append(el('li', '', tag));

    const reason = el('div', 'reason');
    reason.setAttribute('aria-live', 'polite');
    this.reasonText = el('p', 'reason-text');
    this.reasonMeta = el('p', 'reason-meta');
    reason.append(this.reasonText, this.reasonMeta);

    const actions = el('div', 'actions');
    this.buttons = {
      played: el('button', 'played', 'Played'),
      cart: el('button', 'cart', 'Add to cart'),
    };
    for (const action of ['played', 'cart'] as const) {
      const button = this.buttons[action];
      button.type = 'button';
      button.setAttribute('aria-pressed', 'false');
      button.addEventListener('click', () => onAction(game.id, action));
      actions.append(button);
    }
    body.append(title, meta, tags, reason, actions);
    this.root.append(cover, body);
    this.setState('idle');
  }

  setActions(played: boolean, cart: boolean): void {
    this.buttons.played.setAttribute('aria-pressed', String(played));
    this.buttons.cart.setAttribute('aria-pressed', String(cart));
    this.buttons.cart.textContent = cart ? 'In cart' : 'Add to cart';
  }

  pending(): void {
    this.setState('pending');
    this.reasonText.textContent = 'Thinking…';
    this.reasonMeta.textContent = '';
  }

  /** Marks a game the visitor already has: no reason is needed for it. */
  inHistory(): void {
    this.setState('history');
    this.reasonText.textContent = 'In your history: reasons for other games now use it.';
    this.reasonMeta.textContent = '';
  }

  delta(text: string): void {
    if (this.root.dataset.reasonState !== 'streaming') {
      this.setState('streaming');
      this.reasonText.textContent = '';
    }
    this.reasonText.textContent += text;
  }

  finish(reason: Reason): void {
    this.setState('done');
    this.root.dataset.source = reason.source;
    this.root.dataset.backend = reason.backend;
    if (reason.fallbackReason) this.root.dataset.fallback = reason.fallbackReason;
    else delete this.root.dataset.fallback;
    this.reasonText.textContent = reason.text;
    const cites = reason.facts.map((f) => f.value);
    const origin = reason.source === 'model' ? `model · ${reason.tokens} tokens` : `template (${reason.fallbackReason ?? 'fallback'})`;
    const cached = reason.cached ? ' · cached' : '';
    this.reasonMeta.textContent = `${origin}${cached}${cites.length > 0 ? ` · cites ${cites.join(', ')}` : ''}`;
  }

  fail(message: string): void {
    this.setState('error');
    this.reasonText.textContent = 'No reason: ' + message;
    this.reasonMeta.textContent = '';
  }

  private setState(state: CardState): void {
    this.root.dataset.reasonState = state;
    if (state !== 'done') {
      delete this.root.dataset.source;
      delete this.root.dataset.fallback;
    }
  }
}
