// The storefront the delivery bench and e2e tests load: the bench workload's 24 games as cards with
// explicit markup (6 × 4, all within a 1280 × 900 viewport, so all 24 are explained without scrolling), a hero image (the page's LCP element, optionally served late so the page's `load`
// comes late), with or without the embed's script tag. The embed folder (dist/embed) is served at
// /cdn/ by scripts/build/serve.ts, as a CDN would, on the same origin as the page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchSet } from './items.ts';
import { parseCatalog } from '../../src/demo/catalog.ts';
import { startEmbedServer, type EmbedServer } from '../build/serve.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const EMBED_DIR = join(ROOT, 'dist/embed');
export const CDN_PREFIX = '/cdn/';

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

const HERO = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="200" viewBox="0 0 1200 200"><rect width="1200" height="200" fill="#234"/><text x="60" y="130" font-size="72" fill="#fff" font-family="sans-serif">Winter sale</text></svg>`;

export interface PageOptions {
  /** Attributes of the embed's script tag; null: no embed on the page. */
  embed: string | null;
  /** Cards (default all 24). */
  cards?: number;
  /** Height of a spacer above the grid (px): cards below the fold until the visitor scrolls. */
  spacer?: number;
  /** The bench's other 24 games (its warm-up set): a second page whose reasons no cache holds. */
  other?: boolean;
}

export function storefrontHtml(options: PageOptions): string {
  const games = parseCatalog(JSON.parse(readFileSync(join(ROOT, 'public/demo/catalog.json'), 'utf8')));
  const set = benchSet(games);
  const page = (options.other ? set.warmup : set.page).slice(0, options.cards ?? 24);
  const cards = page
    .map((item) => `<li class="card" data-because-item="${escape(item.id)}" data-title="${escape(item.title)}" data-domain="game" data-attributes="${escape(JSON.stringify(item.attributes ?? {}))}"><h3>${escape(item.title)}</h3><p>${escape(((item.attributes?.genres as string[] | undefined) ?? []).join(' · '))}</p></li>`)
    .join('\n');
  const tag = options.embed === null ? '' : `<script type="module" src="${CDN_PREFIX}because-embed.js" ${options.embed}></script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Storefront</title>
<style>body{font:16px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1200px}.grid{display:grid;grid-template-columns:repeat(6,1fr);gap:8px;list-style:none;padding:0}.card{border:1px solid #ddd;border-radius:6px;padding:4px;font-size:12px}.card h3{font-size:13px;margin:0}</style></head>
<body><header><h1>Games</h1><img src="/hero.svg" width="1200" height="200" alt="Winter sale"></header>
${options.spacer ? `<div style="height:${options.spacer}px"></div>` : ''}<ul class="grid">${cards}</ul>${tag}</body></html>`;
}

export interface StorefrontServer extends EmbedServer {
  /** Delays the hero image (the page's `load` event waits for it) by this many ms. */
  heroDelayMs: number;
}

/** Serves dist/embed (or another build of it, `dir`) at /cdn/ and the storefront pages: /with.html, /without.html, /other.html (24 other games), /tall.html (cards below the fold), /missing-model.html. */
export async function startStorefront(embedAttributes: string, dir: string = EMBED_DIR): Promise<StorefrontServer> {
  const pages: Record<string, string> = {
    '/with.html': storefrontHtml({ embed: embedAttributes }),
    '/without.html': storefrontHtml({ embed: null }),
    '/other.html': storefrontHtml({ embed: embedAttributes, other: true }),
    '/tall.html': storefrontHtml({ embed: embedAttributes, spacer: 3000 }),
    '/missing-model.html': storefrontHtml({ embed: `${embedAttributes} data-model="./models/no-such-model"`, cards: 4 }),
  };
  const server = (await startEmbedServer({
    dir,
    prefix: CDN_PREFIX,
    pages: (path) => pages[path] ?? null,
    assets: (path) => (path === '/hero.svg' ? { body: HERO, type: 'image/svg+xml', delayMs: server.heroDelayMs } : null),
  })) as StorefrontServer;
  server.heroDelayMs = 0;
  return server;
}
