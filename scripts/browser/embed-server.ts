// Servers and a traffic recorder for the embed e2e tests: a "CDN" origin serving the built
// dist/embed/ folder (because-* files and the default model beside them) with CORS, and a storefront origin serving the fixture pages
// of test/fixtures/storefronts with the embed's <script> tag filled in.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { BrowserContext, Page, Request, Response as PageResponse, Route } from 'playwright-core';
import { freePort, REPO_ROOT, type ServerHandle } from './harness.ts';
import { MIME } from '../build/serve.ts';

const STOREFRONTS = join(REPO_ROOT, 'test/fixtures/storefronts');
const DIST = join(REPO_ROOT, 'dist/embed');
const MODELS = join(DIST, 'models');


/**
 * Builds the embed folder (`npm run build`'s first step) so the tests exercise the shipped files.
 * `fastCompression`: brotli at a low quality (BECAUSE_PRECOMPRESS=fast), for tests that need the
 * encodings but not the shipped byte counts: on a fresh clone brotli 11 of the runtime took 140 s here,
 * close to a test hook's timeout. Benches that count bytes build at full quality.
 */
export async function buildEmbed(options: { fastCompression?: boolean } = {}): Promise<void> {
  const { build } = await import('vite');
  const before = process.env.BECAUSE_PRECOMPRESS;
  if (options.fastCompression && before === undefined) process.env.BECAUSE_PRECOMPRESS = 'fast';
  try {
    await build({ root: REPO_ROOT, configFile: join(REPO_ROOT, 'vite.embed.config.ts'), logLevel: 'warn' });
  } finally {
    if (before === undefined) delete process.env.BECAUSE_PRECOMPRESS;
    else process.env.BECAUSE_PRECOMPRESS = before;
  }
  if (!existsSync(join(DIST, 'because-embed.js'))) throw new Error('the build did not emit dist/embed/because-embed.js');
}

