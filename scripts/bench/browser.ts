// The bench's browser page (scripts/bench/browser.html + browser-page.ts), built and served on its
// own: the demo's build (vite.config.ts) knows nothing of it. The build uses the demo's vite config
// (same worker format, same public/ with the model) with this page as its only input.
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, startStaticServer, type ServerHandle } from '../browser/harness.ts';
import { ISOLATION_HEADERS } from '../../vite.config.ts';

export const BENCH_OUT = 'dist/bench';
const PAGE = 'scripts/bench/browser.html';

export async function buildBenchPage(log: (...p: unknown[]) => void = () => undefined): Promise<void> {
  const { build } = await import('vite');
  log('building the bench page (vite build)…');
  await build({
    root: REPO_ROOT,
    configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
    logLevel: 'warn',
    build: { outDir: BENCH_OUT, rolldownOptions: { input: { bench: PAGE } } },
  });
}

/** Serves the built page cross-origin isolated, as the demo server does. */
export const serveBenchPage = (): Promise<ServerHandle> => startStaticServer(BENCH_OUT, { headers: ISOLATION_HEADERS });

/** The page's path on that server, with its query (`arm=…&phase=…`). */
export const benchPagePath = (query: string): string => `/${PAGE}?${query}`;
