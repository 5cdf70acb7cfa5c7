// Derives the demo storefront's catalog (public/demo/catalog.json) from the UCSD Steam catalog
// shipped with the LLMXRec data. Picks the games the LLMXRec Steam prompts mention most often
// (so the reason model has seen their facts), keeps only games with genres and tags.
//
//   npx tsx scripts/make-demo-catalog.ts ../shared/data/llmxrec-rec-reasons [count=60]
//
// Deterministic: same data in, same file out. See public/demo/SOURCE.md.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePythonTitle, readJsonlGz as readJsonl } from './llmxrec.ts';

export interface DemoGame {
  id: string;
  title: string;
  genres: string[];
  tags: string[];
  specs: string[];
  developer: string;
  /** USD list price; 0 for free to play; null when the catalog has none. */
  price: number | null;
  year: number | null;
}

interface RawGame {
  id?: string | null;
  app_name?: string | null;
  title?: string | null;
  genres?: string[] | null;
  tags?: string[] | null;
  specs?: string[] | null;
  developer?: string | null;
  price?: number | string | null;
  release_date?: string | null;
}

interface RawPrompt {
  dataset: string;
  parsed: { history: { title: string }[]; candidate: { title: string } };
}

// Not games: tools and videos that the Steam catalog also lists.
const NON_GAME_GENRES = new Set([
  'Utilities', 'Software', 'Design & Illustration', 'Animation & Modeling', 'Video Production',
  'Audio Production', 'Web Publishing', 'Education', 'Photo Editing', 'Software Training', 'Accounting',
]);
const NON_GAME_TAGS = new Set(['Documentary', 'Utilities', 'Software']);

/** Match key: lower case, no apostrophes, collapsed spaces (the prompts dropped apostrophes). */
function key(title: string): string {
  return title.toLowerCase().replace(/['\u2019]/g, '').replace(/\s+/g, ' ').trim();
}

function price(raw: RawGame['price']): number | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) return Math.round(raw * 100) / 100;
  if (typeof raw === 'string' && /free/i.test(raw)) return 0;
  return null;
}

/** The Steam export keeps a few HTML entities (`Aspyr (Mac &amp; Linux)`): store plain text. */
export function unescapeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', nbsp: ' ' };
  return text.replace(/&(#\d+|[a-z]+);/g, (whole, name: string) =>
    name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : (named[name] ?? whole),
  );
}

function strings(list: string[] | null | undefined): string[] {
  return Array.isArray(list)
    ? list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map(unescapeEntities)
    : [];
}

export function makeCatalog(dataDir: string, count: number): DemoGame[] {
  const mentions = new Map<string, number>();
  for (const prompt of readJsonl<RawPrompt>(join(dataDir, 'prompts.jsonl.gz'))) {
    if (prompt.dataset !== 'steam') continue;
    for (const entry of [...prompt.parsed.history, prompt.parsed.candidate]) {
      const k = key(decodePythonTitle(entry.title));
      mentions.set(k, (mentions.get(k) ?? 0) + 1);
    }
  }
  const byKey = new Map<string, RawGame>();
  for (const game of readJsonl<RawGame>(join(dataDir, 'catalog', 'steam_games.jsonl.gz'))) {
    const title = game.app_name ?? game.title;
    if (!title || !game.id) continue;
    const k = key(title);
    if (!byKey.has(k)) byKey.set(k, game); // first occurrence wins (the catalog has a few duplicates)
  }
  const picked: DemoGame[] = [];
  const ranked = [...mentions.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  for (const [k] of ranked) {
    const game = byKey.get(k);
    if (!game) continue;
    const genres = strings(game.genres);
    const tags = strings(game.tags);
    if (genres.length === 0 || tags.length < 3) continue;
    if (genres.some((g) => NON_GAME_GENRES.has(g)) || tags.some((t) => NON_GAME_TAGS.has(t))) continue;
    const year = /^(\d{4})/.exec(game.release_date ?? '')?.[1];
    picked.push({
      id: String(game.id),
      title: unescapeEntities((game.app_name ?? game.title ?? '').trim()),
      genres,
      tags,
      specs: strings(game.specs),
      developer: unescapeEntities((game.developer ?? '').trim()),
      price: price(game.price),
      year: year ? Number(year) : null,
    });
    if (picked.length >= count) break;
  }
  return picked;
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop() ?? '');
if (isMain) {
  const dataDir = process.argv[2];
  if (!dataDir) {
    console.error('usage: npx tsx scripts/make-demo-catalog.ts <llmxrec-rec-reasons folder> [count=60]');
    process.exit(2);
  }
  const count = Number(process.argv[3] ?? 60);
  const games = makeCatalog(dataDir, count);
  const out = new URL('../public/demo/catalog.json', import.meta.url);
  // One game a line: small diffs when the selection changes.
  const lines = games.map((g) => '  ' + JSON.stringify(g)).join(',\n');
  writeFileSync(out, `{"source": "public/demo/SOURCE.md",\n "games": [\n${lines}\n]}\n`);
  console.log(`wrote ${games.length} games to ${out.pathname}`);
}
