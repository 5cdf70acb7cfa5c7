// because-embed.js: one script tag gives a storefront reasons under its product cards.
//   <script type="module" src="https://cdn.example/because/because-embed.js"
//           data-model="./models/because-reason-v2" data-consent="required"></script>
// Exposes `window.because` (consent, profile, explainer, ...). See docs/integration.md.
import { ModelLoadError } from '../errors.ts';
import { Profile } from '../profile/index.ts';
import type { ProfileExport } from '../profile/store.ts';
import type { Explainer, ExplainerOptions, HistoryEntry, Item, ProgressEvent, RankedItem } from '../types.ts';
import { type EmbedConfig, findScript, readConfig } from './config.ts';
import { EmbedController, type ReasonSnapshot } from './controller.ts';
import type { DiscoveredItem } from './discover.ts';
import { defineElement } from './element.ts';
import { LazyExplainer } from './lazy-explainer.ts';
import { createLoadGate } from './load-gate.ts';

export type ItemRef = string | { id?: string; title?: string; attributes?: Item['attributes'] };

export interface BecauseProfileApi {
  view(item: ItemRef): Promise<boolean>;
  click(item: ItemRef): Promise<boolean>;
  addToCart(item: ItemRef): Promise<boolean>;
  purchase(item: ItemRef): Promise<boolean>;
  rate(item: ItemRef, stars: number): Promise<boolean>;
  history(): Promise<HistoryEntry[]>;
  export(): Promise<ProfileExport>;
  clear(): Promise<void>;
}

export interface BecauseApi {
  version: string;
  /** Resolves once the page's items are found and their regions mounted. */
  ready: Promise<void>;
  /** `consent(true)` grants, `consent(false)` withdraws (and deletes the profile); no argument reads. */
  consent(granted?: boolean): boolean;
  profile: BecauseProfileApi;
  /** The engine (null when no worker could start; reasons are then labelled fallbacks). */
  explainer: Explainer | null;
  config: Readonly<EmbedConfig>;
  items(): DiscoveredItem[];
  reasons(): ReasonSnapshot[];
  rank(): RankedItem[];
  /** Looks for new cards and re-explains (after a client-side page change, say). */
  refresh(): Promise<void>;
  status(): { progress: ProgressEvent | null; error: string | null };
  dispose(): Promise<void>;
}

declare global {
  interface Window {
    because?: BecauseApi;
  }
}

const VERSION = '0.1.0';

function domReady(doc: Document): Promise<void> {
  if (doc.readyState !== 'loading') return Promise.resolve();
  return new Promise((resolve) => doc.addEventListener('DOMContentLoaded', () => resolve(), { once: true }));
}

function boot(): BecauseApi | undefined {
  if (typeof window === 'undefined' || typeof document === 'undefined') return undefined;
  if (window.because) return window.because; // the script was included twice
  const scriptUrl = import.meta.url;
  const config = readConfig(findScript(document, scriptUrl), scriptUrl);
  const profile = new Profile({ consent: config.consent });
  let progress: ProgressEvent | null = null;
  let startError: string | null = null;

  const options: ExplainerOptions = { model: config.model, onProgress: (event) => (progress = event) };
  if (config.device) options.device = config.device;
  if (config.dtype) options.dtype = config.dtype;
  if (config.maxNewTokens) options.maxNewTokens = config.maxNewTokens;
  if (config.wasmPaths) options.wasmPaths = config.wasmPaths;
  // Nothing is fetched before the gate opens (page idle after load, or a card scrolled into view).
  const gate = createLoadGate(window);
  const lazy = new LazyExplainer(async () => (await import('./worker.ts')).startWorkerExplainer(options));
  void gate.opened.then(() => {
    performance.mark('because:gate-open'); // scripts/bench/warm-phases.ts: where a visit's time goes
    return lazy.start().then(
      async (engine) => {
        // A model that cannot load leaves every card with a labelled fallback: say so, with the URL.
        const info = await engine.info().catch(() => null);
        if (!info || info.modelLoaded) return;
        const error = new ModelLoadError(`Because: the model at ${config.model}/ could not load; reasons are template fallbacks. ${info.backendReason}`, { file: config.model });
        startError = error.message;
        console.error(error);
      },
      (error: unknown) => {
        // e.g. a CSP without `worker-src blob:` for a CDN-hosted script: labelled fallbacks only.
        startError = `worker could not start: ${String((error as Error)?.message ?? error)}`;
      },
    );
  });
  const controller = new EmbedController(document, config, lazy, profile, gate);
  defineElement();

  const resolve = (ref: ItemRef): ItemRef =>
    typeof ref === 'string' ? (controller.findItem(ref) ?? { id: ref, title: '' }) : ref;
  const record = (type: 'view' | 'click' | 'cart' | 'purchase', ref: ItemRef) => profile.record(type, resolve(ref) as Item);

  const api: BecauseApi = {
    version: VERSION,
    ready: domReady(document).then(() => controller.start()),
    consent(granted?: boolean): boolean {
      if (granted === undefined) return profile.consent.granted;
      return profile.consent.set(granted);
    },
    profile: {
      view: (ref) => record('view', ref),
      click: (ref) => record('click', ref),
      addToCart: (ref) => record('cart', ref),
      purchase: (ref) => record('purchase', ref),
      rate: (ref, stars) => profile.rate(resolve(ref) as Item, stars),
      history: () => profile.history(),
      export: () => profile.export(),
      clear: () => profile.clear(),
    },
    get explainer() {
      return lazy.error === null ? lazy : null;
    },
    config,
    items: () => controller.items(),
    reasons: () => controller.reasons(),
    rank: () => controller.rank(),
    refresh: async () => {
      gate.open('api'); // an explicit request: no reason to wait for idle
      controller.scan();
      await controller.refresh();
    },
    status: () => ({ progress, error: startError ?? controller.lastError }),
    dispose: () => {
      gate.dispose();
      return controller.dispose();
    },
  };
  api.ready.catch((error: unknown) => {
    startError = `start failed: ${String(error)}`;
  });
  Object.defineProperty(window, 'because', { value: Object.freeze(api), configurable: true, enumerable: false, writable: false });
  return api;
}

export const because = boot();
