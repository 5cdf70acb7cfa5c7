// The embed's runtime on a storefront page: discovers items, mounts a reason region per card (or
// uses <because-reason> elements), explains the cards that are visible, records card clicks in the
// on-device profile, and refreshes reasons when the profile or consent changes. Never throws into
// the page: every failure degrades to a labelled fallback or an empty, quiet region. One job (the
// regions' life on a changing page); what needs no page state is in regions.ts and page-events.ts.
import type { Profile } from '../profile/index.ts';
import { rankItems } from '../core/rank.ts';
import type { Explainer, HistoryEntry, Item, RankedItem, Reason, UserContext } from '../types.ts';
import type { EmbedConfig } from './config.ts';
import { type DiscoveredItem, discoverItems } from './discover.ts';
import { type BecauseReasonElement, ELEMENT_NAME, setElementConnector } from './element.ts';
import type { LoadGate } from './load-gate.ts';
import { mountReason, type ReasonViewOptions } from './mount.ts';
import { clickedCard, reorderSiblings, touchesCards } from './page-events.ts';
import { announce, inlineEntry, newRegion, promptContext, type ReasonSnapshot, type Region, snapshot, uniqueKey } from './regions.ts';
import { whyLines } from './why.ts';

export type { ReasonSnapshot } from './regions.ts';

/** Streams started at once; the engine's scheduler batches them into few generate calls. */
const MAX_CONCURRENT = 24;
/** History entries kept for ranking. */
const RANK_HISTORY = 50;
export class EmbedController {
  private readonly slots = new Map<string, Region>();
  private readonly byTarget = new WeakMap<Element, Region>();
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
      const key = uniqueKey(entry.key, this.slots);
      const slot = newRegion({ ...entry, key, item: { ...entry.item, id: key } });
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
    return [...this.slots.values()].map(snapshot);
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

  private viewOptions(slot: Region): ReasonViewOptions {
    return {
      onClear: () => void this.profile.clear().catch(() => undefined),
      onWhy: () => whyLines(slot.reason, this.ranking.get(slot.entry.key), this.personal()),
    };
  }

  private mountOnCard(slot: Region, card: HTMLElement): void {
    try {
      const view = mountReason(card, this.viewOptions(slot));
      slot.view = view;
      slot.host = view.host;
      this.watch(slot, card);
    } catch (error) {
      this.lastError = `mount failed: ${String(error)}`;
    }
  }

  private watch(slot: Region, target: Element): void {
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

  private claimedByElement(slot: Region): boolean {
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
  private inlineItem(el: BecauseReasonElement, id: string): Region | undefined {
    const entry = inlineEntry(el, id, uniqueKey(id || `el-${this.slots.size + 1}`, this.slots, id || 'el'), this.config.domain);
    if (!entry) return undefined;
    const slot = newRegion(entry);
    this.slots.set(entry.key, slot);
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
    return promptContext(entry, this.personal() ? this.history : []);
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
    const score = (s: Region): number => this.ranking.get(s.entry.key)?.score ?? 0;
    waiting.sort((a, b) => score(b) - score(a));
    for (const slot of waiting.slice(0, Math.max(0, MAX_CONCURRENT - this.running))) void this.run(slot);
  }

  private async run(slot: Region): Promise<void> {
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
        announce(slot, final, this.doc);
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
    const keyOf = new Map<HTMLElement, string>();
    for (const slot of this.slots.values()) if (slot.entry.element) keyOf.set(slot.entry.element, slot.entry.key);
    reorderSiblings([...keyOf.keys()], (card) => this.ranking.get(keyOf.get(card) ?? '')?.score ?? 0);
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
      const hit = clickedCard(event.composedPath(), (el) => this.byTarget.get(el));
      if (hit) void this.profile.record(hit.type, { ...hit.card.entry.item, id: hit.card.entry.storeId }).catch(() => undefined);
    } catch {
      // recording is best effort
    }
  };

  private onMutations(records: MutationRecord[]): void {
    if (!touchesCards(records) || this.scanTimer !== null) return;
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
