// Serves the embed folder the way a CDN does (`npm run preview`, the bench and the e2e tests): the
// precompressed .br/.gz copy when the browser accepts it (Content-Encoding, Vary), long immutable
// caching for content-hashed files and model weights (verified against manifest.json by the
// runtime), an hour for the two names that stay the same across releases (because-embed.js and each
// model's manifest.json), ETag/304, CORS and CORP so a shop on another origin may load it, and
// COOP/COEP like the demo (cross-origin isolation lets onnxruntime-web use threads). Every response
// is logged with the bytes it put on the wire.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.md': 'text/markdown; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=3600';

/** Cache-Control of a path inside the embed folder. */
export function cacheControl(path: string): string {
  const name = path.split('/').pop() ?? '';
  return name === 'because-embed.js' || name === 'manifest.json' ? SHORT : IMMUTABLE;
}

/** The encoding to send: br, else gzip, else none (q=0 refuses one). */
export function pickEncoding(acceptEncoding: string | undefined, available: { br: boolean; gz: boolean }): 'br' | 'gzip' | null {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string): boolean => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (available.br && ok('br')) return 'br';
  if (available.gz && ok('gzip')) return 'gzip';
  return null;
}

export interface ServedRequest {
  path: string;
  status: number;
  encoding: string | null;
  /** Body bytes written (0 for 304 and HEAD). */
  bytes: number;
}

export interface EmbedServer {
  origin: string;
  url(path: string): string;
  /** Every response since start (or the last clear). */
  log: ServedRequest[];
  close(): Promise<void>;
}

export interface EmbedServerOptions {
  /** The embed folder (dist/embed), served under `prefix`. */
  dir: string;
  /** URL prefix of the folder, e.g. '/because/' (default '/'). */
  prefix?: string;
  /** Other pages: path → HTML (the storefronts of a preview or a test). */
  pages?: (path: string) => string | null;
  /** Static files outside the folder (a storefront's CSS): path → absolute file or null. */
  files?: (path: string) => string | null;
  /** Generated responses (a test's image), optionally late: path → body, type, delay. */
  assets?: (path: string) => { body: string; type: string; delayMs?: number } | null;
  port?: number;
  /** Cross-origin isolation headers on every response (default true). */
  isolate?: boolean;
}

function within(root: string, relative: string): string | null {
  const file = normalize(join(root, relative));
  if (!file.startsWith(root + sep) || !existsSync(file) || statSync(file).isDirectory()) return null;
  return file;
}

export async function startEmbedServer(options: EmbedServerOptions): Promise<EmbedServer> {
  const root = resolve(options.dir);
  const prefix = options.prefix ?? '/';
  const log: ServedRequest[] = [];
  const common: Record<string, string> = {
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    ...(options.isolate === false ? {} : ISOLATION_HEADERS),
  };
  const finish = (path: string, status: number, encoding: string | null, bytes: number): void => {
    log.push({ path, status, encoding, bytes });
  };

  const sendFile = (req: IncomingMessage, res: ServerResponse, path: string, file: string, cache: string): void => {
    const encoding = pickEncoding(req.headers['accept-encoding'], { br: existsSync(`${file}.br`), gz: existsSync(`${file}.gz`) });
    const body = encoding === 'br' ? `${file}.br` : encoding === 'gzip' ? `${file}.gz` : file;
    const stat = statSync(body);
    const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}-${encoding ?? 'id'}"`;
    const headers: Record<string, string> = {
      ...common,
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': cache,
      ETag: etag,
      Vary: 'Accept-Encoding',
    };
    if (encoding) headers['Content-Encoding'] = encoding;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return finish(path, 304, encoding, 0);
    }
    headers['Content-Length'] = String(stat.size);
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return finish(path, 200, encoding, 0);
    }
    createReadStream(body).pipe(res);
    finish(path, 200, encoding, stat.size);
  };

  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...common, 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Max-Age': '86400' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, common).end();
      return finish(path, 405, null, 0);
    }
    if (path.startsWith(prefix)) {
      const file = within(root, path.slice(prefix.length));
      if (file && !/\.(br|gz)$/.test(file)) return sendFile(req, res, path, file, cacheControl(path));
    }
    const html = options.pages?.(path) ?? null;
    if (html !== null) {
      res.writeHead(200, { ...common, 'Content-Type': MIME['.html']!, 'Cache-Control': 'no-store' }).end(html);
      return finish(path, 200, null, Buffer.byteLength(html));
    }
    const asset = options.assets?.(path) ?? null;
    if (asset) {
      setTimeout(() => {
        res.writeHead(200, { ...common, 'Content-Type': asset.type, 'Cache-Control': 'no-store' }).end(asset.body);
        finish(path, 200, null, Buffer.byteLength(asset.body));
      }, asset.delayMs ?? 0);
      return;
    }
    const other = options.files?.(path) ?? null;
    if (other) return sendFile(req, res, path, other, 'no-cache');
    res.writeHead(404, common).end();
    finish(path, 404, null, 0);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (p) => new URL(p, origin).href,
    log,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A storefront fixture (test/fixtures/storefronts) with the embed's script tag in place of {{EMBED}}. */
export function storefrontPage(fixture: string, scriptTag: string): string {
  return readFileSync(fixture, 'utf8').replace('{{EMBED}}', scriptTag);
}
