// The embed's runtime on a storefront page: discovers items, mounts a reason region per card (or
// uses <because-reason> elements), explains the cards that are visible, records card clicks in the
// on-device profile, and refreshes reasons when the profile or consent changes. Never throws into
// the page: every failure degrades to a labelled fallback or an empty, quiet region.
import type { Profile } from '../profile/index.ts';
import { rankItems, relevantHistory } from '../core/rank.ts';
import type { Explainer, HistoryEntry, Item, RankedItem, Reason, UserContext } from '../types.ts';
import type { EmbedConfig } from './config.ts';
import { type DiscoveredItem, discoverItems } from './discover.ts';
import { type BecauseReasonElement, ELEMENT_NAME, setElementConnector } from './element.ts';
import type { LoadGate } from './load-gate.ts';
import { HOST_ATTRIBUTE, mountReason, type ReasonView, type ReasonViewOptions } from './mount.ts';
import { whyLines } from './why.ts';

/** Streams started at once; the engine's scheduler batches them into few generate calls. */
const MAX_CONCURRENT = 24;
/** History entries per prompt (the prompt keeps 8) and kept for ranking. */
const PROMPT_HISTORY = 8;
const RANK_HISTORY = 50;
const MARKED_EVENTS: Record<string, 'click' | 'cart' | 'purchase' | 'view'> = {
  click: 'click',
  view: 'view',
  cart: 'cart',
  'add-to-cart': 'cart',
  purchase: 'purchase',
  buy: 'purchase',
};

interface Slot {
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

export class EmbedController {
  private readonly slots = new Map<string, Slot>();
  private readonly byTarget = new WeakMap<Element, Slot>();
  private readonly pendingElements = new Set<BecauseReasonElement>();
  private generation = 0;
  private running = 0;
  private history: HistoryEntry[] = [];
  private ranking = new Map<string, RankedItem>();
  private observer: IntersectionObserver | null = null;
  private mutations: MutationObserver | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private scanTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  /** The last failure, for `because.status()` (never logged as a console error). */
  lastError: string | null = null;

  constructor(
    private readonly doc: Document,
    private readonly config: EmbedConfig,
    readonly explainer: Explainer | null,
    readonly profile: Profile,
    /** No reason starts (so nothing is fetched) until it opens; none: at once. */
    private readonly gate: LoadGate | null = null,
  ) {
    void gate?.opened.then(() => this.scheduleFlush());
  }

  async start(): Promise<void> {
    if (typeof IntersectionObserver !== 'undefined') {
      this.observer = new IntersectionObserver((entries) => this.onIntersect(entries), { rootMargin: '200px 0px' });
    }
    await this.loadHistory();
    setElementConnector({ connect: (el) => this.connectElement(el), disconnect: (el) => this.disconnectElement(el) });
    if (this.config.auto) this.scan();
    if (this.config.reorder) this.reorder();
    this.doc.addEventListener('click', this.onClick, true);
    this.profile.onChange(() => this.onProfileChange());
    if (this.config.auto && typeof MutationObserver !== 'undefined' && this.doc.body) {
      this.mutations = new MutationObserver((records) => this.onMutations(records));
      this.mutations.observe(this.doc.body, { childList: true, subtree: true });
    }
    // A page showing exactly one item is that item's page: a view.
    if (this.slots.size === 1) void this.profile.view([...this.slots.values()][0]!.entry.item).catch(() => undefined);
  }

  /** Finds new cards (also after the page changed), mounts their regions, watches them. */
  scan(): void {
    let found: DiscoveredItem[] = [];
    try {
      found = discoverItems(this.doc, { defaultDomain: this.config.domain }).items;
    } catch (error) {
      this.lastError = `discovery failed: ${String(error)}`;
    }
    for (const entry of found) {
      if (entry.element ? this.byTarget.has(entry.element) : this.slots.has(entry.key)) continue;
      let key = entry.key;
      for (let n = 2; this.slots.has(key); n += 1) key = `${entry.key}~${n}`;
      const slot: Slot = { entry: { ...entry, key, item: { ...entry.item, id: key } }, view: null, target: null, host: null, visible: false, observed: false, done: -1, running: null };
      this.slots.set(key, slot);
      if (entry.element && !this.claimedByElement(slot)) this.mountOnCard(slot, entry.element);
    }
    for (const el of [...this.pendingElements]) this.connectElement(el);
    this.rerank();
    this.scheduleFlush();
  }

