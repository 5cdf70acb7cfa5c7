// The embed under exactly the Content-Security-Policy of docs/csp.md (plus `default-src 'none'` and
// the fixture's own stylesheet), for a CDN-hosted and a self-hosted script. Model reasons appear
// and the browser reports no violation. Controls: dropping any one source of the CDN policy stops
// the model (so each is needed), and the page still gets labelled fallback reasons, never a broken page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserHandle, type ServerHandle } from '../../scripts/browser/harness.ts';
import { buildEmbed, recordTraffic, resetOrigin, startCdn, startShop, type TrafficLog, unexpectedRequests } from '../../scripts/browser/embed-server.ts';
import { reasons, waitForReasons } from './embed-page.ts';

/** docs/csp.md, CDN-hosted: the script's origin is `cdn`. */
export function cdnPolicy(cdn: string, drop: string[] = []): string {
  const directives: Record<string, string> = {
    'script-src': `${cdn} 'wasm-unsafe-eval'`,
    'worker-src': `blob: ${cdn}`,
    'connect-src': cdn,
  };
  for (const d of drop) {
    const [name, value] = d.split(' ') as [string, string];
    const kept = (directives[name] ?? '').split(' ').filter((v) => v !== (value === 'CDN' ? cdn : value));
    directives[name] = kept.join(' ') || "'none'";
  }
  return ["default-src 'none'", "style-src 'self'", ...Object.entries(directives).map(([k, v]) => `${k} ${v}`)].join('; ');
}

/** docs/csp.md, self-hosted (sent site-wide, so the worker script carries it too). */
const SELF_POLICY = "default-src 'none'; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'";

let cdn: ServerHandle;
let shop: ServerHandle;
let local: ServerHandle;
let browser: BrowserHandle;
let current: TrafficLog | null = null;
let policy = '';

beforeAll(async () => {
  browser = await launchBrowser();
  await buildEmbed({ fastCompression: true });
  cdn = await startCdn();
  const attributes = () => 'data-device="wasm" data-max-new-tokens="6"';
  const pages = (path: string): Record<string, string> => (path.endsWith('.html') ? { 'Content-Security-Policy': policy } : {});
  shop = await startShop({ scriptOrigin: () => cdn.origin, attributes, headers: pages });
  // Self-hosted: the policy comes with every response, as a site-wide header does.
  local = await startShop({ scriptOrigin: () => local.origin, attributes, headers: () => ({ 'Content-Security-Policy': policy }), serveEmbed: true });
});

afterAll(async () => {
  await current?.stop();
  await browser?.close();
  await Promise.all([cdn?.close(), shop?.close(), local?.close()]);
});

async function open(server: ServerHandle, scriptOrigin: ServerHandle): Promise<{ page: Page; log: TrafficLog }> {
  await current?.stop();
  const page = await browser.context.newPage();
  await resetOrigin(page, server.origin);
  current = await recordTraffic(browser.context, page, [server.origin, scriptOrigin.origin]);
  await page.goto(server.url('/data-attributes.html'));
  return { page, log: current };
}

function modelLoaded(page: Page): Promise<boolean> {
  return page.evaluate(async () => (await (window as unknown as { because: { explainer: { info(): Promise<{ modelLoaded: boolean }> } } }).because.explainer.info()).modelLoaded);
}

describe('embed under the documented Content-Security-Policy', () => {
  it('CDN-hosted script: model reasons, no violations', async () => {
    policy = cdnPolicy(cdn.origin);
    const { page, log } = await open(shop, cdn);
    await waitForReasons(page, 300_000, 8);
    const all = await reasons(page);
    expect(all).toHaveLength(8);
    for (const r of all) expect(r.state).toBe('done');
    // The model loaded and ran (a reason may still be a grounding fallback, so source is not asserted).
    expect(await modelLoaded(page)).toBe(true);
    expect(log.errors()).toEqual([]);
    expect(unexpectedRequests(log, shop.origin, cdn.origin)).toEqual([]);
    await page.close();
  });

  it('self-hosted script: model reasons, no violations', async () => {
    policy = SELF_POLICY;
    const { page, log } = await open(local, local);
    await waitForReasons(page, 300_000, 8);
    for (const r of await reasons(page)) expect(r.state).toBe('done');
    expect(await modelLoaded(page)).toBe(true);
    expect(log.errors()).toEqual([]);
    await page.close();
  });

  it("self-hosted with 'blob:' in script-src too (the policy of earlier docs) still loads the model", async () => {
    // The runtime no longer imports ORT's factory from a blob: URL (runtime.ts configureWasm, useWasmCache
    // off), so blob: is no longer needed; a page that still allows it must keep working.
    policy = SELF_POLICY.replace("script-src 'self'", "script-src 'self' blob:");
    const { page, log } = await open(local, local);
    await waitForReasons(page, 300_000, 8);
    expect(await modelLoaded(page)).toBe(true);
    expect(log.errors()).toEqual([]);
    await page.close();
  });

  it.each([
    { drop: "script-src 'wasm-unsafe-eval'", what: 'WebAssembly compilation' },
    { drop: 'worker-src blob:', what: 'the worker trampoline' },
    { drop: 'worker-src CDN', what: "the worker's module graph on the CDN" },
  ])('without $drop the browser blocks $what; the page still gets labelled fallbacks', async ({ drop }) => {
    policy = cdnPolicy(cdn.origin, [drop]);
    const { page, log } = await open(shop, cdn);
    await waitForReasons(page, 300_000, 8);
    for (const r of await reasons(page)) expect(r).toMatchObject({ state: 'done', source: 'fallback' });
    expect(await modelLoaded(page)).toBe(false);
    expect(log.pageErrors).toEqual([]);
    expect(log.dialogs).toEqual([]);
    await page.close();
  });
});
