// Shared browser-test harness: a local server (the vite dev server or a static folder) on
// 127.0.0.1 with a free port, Debian's chromium driven by playwright-core with a fresh profile,
// and a recorder for every request, console message, page error and dialog.
//
//   const server = await startViteServer();            // or startStaticServer('dist/embed')
//   const browser = await launchBrowser();
//   const page = await browser.context.newPage();
//   const log = recordPage(page, server.origin);
//   await page.goto(server.url('/?device=wasm'));
//   ...
//   expect(log.foreignRequests()).toEqual([]);
//   expect(log.consoleErrors()).toEqual([]);
//   await browser.close(); await server.close();
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage, type Page, type Worker } from 'playwright-core';
import { MIME } from '../build/serve.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The flags from HELPERS.md: SwiftShader WebGPU, no background traffic, no first-run UI. */
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ServerHandle {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  port: number;
  /** Absolute URL of a path on this server. */
  url(path: string): string;
  close(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const probe = createNetServer();
    probe.unref();
    probe.on('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => ok(port));
    });
  });
}

function handle(origin: string, port: number, close: () => Promise<void>): ServerHandle {
  return { origin, port, url: (path) => new URL(path, origin).href, close };
}

export interface ViteServerOptions {
  /** Config file relative to the repo root (default vite.config.ts, the demo). */
  configFile?: string;
  port?: number;
}

/** Starts the vite dev server in this process, bound to 127.0.0.1 only. */
export async function startViteServer(options: ViteServerOptions = {}): Promise<ServerHandle> {
  const { createServer } = await import('vite');
  const port = options.port ?? (await freePort());
  const server = await createServer({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, options.configFile ?? 'vite.config.ts'),
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port, strictPort: true, hmr: false, watch: null },
  });
  await server.listen();
  return handle(`http://127.0.0.1:${port}`, port, () => server.close());
}


export interface StaticServerOptions {
  port?: number;
  /** Extra headers on every response (e.g. a Content-Security-Policy, COOP/COEP). */
  headers?: Record<string, string>;
  /** URL prefix → folder (absolute or relative to the repo root), e.g. { '/models/': 'public/models' }. */
  mounts?: Record<string, string>;
}

/** Serves a folder (relative to the repo root, or absolute) as-is, GET/HEAD only; 404 for anything missing. */
export async function startStaticServer(dir: string, options: StaticServerOptions = {}): Promise<ServerHandle> {
  const mounts: [string, string][] = Object.entries({ ...options.mounts, '/': dir })
    .map(([prefix, folder]): [string, string] => [prefix, resolve(REPO_ROOT, folder)])
    .sort((a, b) => b[0].length - a[0].length);
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [key, value] of Object.entries(options.headers ?? {})) res.setHeader(key, value);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    if (!mount || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(mount ? 405 : 404).end();
      return;
    }
    const [prefix, root] = mount;
    let file = normalize(join(root, path.slice(prefix.length)));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(statSync(file).size),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };
  const port = options.port ?? (await freePort());
  const server = createHttpServer(serve);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok());
  });
  return handle(`http://127.0.0.1:${port}`, port, () => new Promise((ok) => server.close(() => ok())));
}

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The chromium binary, or an error that says how to install it. Browser tests fail (never skip)
 * without it. CHROMIUM_PATH overrides; then the Debian paths; then PATH (unless `searchPath` is false).
 */
export function chromiumPath(candidates: readonly string[] = CHROMIUM_CANDIDATES, searchPath = true): string {
  for (const candidate of [process.env.CHROMIUM_PATH, ...candidates]) if (candidate && existsSync(candidate)) return candidate;
  if (searchPath) {
    try {
      const found = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not on PATH either
    }
  }
  throw new Error(
    'Browser tests need Debian chromium and it is not installed. Run `apt-get install -y chromium` ' +
      '(or set CHROMIUM_PATH to a chromium binary). Never download a browser for these tests.',
  );
}

export interface BrowserHandle {
  context: BrowserContext;
  userDataDir: string;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** Extra chromium flags after CHROMIUM_ARGS. */
  args?: string[];
  /** Reuse a profile folder (e.g. to test a second visit with a warm cache); default a fresh temp dir. */
  userDataDir?: string;
  /** Keep the profile folder on close (default: removed unless it was passed in). */
  keepUserDataDir?: boolean;
}

/**
 * Launches headless Debian chromium with a fresh user-data-dir. Hostnames other than 127.0.0.1 /
 * localhost do not resolve, so a stray request fails fast instead of leaving the machine; the
 * recorder still sees it.
 */
export async function launchBrowser(options: LaunchOptions = {}): Promise<BrowserHandle> {
  const executablePath = chromiumPath();
  const userDataDir = options.userDataDir ?? mkdtempSync(join(tmpdir(), 'because-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost', ...(options.args ?? [])],
    viewport: { width: 1280, height: 900 },
  });
  const removeDir = options.userDataDir === undefined && !options.keepUserDataDir;
  return {
    context,
    userDataDir,
    async close() {
      await context.close();
      if (removeDir) rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface ConsoleEntry {
  type: string;
  text: string;
  /** 'page' or the worker's URL. */
  from: string;
}

export interface PageLog {
  requests: string[];
  console: ConsoleEntry[];
  pageErrors: string[];
  dialogs: string[];
  /** Requests whose origin is not the local server (data:, blob: and about: are local). */
  foreignRequests(): string[];
  /** Console errors and uncaught page errors. */
  consoleErrors(): string[];
}

/**
 * Records everything a page (and its workers) does. Also routes the whole context so that a
 * request to another origin is recorded and aborted even if it slipped past DNS.
 */
export function recordPage(page: Page, origin: string): PageLog {
  const log: PageLog = {
    requests: [],
    console: [],
    pageErrors: [],
    dialogs: [],
    foreignRequests: () => log.requests.filter((url) => !isLocal(url, origin)),
    // Chromium reports a worker's console on the page too: count each text once.
    consoleErrors: () => [
      ...new Set(log.console.filter((m) => m.type === 'error').map((m) => m.text)),
      ...log.pageErrors.map((e) => `[uncaught] ${e}`),
    ],
  };
  const onConsole = (from: string) => (message: ConsoleMessage) => {
    log.console.push({ type: message.type(), text: message.text(), from });
  };
  page.on('request', (request) => log.requests.push(request.url()));
  page.on('console', onConsole('page'));
  page.on('pageerror', (error) => log.pageErrors.push(error.stack ?? error.message));
  page.on('dialog', (dialog) => {
    log.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('worker', (worker: Worker) => {
    worker.on('console', onConsole(worker.url()));
  });
  void page.context().route('**/*', (route) => {
    const url = route.request().url();
    if (isLocal(url, origin)) return route.fallback();
    if (!log.requests.includes(url)) log.requests.push(url);
    return route.abort('blockedbyclient');
  });
  return log;
}

export function isLocal(url: string, origin: string): boolean {
  if (/^(data|blob|about):/.test(url)) return true;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