  /** Re-explains everything visible (e.g. after consent or profile changes). */
  async refresh(): Promise<void> {
    await this.loadHistory();
    this.generation += 1;
    for (const slot of this.slots.values()) slot.running?.abort();
    this.rerank();
    this.scheduleFlush();
  }

  rank(): RankedItem[] {
    return [...this.ranking.values()].sort((a, b) => b.score - a.score);
  }

  items(): DiscoveredItem[] {
    return [...this.slots.values()].map((s) => s.entry);
  }

  /** The store's item for an id (key or store id), for `because.profile.addToCart('sku-1')`. */
  findItem(id: string): Item | undefined {
    const slot = this.slots.get(id) ?? [...this.slots.values()].find((s) => s.entry.storeId === id);
    return slot ? { ...slot.entry.item, id: slot.entry.storeId } : undefined;
  }

  reasons(): ReasonSnapshot[] {
    return [...this.slots.values()].map((s) => {
      const snapshot: ReasonSnapshot = {
        key: s.entry.key,
        storeId: s.entry.storeId,
        title: s.entry.item.title,
        state: s.view?.state ?? 'none',
        text: s.view?.text ?? '',
        placed: !s.view ? 'none' : s.host ? 'card' : 'element',
      };
      if (s.reason) snapshot.source = s.reason.source;
      return snapshot;
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const slot of this.slots.values()) slot.running?.abort();
    this.observer?.disconnect();
    this.mutations?.disconnect();
    this.doc.removeEventListener('click', this.onClick, true);
    setElementConnector(null);
    await this.explainer?.dispose().catch(() => undefined);
  }

  // ------------------------------------------------------------ placement

  private viewOptions(slot: Slot): ReasonViewOptions {
    return {
      onClear: () => void this.profile.clear().catch(() => undefined),
      onWhy: () => whyLines(slot.reason, this.ranking.get(slot.entry.key), this.personal()),
    };
  }

  private mountOnCard(slot: Slot, card: HTMLElement): void {
    try {
      const view = mountReason(card, this.viewOptions(slot));
      slot.view = view;
      slot.host = view.host;
      this.watch(slot, card);
    } catch (error) {
      this.lastError = `mount failed: ${String(error)}`;
    }
  }

  private watch(slot: Slot, target: Element): void {
    if (slot.target) {
      this.observer?.unobserve(slot.target);
      this.byTarget.delete(slot.target);
    }
    slot.target = target;
    slot.observed = false;
    this.byTarget.set(target, slot);
    if (this.observer) this.observer.observe(target);
    else slot.visible = true; // no IntersectionObserver: everything counts as visible
  }

  private claimedByElement(slot: Slot): boolean {
    for (const el of Array.from(this.doc.querySelectorAll(ELEMENT_NAME))) {
      const id = (el.getAttribute('item') ?? '').trim();
      if (id && (id === slot.entry.key || id === slot.entry.storeId)) return true;
    }
    return false;
  }

  private connectElement(el: BecauseReasonElement): void {
    if (this.disposed) return;
    const id = el.itemId;
    let slot = id ? (this.slots.get(id) ?? [...this.slots.values()].find((s) => s.entry.storeId === id)) : undefined;
    if (!slot) slot = this.inlineItem(el, id);
    if (!slot) {
      this.pendingElements.add(el); // its item may appear with the next scan
      return;
    }
    this.pendingElements.delete(el);
    if (slot.target === el) return;
    slot.host?.remove();
    slot.host = null;
    slot.view = el.view(this.viewOptions(slot));
    slot.done = -1;
    this.watch(slot, el);
    this.scheduleFlush();
  }

  /** <because-reason data-title="…" data-attributes='{…}'> describes its own item. */
  private inlineItem(el: BecauseReasonElement, id: string): Slot | undefined {
    const title = (el.getAttribute('data-title') ?? '').trim();
    if (!title) return undefined;
    let attributes: Item['attributes'] = {};
    try {
      const parsed: unknown = JSON.parse(el.getAttribute('data-attributes') ?? '{}');
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) attributes = parsed as Item['attributes'];
    } catch {
      attributes = {};
    }
    let key = id || `el-${this.slots.size + 1}`;
    for (let n = 2; this.slots.has(key); n += 1) key = `${id || 'el'}~${n}`;
    const item: Item = { id: key, title: title.slice(0, 300), attributes };
    const description = el.getAttribute('data-description');
    if (description) item.description = description.slice(0, 1000);
    const domain = (el.getAttribute('data-domain') ?? this.config.domain).toLowerCase().slice(0, 16);
    const slot: Slot = {
      entry: { key, item, storeId: id || key, domain, element: null, source: 'data' },
      view: null,
      target: null,
      host: null,
      visible: false,
      observed: false,
      done: -1,
      running: null,
    };
    this.slots.set(key, slot);
    this.rerank();
    return slot;
  }

