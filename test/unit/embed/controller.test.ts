// @vitest-environment happy-dom
// The embed controller with a fake engine: discovery → regions → streamed reasons; the visitor's
// history reaches the engine only with consent; clicks are recorded; no engine → labelled fallbacks.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readConfig } from '../../../src/embed/config.ts';
import { EmbedController } from '../../../src/embed/controller.ts';
import { Profile } from '../../../src/profile/index.ts';
import type { Explainer, Item, Reason, StreamChunk, UserContext } from '../../../src/types.ts';

class FakeExplainer implements Explainer {
  contexts: UserContext[] = [];
  async explain(items: readonly Item[], context: UserContext): Promise<Reason[]> {
    return items.map((i) => this.reason(i, context));
  }
  async *stream(item: Item, context: UserContext): AsyncIterable<StreamChunk> {
    this.contexts.push(JSON.parse(JSON.stringify(context)));
    yield { type: 'delta', text: 'Because ' };
    await new Promise((r) => setTimeout(r, 1));
    yield { type: 'reason', reason: this.reason(item, context) };
  }
  private reason(item: Item, context: UserContext): Reason {
    const seen = (context.history ?? []).map((h) => h.title).join('+') || 'nothing';
    return { itemId: item.id, text: `Because ${seen}: ${item.title}`, facts: [], source: 'model', backend: 'wasm', tokens: 2, ms: 1 };
  }
  async rank() {
    return [];
  }
  async info() {
    return { backend: 'wasm' as const, backendReason: 'fake', modelId: 'fake', dtype: 'q8' as const, modelLoaded: true };
  }
  async dispose() {}
}

const PAGE = `
  <div class="grid">
    <div id="a" data-because-item="a" data-title="Portal 2" data-attributes='{"tags":["Puzzle","Co-op"]}'><h3>Portal 2</h3></div>
    <div id="b" data-because-item="b" data-title="The Talos Principle" data-attributes='{"tags":["Puzzle"]}'><h3>Talos</h3>
      <button data-because-event="cart">Add</button></div>
    <div id="c" data-because-item="c" data-title="Racer" data-attributes='{"tags":["Racing"]}'><h3>Racer</h3></div>
  </div>`;

/** happy-dom has no layout: this observer reports every observed card as visible at once. */
class VisibleObserver {
  constructor(private readonly callback: IntersectionObserverCallback) {}
  observe(target: Element): void {
    queueMicrotask(() => this.callback([{ target, isIntersecting: true } as IntersectionObserverEntry], this as unknown as IntersectionObserver));
  }
  unobserve(): void {}
  disconnect(): void {}
}

let controller: EmbedController | null = null;
beforeEach(() => {
  vi.stubGlobal('IntersectionObserver', VisibleObserver);
});
afterEach(async () => {
  await controller?.dispose();
  controller = null;
  vi.unstubAllGlobals();
});

async function setup(consent: 'implied' | 'required', explainer: Explainer | null = new FakeExplainer()) {
  document.body.innerHTML = PAGE;
  const config = readConfig({ getAttribute: (n: string) => (n === 'data-consent' ? consent : null) }, 'https://cdn.example/because-embed.js');
  const profile = new Profile({ consent: config.consent, indexedDB: new IDBFactory() });
  controller = new EmbedController(document, config, explainer, profile);
  await controller.start();
  return { controller, profile, explainer };
}

async function settle(c: EmbedController): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    await new Promise((r) => setTimeout(r, 20));
    const all = c.reasons();
    if (all.length > 0 && all.every((r) => r.state === 'done' || r.state === 'error')) return;
  }
  throw new Error(`reasons did not settle: ${JSON.stringify(c.reasons())}`);
}

describe('EmbedController', () => {
  it('mounts one region per card and fills it from the stream', async () => {
    const { controller: c } = await setup('implied');
    await settle(c);
    expect(document.querySelectorAll('[data-because-host]')).toHaveLength(3);
    expect(c.reasons().map((r) => [r.key, r.state, r.text])).toEqual([
      ['a', 'done', 'Because nothing: Portal 2'],
      ['b', 'done', 'Because nothing: The Talos Principle'],
      ['c', 'done', 'Because nothing: Racer'],
    ]);
  });

  it('records card clicks (and marked cart buttons), then refreshes reasons with the relevant history', async () => {
    const { controller: c, profile, explainer } = await setup('implied');
    await settle(c);
    document.querySelector<HTMLElement>('#a h3')!.click();
    document.querySelector<HTMLElement>('#b button')!.click();
    await new Promise((r) => setTimeout(r, 50));
    const events = (await profile.export()).events.map((e) => [e.type, e.itemId]);
    expect(events).toEqual([
      ['click', 'a'],
      ['cart', 'b'],
    ]);
    await new Promise((r) => setTimeout(r, 400)); // debounced refresh
    await settle(c);
    const byKey = Object.fromEntries(c.reasons().map((r) => [r.key, r.text]));
    // Never the item itself in its own history; related items first.
    expect(byKey.a).toBe('Because The Talos Principle: Portal 2');
    expect(byKey.b).toBe('Because Portal 2: The Talos Principle');
    const contexts = (explainer as FakeExplainer).contexts;
    expect(contexts.at(-1)!.history!.every((h) => Object.keys(h).every((k) => k === 'title' || k === 'attributes'))).toBe(true);
    // Ranking now favours the puzzle games over the racer.
    expect(c.rank().at(-1)!.itemId).toBe('c');
  });

  it('consent required: clicks are not stored and the engine never sees a history until consent', async () => {
    const { controller: c, profile, explainer } = await setup('required');
    await settle(c);
    document.querySelector<HTMLElement>('#a h3')!.click();
    await new Promise((r) => setTimeout(r, 50));
    expect((await profile.export()).events).toEqual([]);
    expect((explainer as FakeExplainer).contexts.every((ctx) => ctx.history === undefined)).toBe(true);
    profile.consent.set(true);
    document.querySelector<HTMLElement>('#a h3')!.click();
    await new Promise((r) => setTimeout(r, 450));
    await settle(c);
    expect((await profile.export()).events).toHaveLength(1);
    expect(c.reasons().find((r) => r.key === 'b')!.text).toBe('Because Portal 2: The Talos Principle');
  });

  it('clicks on the reason controls are not card clicks', async () => {
    const { controller: c, profile } = await setup('implied');
    await settle(c);
    const host = document.querySelector('#a [data-because-host]') as HTMLElement;
    host.shadowRoot!.querySelector<HTMLButtonElement>('button.why')!.click();
    await new Promise((r) => setTimeout(r, 50));
    expect((await profile.export()).events).toEqual([]);
  });

  it('without an engine every card gets a labelled fallback from its facts', async () => {
    const { controller: c } = await setup('implied', null);
    await settle(c);
    for (const r of c.reasons()) {
      expect(r.source).toBe('fallback');
      expect(r.text).toMatch(/\(from item facts\)$/);
    }
  });

  it('finds cards added later by the page', async () => {
    const { controller: c } = await setup('implied');
    await settle(c);
    const extra = document.createElement('div');
    extra.setAttribute('data-because-item', 'd');
    extra.setAttribute('data-title', 'Late Game');
    document.querySelector('.grid')!.append(extra);
    await new Promise((r) => setTimeout(r, 400));
    await settle(c);
    expect(c.reasons().map((r) => r.key)).toContain('d');
  });
});
