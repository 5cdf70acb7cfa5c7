// The demo storefront: a grid of real Steam games, each with a reason streamed from the on-device
// model. "Played" / "Add to cart" build the visitor's history in localStorage; reasons then update.
import './style.css';
import { createExplainer } from '../index.ts';
import type { Explainer, Item, UserContext } from '../types.ts';
import { Card } from './card.ts';
import { loadCatalog, toItem, type Game } from './catalog.ts';
import { must } from './dom.ts';
import { HistoryStore, type Action } from './history.ts';
import { readOptions, withDevice, type DeviceChoice } from './options.ts';
import { ReasonRunner } from './runner.ts';
import { StatusLine } from './status.ts';

const DOMAIN = 'game';

async function main(): Promise<void> {
  const options = readOptions(location.href);
  const status = new StatusLine(must<HTMLElement>(document, '#status'));
  const grid = must<HTMLElement>(document, '#grid');
  const historyLine = must<HTMLElement>(document, '#history');
  wireDeviceToggle(options.device);

  const games = await loadCatalog(options.catalogUrl, options.limit);
  const history = new HistoryStore();
  const cards = new Map<string, Card>();
  const onAction = (id: string, action: Action): void => history.toggle(id, action);
  for (const game of games) {
    const card = new Card(game, onAction);
    cards.set(game.id, card);
    grid.append(card.root);
  }

  const explainer: Explainer = createExplainer({
    // ORT's .wasm/.mjs: the engine's default, bundled beside the worker (same origin, never a CDN).
    device: options.device,
    ...(options.modelUrl ? { model: options.modelUrl } : {}),
    ...(options.maxNewTokens ? { maxNewTokens: options.maxNewTokens } : {}),
    onProgress: (event) => status.progress(event),
  });
  // Exposed for the e2e tests and the benchmark page.
  Object.assign(window, { because: { explainer, games } });

  const runner = new ReasonRunner(explainer, status, (run) => {
    document.body.dataset.runsDone = String(run);
  });
  void explainer.info().then((info) => status.setInfo(info), (error: unknown) => status.fail(String(error)));

  const refresh = async (): Promise<void> => {
    const context: UserContext = { domain: DOMAIN, history: history.entries(games) };
    const owned = history.ids();
    for (const card of cards.values()) card.setActions(history.has(card.game.id, 'played'), history.has(card.game.id, 'cart'));
    renderHistory(historyLine, context);
    const targets: { card: Card; item: Item }[] = [];
    const ranked = await order(explainer, games, context);
    // Games to discover first (in ranking order), then the visitor's own games.
    for (const game of [...ranked.filter((g) => !owned.has(g.id)), ...ranked.filter((g) => owned.has(g.id))]) {
      const card = cards.get(game.id);
      if (!card) continue;
      grid.append(card.root); // re-appending moves it: the grid follows the ranking
      if (owned.has(game.id)) card.inHistory();
      else targets.push({ card, item: toItem(game) });
    }
    await runner.run(targets, context);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  history.onChange(() => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 250); // several quick clicks become one run
  });
  must<HTMLButtonElement>(document, '#clear').addEventListener('click', () => history.clear());
  window.addEventListener('pagehide', () => void explainer.dispose());
  await refresh();
}

/** Best first for this visitor when there is a history; catalog order otherwise (or if ranking fails). */
async function order(explainer: Explainer, games: readonly Game[], context: UserContext): Promise<readonly Game[]> {
  if (!context.history?.length) return games;
  try {
    const ranked = await explainer.rank(games.map(toItem), context);
    const byId = new Map(games.map((g) => [g.id, g]));
    const out = ranked.map((r) => byId.get(r.itemId)).filter((g): g is Game => g !== undefined);
    return out.length === games.length ? out : games;
  } catch (error) {
    console.warn('because demo: ranking unavailable, keeping catalog order', error);
    return games;
  }
}

function renderHistory(node: HTMLElement, context: UserContext): void {
  const titles = (context.history ?? []).map((h) => h.title);
  node.textContent = titles.length > 0
    ? `Your history (on this device only): ${titles.join(', ')}`
    : 'Your history is empty: mark games as played or add them to the cart.';
}

function wireDeviceToggle(current: DeviceChoice): void {
  const select = must<HTMLSelectElement>(document, '#device');
  select.value = current;
  select.addEventListener('change', () => {
    location.assign(withDevice(location.href, select.value as DeviceChoice));
  });
}

main().catch((error: unknown) => {
  const node = document.querySelector<HTMLElement>('#status');
  if (node) {
    node.textContent = `The demo failed to start: ${error instanceof Error ? error.message : String(error)}`;
    node.dataset.error = 'true';
  }
  console.error(error);
});
