// One visit of the storefront (scripts/bench/storefront.ts) in chromium, measured: bytes and
// requests the server put on the wire for the embed's files during the visit, when the embed's
// engine files were first requested relative to the page's `load`, time from navigation to the
// first and the last finished reason, LCP and total blocking time. Used by the bench (numbers) and
// by test/e2e/embed-delivery.test.ts (bytes and order only; never timings).
import type { BrowserContext, Page } from 'playwright-core';
import { CDN_PREFIX, type StorefrontServer } from './storefront.ts';

/** Observers installed before any page script: LCP, long tasks, and each finished reason. */
const INSTRUMENT = `(() => {
  const m = (window.__becauseMetrics = { lcp: 0, longTasks: [], reasons: [], fcp: 0 });
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) m.lcp = Math.max(m.lcp, e.renderTime || e.loadTime || e.startTime); }).observe({ type: 'largest-contentful-paint', buffered: true }); } catch {}
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) m.longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true }); } catch {}
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') m.fcp = e.startTime; }).observe({ type: 'paint', buffered: true }); } catch {}
  document.addEventListener('because:reason', (e) => m.reasons.push([performance.now(), e.detail && e.detail.source]), true);
})();`;

export async function instrument(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: INSTRUMENT });
}

export interface VisitResult {
  /** Body bytes the server sent for /cdn/ files during the visit (compressed, as served). */
  bytes: number;
  /** Responses for /cdn/ files (304s included) during the visit. */
  requests: number;
  files: { path: string; status: number; encoding: string | null; bytes: number }[];
  /** ms from navigation start. */
  load_ms: number;
  lcp_ms: number;
  /** Total blocking time: sum of (long task − 50 ms) from FCP to the end of the observation window. */
  tbt_ms: number;
  first_reason_ms: number | null;
  last_reason_ms: number | null;
  reasons: number;
  model_reasons: number;
  /** Engine files (worker, transformers.js, runtime, model) requested before the page's load event. */
  engine_requests_before_load: string[];
  error: string | null;
}

const ENGINE_FILE = /because-(explainer\.worker|transformers|ort-wasm|worker-)|\/models\//;

export interface VisitOptions {
  /** Wait for this many finished reasons (0: do not wait for reasons). */
  reasons: number;
  /** Extra observation after the reasons (or after load), for long tasks (ms). */
  settleMs?: number;
  /** Instead of reasons, wait until the model reports ready (or failed). */
  untilModelReady?: boolean;
  timeoutMs?: number;
  /** Runs after navigation, before waiting (e.g. scroll a card into view). */
  during?: (page: Page) => Promise<void>;
}

export async function visit(page: Page, server: StorefrontServer, path: string, options: VisitOptions): Promise<VisitResult> {
  const from = server.log.length;
  const requestTimes: [string, number][] = [];
  const onRequest = (r: { url(): string }): void => void requestTimes.push([r.url(), Date.now()]);
  page.context().on('request', onRequest);
  try {
    await page.goto(server.url(path), { waitUntil: 'domcontentloaded' });
    await options.during?.(page);
    const timeout = options.timeoutMs ?? 10 * 60_000;
    if (options.untilModelReady) {
      await page.waitForFunction(() => {
        const b = (window as unknown as { because?: { status(): { progress: { phase: string } | null; error: string | null } } }).because;
        const s = b?.status();
        return s?.progress?.phase === 'ready' || s?.progress?.phase === 'error' || Boolean(s?.error);
      }, null, { timeout, polling: 100 });
    } else if (options.reasons > 0) {
      await page.waitForFunction((n) => ((window as unknown as { __becauseMetrics: { reasons: unknown[] } }).__becauseMetrics.reasons.length >= n), options.reasons, { timeout, polling: 100 });
    }
    await page.waitForFunction(() => document.readyState === 'complete', null, { timeout });
    await page.waitForTimeout(options.settleMs ?? 500);
    const m = await page.evaluate(() => {
      const w = window as unknown as { __becauseMetrics: { lcp: number; fcp: number; longTasks: [number, number][]; reasons: [number, string][] }; because?: { status(): { error: string | null } } };
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return { ...w.__becauseMetrics, loadStart: nav?.loadEventStart ?? 0, timeOrigin: performance.timeOrigin, error: w.because?.status().error ?? null };
    });
    const loadEpoch = m.timeOrigin + m.loadStart;
    const files = server.log.slice(from).filter((r) => r.path.startsWith(CDN_PREFIX));
    const times = m.reasons.map(([t]) => t);
    return {
      bytes: files.reduce((a, r) => a + r.bytes, 0),
      requests: files.length,
      files,
      load_ms: m.loadStart,
      lcp_ms: m.lcp,
      tbt_ms: m.longTasks.filter(([start]) => start >= m.fcp).reduce((a, [, d]) => a + Math.max(0, d - 50), 0),
      first_reason_ms: times.length ? Math.min(...times) : null,
      last_reason_ms: times.length ? Math.max(...times) : null,
      reasons: times.length,
      model_reasons: m.reasons.filter(([, s]) => s === 'model').length,
      engine_requests_before_load: requestTimes.filter(([url, t]) => ENGINE_FILE.test(url) && t < loadEpoch).map(([url]) => url),
      error: m.error,
    };
  } finally {
    page.context().off('request', onRequest);
  }
}
