// <because-reason item="sku-123"></because-reason>: for stores that place reasons themselves. The
// element renders the reason of the page item with that id (found by discovery), or of the item it
// describes itself with data-title / data-attributes / data-description (like data-because-item).
import { ReasonView, type ReasonViewOptions } from './mount.ts';

export const ELEMENT_NAME = 'because-reason';

/** What the embed controller does with an element (set by the controller; elements wait for it). */
export interface ElementConnector {
  connect(element: BecauseReasonElement): void;
  disconnect(element: BecauseReasonElement): void;
}

let connector: ElementConnector | null = null;
const waiting = new Set<BecauseReasonElement>();

export function setElementConnector(next: ElementConnector | null): void {
  connector = next;
  if (next) for (const element of [...waiting]) next.connect(element);
}

/** Base class resolved lazily so that importing this module never fails where HTMLElement is missing. */
const Base = (typeof HTMLElement !== 'undefined' ? HTMLElement : class {}) as typeof HTMLElement;

export class BecauseReasonElement extends Base {
  private reasonView: ReasonView | null = null;

  /** The id of the page item this element explains. */
  get itemId(): string {
    return (this.getAttribute('item') ?? '').trim();
  }

  /** Creates the view once; the controller passes the callbacks. */
  view(options: ReasonViewOptions = {}): ReasonView {
    if (!this.reasonView) {
      const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      this.reasonView = new ReasonView(this, root, options);
    }
    return this.reasonView;
  }

  connectedCallback(): void {
    this.addEventListener('click', stop);
    if (connector) connector.connect(this);
    else waiting.add(this);
  }

  disconnectedCallback(): void {
    waiting.delete(this);
    connector?.disconnect(this);
  }
}

function stop(event: Event): void {
  event.stopPropagation();
}

/** Registers <because-reason> once (a second embed script on the page must not throw). */
export function defineElement(registry: CustomElementRegistry | undefined = globalThis.customElements): boolean {
  if (!registry || registry.get(ELEMENT_NAME)) return false;
  try {
    registry.define(ELEMENT_NAME, BecauseReasonElement);
    return true;
  } catch {
    return false;
  }
}
