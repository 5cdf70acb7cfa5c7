// `npm run preview`: serves dist/embed/ (build it first: `npm run build`) at /because/ the way a CDN
// would (scripts/build/serve.ts: precompressed Content-Encoding, immutable caching of hashed files,
// COOP/COEP), and the fixture storefronts of test/fixtures/storefronts at / with the embed's tag.
//   npm run preview              http://127.0.0.1:4173/
//   npm run preview -- --port=8080
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbedServer, storefrontPage } from './build/serve.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIR = join(ROOT, 'dist/embed');
const STOREFRONTS = join(ROOT, 'test/fixtures/storefronts');
const port = Number(process.argv.find((a) => a.startsWith('--port='))?.split('=')[1] ?? 4173);

if (!existsSync(join(DIR, 'because-embed.js'))) {
  console.error('dist/embed/because-embed.js is missing: run `npm run build` first.');
  process.exit(1);
}
const fixtures = readdirSync(STOREFRONTS).filter((f) => f.endsWith('.html') && !/hostile/.test(f));
const tag = '<script type="module" src="/because/because-embed.js"></script>';
const server = await startEmbedServer({
  dir: DIR,
  prefix: '/because/',
  port,
  pages: (path) => {
    if (path === '/') return `<!doctype html><meta charset="utf-8"><title>Because preview</title><h1>Storefronts with the embed</h1><ul>${fixtures.map((f) => `<li><a href="/${f}">${f}</a></li>`).join('')}</ul>`;
    const name = path.slice(1);
    return fixtures.includes(name) ? storefrontPage(join(STOREFRONTS, name), tag) : null;
  },
  files: (path) => (path === '/store.css' ? join(STOREFRONTS, 'store.css') : null),
});
console.log(`Because preview: ${server.origin}/  (embed folder at ${server.origin}/because/)`);