function sendFile(res: ServerResponse, file: string, method: string | undefined, headers: Record<string, string>): void {
  res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(statSync(file).size) });
  if (method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

/** A file under `root` for a URL path, or null (no traversal, no directories). */
function within(root: string, relative: string): string | null {
  const file = normalize(join(root, relative));
  if (!file.startsWith(root + sep) || !existsSync(file) || statSync(file).isDirectory()) return null;
  return file;
}

/** The embed's own files: dist/because-* at the root, the model folders under /models/. */
function embedFile(path: string): string | null {
  if (/^\/because-[\w.-]+$/.test(path)) return within(DIST, path.slice(1));
  if (path.startsWith('/models/')) return within(MODELS, path.slice('/models/'.length));
  return null;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<ServerHandle> {
  const port = await freePort();
  const server = createServer(handler);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  const origin = `http://127.0.0.1:${port}`;
  return { origin, port, url: (p) => new URL(p, origin).href, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** The CDN: GET/HEAD of the embed files only, readable cross-origin (CORS), nothing else. */
export function startCdn(): Promise<ServerHandle> {
  return listen((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = req.method === 'GET' || req.method === 'HEAD' ? embedFile(path) : null;
    if (!file) {
      res.writeHead(404, { 'Access-Control-Allow-Origin': '*' }).end();
      return;
    }
    sendFile(res, file, req.method, { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin', 'Cache-Control': 'max-age=3600' });
  });
}

export interface ShopOptions {
  /** Where because-embed.js comes from (the CDN origin, or the shop's own origin). */
  scriptOrigin: () => string;
  /** Extra attributes of the script tag for a page path, e.g. 'data-consent="required"'. */
  attributes?: (path: string) => string;
  /** Extra response headers for a page path (e.g. a Content-Security-Policy). */
  headers?: (path: string, origin: string) => Record<string, string>;
  /** Also serve the embed files from this origin (the same-origin setup). */
  serveEmbed?: boolean;
}

/** A storefront page with 500 products in JSON-LD and 500 matching cards. */
export function manyProductsPage(count = 500): string {
  const nodes = Array.from({ length: count }, (_, i) => ({ '@type': 'Product', name: `Widget ${i + 1}`, sku: `W${i + 1}`, url: `/w/${i + 1}`, category: i % 2 ? 'Tools' : 'Garden' }));
  const cards = Array.from({ length: count }, (_, i) => `<div class="product"><a href="/w/${i + 1}"><h3>Widget ${i + 1}</h3></a></div>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>500 products</title><link rel="stylesheet" href="store.css">
<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@graph': nodes }).replace(/</g, '\\u003c')}</script></head>
<body><h1>Everything</h1><div class="grid">${cards}</div>{{EMBED}}</body></html>`;
}

export function startShop(options: ShopOptions): Promise<ServerHandle> {
  let self = '';
  const handle = listen((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers = options.headers?.(path, self) ?? {};
    const embed = options.serveEmbed ? embedFile(path) : null;
    if (embed) return sendFile(res, embed, req.method, headers);
    // Chromium asks for a favicon when it likes; a 404 there would be a console error no test caused.
    if (path === '/favicon.ico') return void res.writeHead(204, headers).end();
    let html: string | null = null;
    if (path === '/many.html') html = manyProductsPage();
    else if (path.endsWith('.html')) {
      const file = within(STOREFRONTS, path.slice(1));
      if (file) html = readFileSync(file, 'utf8');
    } else {
      const file = within(STOREFRONTS, path.slice(1));
      if (file && extname(file) === '.css') return sendFile(res, file, req.method, headers);
    }
    if (html === null) {
      res.writeHead(404, headers).end();
      return;
    }
    const tag = `<script type="module" src="${options.scriptOrigin()}/because-embed.js" ${options.attributes?.(path) ?? ''}></script>`;
    const body = html.replace('{{EMBED}}', tag);
    res.writeHead(200, { ...headers, 'Content-Type': MIME['.html']!, 'Cache-Control': 'no-store' });
    res.end(body);
  });
  return handle.then((h) => {
    self = h.origin;
    return h;
  });
}

export interface Traffic {
  method: string;
  url: string;
  postData: string | null;
  resourceType: string;
}

export interface TrafficLog {
  requests: Traffic[];
  console: { type: string; text: string }[];
  pageErrors: string[];
  dialogs: string[];
  errors(): string[];
  /** Stops recording and routing (the context is shared by the next test's page). */
  stop(): Promise<void>;
}

/**
 * Records every request of the page and its workers (context-wide), aborting any that is not for
 * one of `origins` (or blob:/data:), plus console messages, uncaught errors and dialogs.
 */
export async function recordTraffic(context: BrowserContext, page: Page, origins: string[]): Promise<TrafficLog> {
  const log: TrafficLog = {
    requests: [],
    console: [],
    pageErrors: [],
    dialogs: [],
    errors: () => [...new Set(log.console.filter((m) => m.type === 'error').map((m) => m.text)), ...log.pageErrors.map((e) => `[uncaught] ${e}`)],
    stop: async () => {
      context.off('request', onRequest);
      context.off('response', onResponse);
      await context.unroute('**/*', router);
    },
  };
  const allowed = (url: string): boolean => /^(blob|data|about):/.test(url) || origins.some((o) => url.startsWith(`${o}/`) || url === o);
  const onRequest = (request: Request): void => {
    log.requests.push({ method: request.method(), url: request.url(), postData: request.postData(), resourceType: request.resourceType() });
  };
  const onResponse = (response: PageResponse): void => {
    if (response.status() >= 400) log.console.push({ type: 'error', text: `HTTP ${response.status()} for ${response.request().method()} ${response.url()}` });
  };
  const router = (route: Route): Promise<void> => (allowed(route.request().url()) ? route.fallback() : route.abort('blockedbyclient'));
  context.on('request', onRequest);
  await context.route('**/*', router);
  page.on('console', (m) => log.console.push({ type: m.type(), text: m.text() }));
  page.on('worker', (w) => w.on('console', (m) => log.console.push({ type: m.type(), text: m.text() })));
  page.on('pageerror', (e) => log.pageErrors.push(e.stack ?? e.message));
  // A console "Failed to load resource" names no URL; this says which request failed.
  context.on('response', onResponse);
  page.on('dialog', (d) => {
    log.dialogs.push(d.message());
    void d.dismiss();
  });
  return log;
}

/** Requests that are not the storefront page/stylesheet or the embed's script, worker, runtime and model files. */
export function unexpectedRequests(log: TrafficLog, shop: string, cdn: string): Traffic[] {
  const embedFiles = /^\/(because-[\w.-]+\.(js|mjs|wasm)|models\/because-reason-v\d+\/[\w./-]+)$/;
  return log.requests.filter((r) => {
    if (/^(blob|data):/.test(r.url)) return false;
    const url = new URL(r.url);
    if (r.method !== 'GET' || r.postData) return true;
    if (url.search !== '') return true;
    const page = url.origin === shop && (/^\/[\w-]+\.(html|css)$/.test(url.pathname) || url.pathname === '/favicon.ico');
    const embed = url.origin === cdn && embedFiles.test(url.pathname);
    return !page && !embed;
  });
}


/** Deletes the origin's IndexedDB databases (browser state is shared by the tests' pages). */
export async function resetOrigin(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/store.css`);
  await page.evaluate(async () => {
    for (const db of await indexedDB.databases()) {
      if (!db.name) continue;
      await new Promise<void>((resolve) => {
        const req = indexedDB.deleteDatabase(db.name!);
        req.onsuccess = req.onerror = req.onblocked = () => resolve();
      });
    }
  });
}
