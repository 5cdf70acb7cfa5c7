// Where a storefront visit's time goes, phase by phase, cold and warm: the built embed folder on the
// delivery bench's storefront (scripts/bench/storefront.ts, served like a CDN), one first visit then
// WARM second visits in the same profile (HTTP cache and Cache Storage kept). The reason cache in
// IndexedDB: by default (--reason-cache=clear) it is deleted after each visit and the warm visits
// alternate two pages of 24 games, so every visit generates all 24 reasons (new items); with
// --reason-cache=keep it is kept and every visit shows the same page with the same history (what a
// returning shopper sees: the reasons come from the cache); --reason-cache=both runs both, one
// profile each, interleaved. Every time is ms after navigation: the page's marks and reason events,
// and the worker's performance marks (src/trace.ts) moved onto the page's timeline.
//   npx tsx scripts/bench/warm-phases.ts [--warm=3] [--no-build] [--json] [--dirs=dist/embed-a,dist/embed-b] [--reason-cache=clear|keep|both]
import type { Page } from 'playwright-core';
import { launchBrowser } from '../browser/harness.ts';
import { buildEmbed } from '../browser/embed-server.ts';
import { instrument } from './embed-visits.ts';
import { EMBED_DIR, startStorefront, type StorefrontServer } from './storefront.ts';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const warmRuns = Number(arg('warm') ?? 3);

export interface VisitPhases {
  /** Phase name → ms after navigation (first occurrence). */
  at: Record<string, number>;
  /** Worker resources: name → [start, end] ms after navigation, bytes over the network. */
  resources: { name: string; start: number; end: number; transfer: number }[];
  first_reason_ms: number | null;
  last_reason_ms: number | null;
  reasons: number;
  model_reasons: number;
  /** Reasons the engine answered from its reason cache (its 'cache-hit' marks). */
  cached_reasons: number;
}

export type ReasonCacheMode = 'clear' | 'keep';

const WORKER_SCRIPT = /because-explainer\.worker-[\w-]+\.js$/;

