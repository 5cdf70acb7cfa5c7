// The audit's pages: one visitor per page, with a history of a given size drawn (seeded) from the
// same catalog, and the page's items drawn from the rest, so no item is in its own history.
import type { HistoryEntry, Item, UserContext } from '../../src/types.ts';
import { hash32 } from '../eval/data.ts';
import { mulberry32 } from '../../src/core/random.ts';
import type { Catalog } from './catalogs.ts';

export interface Scenario {
  /** '<catalog>/history-<k>'. */
  name: string;
  catalog: string;
  domain: string;
  historySize: number;
  items: Item[];
  context: UserContext;
}

/** A seeded permutation (Fisher–Yates over mulberry32). */
export function shuffled<T>(values: readonly T[], seed: number): T[] {
  const out = [...values];
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function asHistory(item: Item): HistoryEntry {
  return { id: item.id, title: item.title, ...(item.attributes ? { attributes: item.attributes } : {}) };
}

/**
 * The page of `catalog` for a visitor with `historySize` entries: the catalog in a seeded order
 * (seed mixed with the catalog's and the size's names), the history first (oldest first), then up
 * to `limit` page items from what is left.
 */
export function buildScenario(catalog: Catalog, historySize: number, limit: number, seed: number): Scenario {
  if (historySize >= catalog.items.length) throw new Error(`catalog ${catalog.name} has ${catalog.items.length} items, too few for a ${historySize}-entry history`);
  const order = shuffled(catalog.items, hash32(`${catalog.name}/${historySize}`, seed));
  const history = order.slice(0, historySize).map(asHistory);
  const items = order.slice(historySize, historySize + limit);
  return {
    name: `${catalog.name}/history-${historySize}`,
    catalog: catalog.name,
    domain: catalog.domain,
    historySize,
    items,
    context: { domain: catalog.domain, history },
  };
}
