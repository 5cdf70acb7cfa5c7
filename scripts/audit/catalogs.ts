// The catalogs the audit builds pages from (the demo's Steam games and the untrained-domain test
// catalogs under test/fixtures/catalogs/), and every title of every catalog we have, which a shown
// reason may only name when it is the item's or the visitor's history's.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCatalog, toItem } from '../../src/demo/catalog.ts';
import { collectNodes, nodeToItem } from '../../src/embed/schema-org.ts';
import type { Item } from '../../src/types.ts';

export interface Catalog {
  /** Short name used in scenario names ('steam-demo', 'musical-instruments', ...). */
  name: string;
  /** The prompt domain the page passes (the demo's 'game'; schema.org's mapping for the others). */
  domain: string;
  items: Item[];
  /** Where the catalog comes from (its SOURCE.md). */
  source: string;
}

export const DEMO_CATALOG = 'public/demo/catalog.json';
export const TEST_CATALOGS = 'test/fixtures/catalogs';

/** The demo storefront's games as the demo passes them (src/demo/catalog.ts toItem). */
export function demoCatalog(root: string): Catalog {
  const games = parseCatalog(JSON.parse(readFileSync(join(root, DEMO_CATALOG), 'utf8')));
  return { name: 'steam-demo', domain: 'game', items: games.map(toItem), source: 'public/demo/SOURCE.md' };
}

/**
 * A schema.org JSON-LD document as the embed reads it: every explainable node mapped by nodeToItem.
 * The domain is the one the mapping gives (all nodes of one catalog must agree).
 */
export function schemaOrgCatalog(name: string, json: unknown, source: string): Catalog {
  const items: Item[] = [];
  const domains = new Set<string>();
  for (const node of collectNodes(json)) {
    const mapped = nodeToItem(node);
    if (!mapped) continue;
    const { domain, ...item } = mapped;
    domains.add(domain);
    items.push({ ...item, id: item.id || `${name}-${items.length}` });
  }
  if (items.length === 0) throw new Error(`catalog ${name}: no schema.org item in it`);
  if (domains.size !== 1) throw new Error(`catalog ${name}: mixes domains ${[...domains].join(', ')}`);
  return { name, domain: [...domains][0]!, items, source };
}

/** Every `*.json` catalog under test/fixtures/catalogs/, sorted by name. */
export function testCatalogs(root: string): Catalog[] {
  const dir = join(root, TEST_CATALOGS);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => schemaOrgCatalog(f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, f), 'utf8')), `${TEST_CATALOGS}/SOURCE.md`));
}

function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

function titlesOfPairs(rows: unknown[], out: Set<string>): void {
  for (const row of rows) {
    const r = row as { item?: { title?: unknown }; user?: { history?: { title?: unknown }[] } };
    if (typeof r.item?.title === 'string') out.add(r.item.title);
    for (const h of r.user?.history ?? []) if (typeof h?.title === 'string') out.add(h.title);
  }
}

export interface TitleSources {
  /** Prepared training data folder (train/valid/test/xrec_test.jsonl), if any. */
  data?: string;
  /** ../shared/data, for the LLMXRec Steam catalog. */
  shared?: string;
}

/**
 * Every title we know of, with where each group came from: the catalogs given, the UCSD Steam catalog
 * (../shared/data/llmxrec-rec-reasons/catalog), the prepared data's items and histories (MovieLens,
 * MIND, Steam, books, businesses: what the model may have memorized) and the committed fixtures.
 * Missing sources are skipped and reported as such.
 */
export function allTitles(root: string, catalogs: readonly Catalog[], sources: TitleSources): { titles: string[]; counts: Record<string, number | 'missing'> } {
  const all = new Set<string>();
  const counts: Record<string, number | 'missing'> = {};
  const add = (name: string, titles: Iterable<string> | null): void => {
    if (!titles) {
      counts[name] = 'missing';
      return;
    }
    let n = 0;
    for (const t of titles) {
      if (!t.trim()) continue;
      all.add(t);
      n++;
    }
    counts[name] = n;
  };
  for (const c of catalogs) add(`catalog:${c.name}`, c.items.map((i) => i.title));
  const steam = sources.shared ? join(sources.shared, 'llmxrec-rec-reasons/catalog/steam_games.jsonl.gz') : '';
  add(
    'llmxrec-rec-reasons/catalog',
    steam && existsSync(steam)
      ? jsonLines(gunzipSync(readFileSync(steam)).toString('utf8')).flatMap((r) => {
          const g = r as { title?: unknown; app_name?: unknown };
          return [g.title, g.app_name].filter((t): t is string => typeof t === 'string');
        })
      : null,
  );
  if (sources.data) {
    for (const split of ['train', 'valid', 'test', 'xrec_test']) {
      const file = join(sources.data, `${split}.jsonl`);
      const set = new Set<string>();
      if (existsSync(file)) titlesOfPairs(jsonLines(readFileSync(file, 'utf8')), set);
      add(`data:${split}`, existsSync(file) ? set : null);
    }
  }
  const fixtures = new Set<string>();
  for (const split of ['train', 'valid', 'test']) {
    const file = join(root, 'training/fixtures', `${split}.jsonl`);
    if (existsSync(file)) titlesOfPairs(jsonLines(readFileSync(file, 'utf8')), fixtures);
  }
  const page = join(root, 'test/fixtures/engine-page.json');
  if (existsSync(page)) {
    const json = JSON.parse(readFileSync(page, 'utf8')) as { page?: { title?: unknown }[]; history?: { title?: unknown }[] };
    for (const e of [...(json.page ?? []), ...(json.history ?? [])]) if (typeof e?.title === 'string') fixtures.add(e.title);
  }
  add('fixtures', fixtures);
  return { titles: [...all], counts };
}