  private disconnectElement(el: BecauseReasonElement): void {
    this.pendingElements.delete(el);
    const slot = this.byTarget.get(el);
    if (!slot) return;
    slot.running?.abort();
    this.observer?.unobserve(el);
    this.byTarget.delete(el);
    slot.target = null;
    slot.view = null;
  }

  // ------------------------------------------------------------ explaining

  private personal(): boolean {
    return this.profile.consent.granted && this.history.length > 0;
  }

  private contextFor(entry: DiscoveredItem): UserContext {
    const context: UserContext = { domain: entry.domain };
    if (!this.personal()) return context;
    const others = this.history.filter((h) => h.id !== entry.storeId);
    const history = relevantHistory(entry.item, others, PROMPT_HISTORY);
    if (history.length > 0) context.history = history.map(({ title, attributes }) => (attributes ? { title, attributes } : { title }));
    return context;
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null || this.disposed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, 16);
  }

  /** Starts reasons for visible cards that lack a current one, best-ranked first. */
  private flush(): void {
    if (this.gate && !this.gate.isOpen) return;
    const waiting = [...this.slots.values()].filter((s) => s.view && s.visible && !s.running && s.done !== this.generation);
    const score = (s: Slot): number => this.ranking.get(s.entry.key)?.score ?? 0;
    waiting.sort((a, b) => score(b) - score(a));
    for (const slot of waiting.slice(0, Math.max(0, MAX_CONCURRENT - this.running))) void this.run(slot);
  }

