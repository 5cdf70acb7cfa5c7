// The reason UI of one card, in its own Shadow DOM so that neither the store's CSS nor ours leaks.
// Accessibility: the `role="status"` region exists (empty) before any text arrives; streamed text
// is written into an aria-hidden child while `aria-busy="true"`, and only the final text becomes
// readable content of the region, so assistive technology announces it once, not every token.
// Everything page- or model-supplied is set with textContent: never parsed as HTML.

/** Styling hooks: CSS custom properties (inherited through the shadow boundary) and ::part(). */
const STYLE = `
:host { all: initial; display: block; contain: content;
  font: var(--because-font, inherit); font-size: var(--because-font-size, 0.875em);
  line-height: var(--because-line-height, 1.4); color: var(--because-color, inherit); }
.box { margin: var(--because-margin, 0.5em 0 0); padding: var(--because-padding, 0);
  background: var(--because-background, transparent); border: var(--because-border, none);
  border-radius: var(--because-radius, 0); }
.text { margin: 0; }
.text[data-state="pending"]::before { content: "…"; color: var(--because-muted, GrayText); }
.controls { margin-top: 0.25em; font-size: 0.85em; color: var(--because-muted, GrayText); }
button { all: unset; cursor: pointer; color: var(--because-accent, inherit); text-decoration: underline; }
button:focus-visible { outline: 2px solid var(--because-focus, Highlight); outline-offset: 2px; }
.details { margin: 0.25em 0 0; padding: 0 0 0 1em; color: var(--because-muted, GrayText); }
.details[hidden] { display: none; }
.label { font-size: 0.85em; color: var(--because-muted, GrayText); }
`;

const sheets = new WeakMap<Document, CSSStyleSheet>();

/**
 * A constructed stylesheet shared by all reason roots: CSP's style-src does not govern it, so the
 * embed works under a policy without 'unsafe-inline' for styles. Falls back to a <style> element.
 */
function applyStyle(root: ShadowRoot | HTMLElement, doc: Document): void {
  const view = doc.defaultView as (Window & typeof globalThis) | null;
  if (view && 'adoptedStyleSheets' in root && typeof view.CSSStyleSheet === 'function' && 'replaceSync' in view.CSSStyleSheet.prototype) {
    try {
      let sheet = sheets.get(doc);
      if (!sheet) {
        sheet = new view.CSSStyleSheet();
        sheet.replaceSync(STYLE);
        sheets.set(doc, sheet);
      }
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return;
    } catch {
      // fall through to a <style> element
    }
  }
  const style = doc.createElement('style');
  style.textContent = STYLE;
  root.append(style);
}

export interface ReasonViewLabels {
  why: string;
  clear: string;
  separator: string;
  fallback: string;
}

export const DEFAULT_LABELS: ReasonViewLabels = {
  why: 'Why this?',
  clear: 'Clear my data',
  separator: ' · ',
  fallback: '(from item facts)',
};

export interface ReasonViewOptions {
  labels?: Partial<ReasonViewLabels>;
  /** "Clear my data" pressed. */
  onClear?: () => void;
  /** "Why this?" opened: return the lines to show (facts, ranking features). */
  onWhy?: () => string[];
}

export type RegionState = 'pending' | 'streaming' | 'done' | 'error';

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, className: string, part?: string): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  node.className = className;
  if (part) node.setAttribute('part', part);
  return node;
}

/** Renders one reason inside `root` (a shadow root or element the view owns). */
export class ReasonView {
  readonly status: HTMLElement;
  private readonly live: HTMLElement;
  private readonly details: HTMLElement;
  private readonly why: HTMLButtonElement;
  private readonly label: HTMLElement;
  private streamed = '';
  state: RegionState = 'pending';