async function once(page: Page, server: StorefrontServer, path: string, reasonCache: ReasonCacheMode): Promise<VisitPhases> {
  await page.goto(server.url(path), { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => (window as unknown as { __becauseMetrics: { reasons: unknown[] } }).__becauseMetrics.reasons.length >= 24, null, { timeout: 10 * 60_000, polling: 50 });
  const pageSide = await page.evaluate(() => {
    const w = window as unknown as { __becauseMetrics: { reasons: [number, string][] } };
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const marks = performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as [string, number]);
    return { origin: performance.timeOrigin, reasons: w.__becauseMetrics.reasons, marks, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventStart };
  });
  const worker = page.workers().find((w) => WORKER_SCRIPT.test(w.url()) || w.url().startsWith('blob:'));
  if (!worker) throw new Error(`no engine worker on the page (workers: ${page.workers().map((w) => w.url()).join(', ')})`);
  const workerSide = await worker.evaluate(() => ({
    origin: performance.timeOrigin,
    marks: performance.getEntriesByType('mark').map((m) => [m.name, m.startTime] as [string, number]),
    resources: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => ({ name: r.name, start: r.startTime, end: r.responseEnd, transfer: r.transferSize })),
  }));
  const shift = workerSide.origin - pageSide.origin;
  const at: Record<string, number> = { dom_content_loaded: Math.round(pageSide.dcl), load: Math.round(pageSide.load), worker_created: Math.round(shift) };
  const put = (name: string, t: number): void => void (at[name] ??= Math.round(t));
  for (const [name, t] of pageSide.marks) put(name.replace(/^because:/, ''), t);
  for (const [name, t] of workerSide.marks) put(name.replace(/^because:/, ''), t + shift);
  const times = pageSide.reasons.map(([t]) => t).sort((a, b) => a - b);
  put('first_reason', times[0] ?? NaN);
  put('last_reason', times[times.length - 1] ?? NaN);
  // 'clear': the reason cache (IndexedDB) would answer the next visit: drop it, keep the HTTP cache and Cache Storage.
  if (reasonCache === 'clear') {
    await page.evaluate(() => new Promise<void>((resolve) => {
      const req = indexedDB.deleteDatabase('because-reasons');
      req.onsuccess = req.onerror = req.onblocked = () => resolve();
    }));
  }
  return {
    at: Object.fromEntries(Object.entries(at).sort((a, b) => a[1] - b[1])),
    resources: workerSide.resources.map((r) => ({ name: r.name.replace(/^.*\//, ''), start: Math.round(r.start + shift), end: Math.round(r.end + shift), transfer: r.transfer })),
    first_reason_ms: times.length ? Math.round(times[0] as number) : null,
    last_reason_ms: times.length ? Math.round(times[times.length - 1] as number) : null,
    reasons: times.length,
    model_reasons: pageSide.reasons.filter(([, s]) => s === 'model').length,
    // The engine marks each reason it answers from the cache (src/engine/engine.ts, 'because:cache-hit').
    cached_reasons: workerSide.marks.filter(([name]) => name === 'because:cache-hit').length,
  };
}

export interface PhaseRuns {
  dir: string;
  reason_cache: ReasonCacheMode;
  cold: VisitPhases;
  warm: VisitPhases[];
}

/**
 * One profile per embed folder (`dirs`: builds to compare, e.g. copies of dist/embed made with and
 * without a change), each a cold visit then `warm` warm visits, interleaved round by round so every
 * folder sees the same machine load.
 */
export async function measureWarmPhases(warm: number, options: { build?: boolean; dirs?: string[]; reasonCache?: ReasonCacheMode[]; log?: (...p: unknown[]) => void } = {}): Promise<PhaseRuns[]> {
  const log = options.log ?? (() => undefined);
  if (options.build !== false && !options.dirs) {
    log('building the embed folder (dist/embed)…');
    await buildEmbed();
  }
  const modes = options.reasonCache ?? ['clear'];
  const arms = await Promise.all((options.dirs ?? [EMBED_DIR]).flatMap((dir) => modes.map(async (mode) => ({ dir, mode, server: await startStorefront('data-device="wasm"', dir), browser: await launchBrowser() }))));
  try {
    // No request routing here: in chromium it turns the HTTP cache off, and the warm visit is about that cache.
    for (const arm of arms) await instrument(arm.browser.context);
    const visitOnce = async (arm: (typeof arms)[number], path: string): Promise<VisitPhases> => {
      const page = await arm.browser.context.newPage();
      try {
        return await once(page, arm.server, path, arm.mode);
      } finally {
        await page.close();
      }
    };
    const out: PhaseRuns[] = [];
    for (const arm of arms) {
      log(`${arm.dir} (reason cache ${arm.mode}): cold visit…`);
      out.push({ dir: arm.dir, reason_cache: arm.mode, cold: await visitOnce(arm, '/with.html'), warm: [] });
    }
    for (let i = 0; i < warm; i++) {
      for (const [k, arm] of arms.entries()) {
        log(`${arm.dir} (reason cache ${arm.mode}): warm visit ${i + 1}/${warm}…`);
        // 'clear': alternate two pages (new items every visit); 'keep': the same page, as a returning shopper.
        out[k]?.warm.push(await visitOnce(arm, arm.mode === 'keep' || i % 2 !== 0 ? '/with.html' : '/other.html'));
      }
    }
    return out;
  } finally {
    for (const arm of arms) {
      await arm.browser.close();
      await arm.server.close();
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirs = arg('dirs')?.split(',');
  const mode = arg('reason-cache') ?? 'clear';
  if (!['clear', 'keep', 'both'].includes(mode)) throw new Error(`--reason-cache=${mode}: use clear, keep or both`);
  const reasonCache: ReasonCacheMode[] = mode === 'both' ? ['clear', 'keep'] : [mode as ReasonCacheMode];
  const results = await measureWarmPhases(warmRuns, { build: !process.argv.includes('--no-build'), dirs, reasonCache, log: (...p) => console.error('[warm-phases]', ...p) });
  if (process.argv.includes('--json')) console.log(JSON.stringify(results));
  else for (const result of results) {
    console.log(`\n${result.dir} (reason cache ${result.reason_cache})\n`);
    const names = [...new Set([result.cold, ...result.warm].flatMap((v) => Object.keys(v.at)))];
    const row = (v: VisitPhases, name: string): string => (v.at[name] === undefined ? '' : String(v.at[name]));
    console.log(`| phase (ms after navigation) | cold | ${result.warm.map((_, i) => `warm ${i + 1}`).join(' | ')} |`);
    console.log(`| --- | ---: | ${result.warm.map(() => '---:').join(' | ')} |`);
    for (const name of names) console.log(`| ${name} | ${row(result.cold, name)} | ${result.warm.map((v) => row(v, name)).join(' | ')} |`);
    for (const [label, v] of [['cold', result.cold], ...result.warm.map((w, i) => [`warm ${i + 1}`, w] as const)] as const) {
      console.log(`${label}: reasons ${v.reasons} (model ${v.model_reasons}, cached ${v.cached_reasons}); worker resources: ${v.resources.map((r) => `${r.name} ${r.start}-${r.end} (${r.transfer} B)`).join(', ')}`);
    }
  }
}