  private async run(slot: Slot): Promise<void> {
    const view = slot.view;
    if (!view) return;
    const generation = this.generation;
    const abort = new AbortController();
    slot.running = abort;
    this.running += 1;
    const context = this.contextFor(slot.entry);
    view.reset();
    let final: Reason | undefined;
    try {
      if (!this.explainer) final = await this.localFallback(slot.entry.item, context, 'model-unavailable');
      else {
        for await (const chunk of this.explainer.stream(slot.entry.item, context, { signal: abort.signal })) {
          if (generation !== this.generation || abort.signal.aborted) break;
          if (chunk.type === 'delta') view.append(chunk.text);
          else final = chunk.reason;
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) {
        this.lastError = String((error as Error)?.message ?? error);
        final = await this.localFallback(slot.entry.item, context, 'model-unavailable');
      }
    } finally {
      slot.running = null;
      this.running -= 1;
    }
    if (generation === this.generation && !abort.signal.aborted && slot.view === view) {
      if (final && final.text) {
        slot.reason = final;
        view.finish(final.text, final.source);
        this.emit(slot, final);
      } else view.fail();
      slot.done = generation;
    }
    this.scheduleFlush();
  }

  /** The engine could not answer at all (no worker, crashed): a labelled fallback from real facts. */
  private async localFallback(item: Item, context: UserContext, why: string): Promise<Reason | undefined> {
    try {
      // Loaded only when needed: the grounding module is most of the page script's weight otherwise.
      const { templateFallback } = await import('../core/fallback.ts');
      return templateFallback(item, context, why, 'wasm');
    } catch {
      return undefined; // not even that chunk could load: the region shows its quiet error state
    }
  }

  private emit(slot: Slot, reason: Reason): void {
    try {
      const detail = { key: slot.entry.key, storeId: slot.entry.storeId, text: reason.text, source: reason.source };
      (slot.target ?? this.doc).dispatchEvent(new CustomEvent('because:reason', { detail, bubbles: true }));
    } catch {
      // an event is a courtesy; never fail a reason for it
    }
  }

  // ------------------------------------------------------------ profile, ranking, page changes

  private async loadHistory(): Promise<void> {
    try {
      this.history = await this.profile.history({ max: RANK_HISTORY });
    } catch (error) {
      this.history = [];
      this.lastError = `profile unavailable: ${String(error)}`;
    }
  }

  private rerank(): void {
    try {
      const ranked = rankItems(
        [...this.slots.values()].map((s) => s.entry.item),
        this.personal() ? { history: this.history } : {},
      );
      this.ranking = new Map(ranked.map((r) => [r.itemId, r]));
    } catch {
      this.ranking = new Map();
    }
  }

  /** Reorders sibling cards best-first (opt-in, once at start: never while the visitor reads). */
  private reorder(): void {
    const groups = new Map<Element, Slot[]>();
    for (const slot of this.slots.values()) {
      const parent = slot.entry.element?.parentElement;
      if (parent) groups.set(parent, [...(groups.get(parent) ?? []), slot]);
    }
    for (const [parent, slots] of groups) {
      if (slots.length < 2) continue;
      const score = (s: Slot): number => this.ranking.get(s.entry.key)?.score ?? 0;
      const anchor = slots[slots.length - 1]!.entry.element!.nextSibling;
      for (const slot of [...slots].sort((a, b) => score(b) - score(a))) parent.insertBefore(slot.entry.element!, anchor);
    }
  }

  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  private onProfileChange(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, 300);
  }

  private readonly onClick = (event: Event): void => {
    try {
      const path = event.composedPath();
      let type: 'click' | 'cart' | 'purchase' | 'view' = 'click';
      for (const node of path) {
        if (!(node instanceof Element)) continue;
        if (node.hasAttribute(HOST_ATTRIBUTE) || node.localName === ELEMENT_NAME) return; // our own controls
        const marked = node.getAttribute('data-because-event');
        if (marked && MARKED_EVENTS[marked.toLowerCase()] && type === 'click') type = MARKED_EVENTS[marked.toLowerCase()]!;
        const slot = this.byTarget.get(node);
        if (slot) {
          const item = { ...slot.entry.item, id: slot.entry.storeId };
          void this.profile.record(type, item).catch(() => undefined);
          return;
        }
      }
    } catch {
      // recording is best effort
    }
  };

  private onMutations(records: MutationRecord[]): void {
    const ours = (node: Node): boolean => node instanceof Element && (node.hasAttribute(HOST_ATTRIBUTE) || node.localName === ELEMENT_NAME);
    const relevant = records.some((r) => [...Array.from(r.addedNodes), ...Array.from(r.removedNodes)].some((n) => n.nodeType === 1 && !ours(n)));
    if (!relevant || this.scanTimer !== null) return;
    this.scanTimer = setTimeout(() => {
      this.scanTimer = null;
      this.prune();
      this.scan();
    }, 300);
  }

  /** Forgets cards that left the page. */
  private prune(): void {
    for (const [key, slot] of this.slots) {
      const el = slot.entry.element;
      if (el && !el.isConnected) {
        slot.running?.abort();
        if (slot.target) this.observer?.unobserve(slot.target);
        this.slots.delete(key);
      }
    }
  }

  private onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const slot = this.byTarget.get(entry.target);
      if (!slot) continue;
      slot.visible = entry.isIntersecting;
      // A card that comes into view after its first report was scrolled (or laid out) into view: start now.
      if (entry.isIntersecting && slot.observed) this.gate?.open('scroll');
      slot.observed = true;
    }
    this.scheduleFlush();
  }
}
