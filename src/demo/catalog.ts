// Loads the demo catalog (public/demo/catalog.json) and turns games into engine Items.
import type { Item } from '../types.ts';

export interface Game {
  id: string;
  title: string;
  genres: string[];
  tags: string[];
  developer: string;
  price: number | null;
  year: number | null;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Keeps well-formed games and drops the rest; ids are made unique so cards never collide. */
export function parseCatalog(json: unknown): Game[] {
  const raw = (json as { games?: unknown } | null)?.games;
  if (!Array.isArray(raw)) throw new Error('catalog: expected {"games": [...]}');
  const seen = new Set<string>();
  const games: Game[] = [];
  for (const entry of raw) {
    if (!entry || typeof entry !== 'object') continue;
    const g = entry as Record<string, unknown>;
    if (typeof g.title !== 'string' || (typeof g.id !== 'string' && typeof g.id !== 'number')) continue;
    let id = String(g.id);
    while (seen.has(id)) id += '*';
    seen.add(id);
    games.push({
      id,
      title: g.title,
      genres: stringList(g.genres),
      tags: stringList(g.tags),
      developer: typeof g.developer === 'string' ? g.developer : '',
      price: typeof g.price === 'number' && Number.isFinite(g.price) ? g.price : null,
      year: typeof g.year === 'number' && Number.isFinite(g.year) ? g.year : null,
    });
  }
  return games;
}

export async function loadCatalog(url: string, limit: number | null): Promise<Game[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`catalog: ${url} answered ${response.status}`);
  const games = parseCatalog(await response.json());
  return limit === null ? games : games.slice(0, limit);
}

/** Genres first, then tags: the order the training prompts use (their Steam "tags" are genres). */
export function toItem(game: Game): Item {
  return { id: game.id, title: game.title, attributes: { genres: game.genres, tags: game.tags } };
}

export function priceLabel(price: number | null): string {
  if (price === null) return '';
  return price === 0 ? 'Free to play' : `$${price.toFixed(2)}`;
}