  constructor(
    readonly host: HTMLElement,
    root: ShadowRoot | HTMLElement,
    private readonly options: ReasonViewOptions = {},
  ) {
    const doc = host.ownerDocument;
    const labels = { ...DEFAULT_LABELS, ...options.labels };
    const box = el(doc, 'div', 'box', 'reason');
    this.status = el(doc, 'p', 'text', 'text');
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.status.setAttribute('aria-atomic', 'true');
    this.status.setAttribute('aria-busy', 'true');
    this.status.dataset.state = 'pending';
    this.live = el(doc, 'span', 'stream');
    this.live.setAttribute('aria-hidden', 'true');
    this.status.append(this.live);
    this.label = el(doc, 'span', 'label', 'label');

    const controls = el(doc, 'div', 'controls', 'controls');
    this.why = el(doc, 'button', 'why', 'why');
    this.why.type = 'button';
    this.why.textContent = labels.why;
    this.why.setAttribute('aria-expanded', 'false');
    const clear = el(doc, 'button', 'clear', 'clear');
    clear.type = 'button';
    clear.textContent = labels.clear;
    controls.append(this.why, doc.createTextNode(labels.separator), clear);
    this.details = el(doc, 'ul', 'details', 'details');
    this.details.hidden = true;
    this.details.id = 'because-details';
    this.why.setAttribute('aria-controls', 'because-details');

    this.why.addEventListener('click', (event) => {
      event.preventDefault();
      this.toggleDetails();
    });
    clear.addEventListener('click', (event) => {
      event.preventDefault();
      this.options.onClear?.();
    });
    box.append(this.status, controls, this.details);
    applyStyle(root, doc);
    root.append(box);
    this.label.textContent = labels.fallback;
    this.setHostState('pending');
  }

  /** Shows the waiting state again (e.g. before a refresh). */
  reset(): void {
    this.streamed = '';
    this.status.replaceChildren(this.live);
    this.live.textContent = '';
    this.status.setAttribute('aria-busy', 'true');
    this.status.dataset.state = 'pending';
    this.setHostState('pending');
  }

  /** Appends a streamed piece; not announced (aria-hidden, aria-busy). */
  append(delta: string): void {
    if (typeof delta !== 'string' || delta === '') return;
    if (this.state === 'done') this.reset();
    this.streamed += delta;
    this.live.textContent = this.streamed;
    this.status.dataset.state = 'streaming';
    this.setHostState('streaming');
  }

  /** The final text: replaces the stream and is announced once. */
  finish(text: string, source: 'model' | 'fallback'): void {
    const final = typeof text === 'string' ? text : '';
    this.live.textContent = '';
    const nodes: Node[] = [this.host.ownerDocument.createTextNode(final)];
    if (source === 'fallback') nodes.push(this.host.ownerDocument.createTextNode(' '), this.label);
    this.status.replaceChildren(this.live, ...nodes);
    this.status.setAttribute('aria-busy', 'false');
    this.status.dataset.state = 'done';
    this.host.dataset.source = source;
    this.setHostState(final ? 'done' : 'error');
  }

  /** No reason could be made: the region stays, empty and quiet. */
  fail(): void {
    this.live.textContent = '';
    this.status.replaceChildren(this.live);
    this.status.setAttribute('aria-busy', 'false');
    this.status.dataset.state = 'error';
    this.setHostState('error');
  }

  /** The text currently shown (final or streamed). */
  get text(): string {
    return (this.status.textContent ?? '').trim();
  }

  private toggleDetails(): void {
    const open = this.details.hidden;
    if (open) {
      let lines: string[] = [];
      try {
        lines = this.options.onWhy?.() ?? [];
      } catch {
        lines = [];
      }
      this.details.replaceChildren(
        ...lines.map((line) => {
          const li = this.host.ownerDocument.createElement('li');
          li.textContent = line;
          return li;
        }),
      );
    }
    this.details.hidden = !open;
    this.why.setAttribute('aria-expanded', String(open));
  }

  private setHostState(state: RegionState): void {
    this.state = state;
    this.host.dataset.state = state;
  }
}

export const HOST_ATTRIBUTE = 'data-because-host';

/**
 * Mounts a reason under a card: a host element with an open shadow root, inside the card, or right
 * after it when the card is itself a link or button (a control inside a link would navigate).
 */
export function mountReason(card: HTMLElement, options: ReasonViewOptions = {}): ReasonView {
  const doc = card.ownerDocument;
  const host = doc.createElement('div');
  host.setAttribute(HOST_ATTRIBUTE, '');
  host.className = 'because-reason-host';
  const tag = card.tagName.toLowerCase();
  if (tag === 'a' || tag === 'button' || tag === 'label' || tag === 'summary') card.after(host);
  else card.append(host);
  const root = typeof host.attachShadow === 'function' ? host.attachShadow({ mode: 'open' }) : host;
  // Clicks on our controls are ours: they must not count as card clicks or follow the card's link.
  host.addEventListener('click', (event) => event.stopPropagation());
  return new ReasonView(host, root, options);
}
