// Browser e2e for the drop-in embed (dist/because-embed.js, built first): fixture storefronts on one
// origin, the script, worker, ORT runtime and model on another (a "CDN"), Debian chromium. Reasons
// appear in role="status" regions, the only requests are for the embed's own files, no request
// carries profile data, consent gates storage, <because-reason> elements work, and the same build
// also works same-origin. Few tokens (data-max-new-tokens) keep it short; no timing asserts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserHandle, type ServerHandle } from '../../scripts/browser/harness.ts';
import { buildEmbed, recordTraffic, resetOrigin, startCdn, startShop, type TrafficLog, unexpectedRequests } from '../../scripts/browser/embed-server.ts';
import { OWN_TAGS, reasons, regions, waitForReasons } from './embed-page.ts';
import { DEFAULT_MODEL_ID } from '../../src/defaults.ts';

const TEST_ATTRIBUTES = 'data-device="wasm" data-max-new-tokens="6"';

let cdn: ServerHandle;
let shop: ServerHandle;
let local: ServerHandle;
let browser: BrowserHandle;
const extra = new Map<string, string>();

beforeAll(async () => {
  browser = await launchBrowser();
  await buildEmbed({ fastCompression: true });
  cdn = await startCdn();
  shop = await startShop({ scriptOrigin: () => cdn.origin, attributes: (path) => `${TEST_ATTRIBUTES} ${extra.get(path) ?? ''}` });
  local = await startShop({ scriptOrigin: () => local.origin, attributes: () => TEST_ATTRIBUTES, serveEmbed: true });
});

afterAll(async () => {
  await current?.stop();
  await browser?.close();
  await Promise.all([cdn?.close(), shop?.close(), local?.close()]);
});

let current: TrafficLog | null = null;

/** A fresh page on a fresh origin state (no stored profile), recording its traffic. */
async function open(path: string, server = shop, scriptOrigin = cdn): Promise<{ page: Page; log: TrafficLog }> {
  await current?.stop();
  const page = await browser.context.newPage();
  await resetOrigin(page, server.origin);
  const log = await recordTraffic(browser.context, page, [server.origin, scriptOrigin.origin]);
  current = log;
  await page.goto(server.url(path));
  return { page, log };
}

function expectClean(log: TrafficLog, server = shop, scriptOrigin = cdn): void {
  expect(log.errors(), 'console errors and uncaught exceptions').toEqual([]);
  expect(log.dialogs, 'dialogs').toEqual([]);
  expect(unexpectedRequests(log, server.origin, scriptOrigin.origin), 'requests other than the page and the embed files').toEqual([]);
}

describe('embed on a storefront, script and model from another origin', () => {
  it('explicit data-because-item markup: every card gets a reason in a status region', async () => {
    const { page, log } = await open('/data-attributes.html');
    await waitForReasons(page, 300_000, 8);
    const all = await reasons(page);
    expect(all).toHaveLength(8);
    for (const r of all) {
      expect(r.state, r.title).toBe('done');
      expect(r.text.length, r.title).toBeGreaterThan(0);
      expect(r.placed).toBe('card');
    }
    const ui = await regions(page);
    expect(ui).toHaveLength(8);
    for (const region of ui) {
      expect(region).toMatchObject({ role: 'status', busy: 'false', live: 'polite' });
      expect(region.text.length).toBeGreaterThan(0);
      for (const tag of region.tags) expect(OWN_TAGS).toContain(tag);
    }
    // Worker, runtime and model really came from the CDN origin.
    const cdnPaths = log.requests.filter((r) => r.url.startsWith(cdn.origin)).map((r) => new URL(r.url).pathname);
    expect(cdnPaths.some((p) => /^\/because-explainer\.worker-.*\.js$/.test(p))).toBe(true);
    expect(cdnPaths.some((p) => p.endsWith('.wasm'))).toBe(true);
    expect(cdnPaths.some((p) => p.startsWith(`/models/${DEFAULT_MODEL_ID}/onnx/`))).toBe(true);
    expectClean(log);

    // A card click is recorded on the device, reasons refresh, and no request carries the profile.
    const before = log.requests.length;
    await page.locator('li[data-because-item="252490"] button[data-because-event="cart"]').click();
    await page.waitForFunction(async () => {
      const exported = await (window as unknown as { because: { profile: { export(): Promise<{ events: unknown[] }> } } }).because.profile.export();
      return exported.events.length === 1;
    });
    const exported = await page.evaluate(() => (window as unknown as { because: { profile: { export(): Promise<unknown> } } }).because.profile.export());
    expect(exported).toMatchObject({ format: 'because-profile', storage: 'indexeddb', events: [{ type: 'cart', itemId: '252490', title: 'Rust' }] });
    await page.waitForTimeout(600); // the refresh is debounced
    await waitForReasons(page, 300_000, 8);
    const later = log.requests.slice(before);
    for (const r of later) {
      expect(r.method).toBe('GET');
      expect(r.url).not.toMatch(/Rust|252490|because-profile/);
    }
    expectClean(log);
    await page.close();
  });

  it('JSON-LD only: products are matched to their cards and explained', async () => {
    const { page, log } = await open('/json-ld.html');
    await waitForReasons(page, 300_000, 6);
    const all = await reasons(page);
    expect(all.map((r) => r.storeId).sort()).toEqual(['CAB-3', 'CAP-1', 'MIC-9', 'PED-7', 'STR-12', 'TUN-3']);
    for (const r of all) {
      expect(r.placed).toBe('card');
      expect(r.state).toBe('done');
      expect(r.text.length).toBeGreaterThan(0);
    }
    // Each region sits inside the card whose title it explains.
    const placement = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.product')).map((card) => ({ title: card.querySelector('h3')?.textContent, hosts: card.querySelectorAll('[data-because-host]').length })),
    );
    for (const card of placement) expect(card.hosts, String(card.title)).toBe(1);
    expectClean(log);
    await page.close();
  });

  it('<because-reason> elements placed by the store get the reasons; cards get no second region', async () => {
    const { page, log } = await open('/element.html');
    await waitForReasons(page, 300_000, 3);
    const all = await reasons(page);
    const placed = all.filter((r) => r.placed === 'element');
    expect(placed.map((r) => r.title).sort()).toEqual(['Dune', 'Portal 2', 'The Hobbit']);
    for (const r of placed) expect(r.state).toBe('done');
    expect(await page.locator('[data-because-host]').count()).toBe(0);
    expectClean(log);
    await page.close();
  });

  it('consent required: nothing stored before consent(true); "Clear my data" deletes it', async () => {
    extra.set('/data-attributes.html', 'data-consent="required"');
    try {
      const { page, log } = await open('/data-attributes.html');
      await waitForReasons(page, 300_000, 8);
      type Api = { because: { consent(v?: boolean): boolean; profile: { export(): Promise<{ events: { itemId: string }[] }>; history(): Promise<{ title: string }[]> } } };
      const state = () =>
        page.evaluate(async () => {
          const w = window as unknown as Api;
          const dbs = (await indexedDB.databases()).map((d) => d.name);
          return { consent: w.because.consent(), events: (await w.because.profile.export()).events.length, hasDb: dbs.includes('because-profile') };
        });
      await page.locator('li[data-because-item="49520"] h3').click();
      await page.locator('li[data-because-item="252490"] button[data-because-event="cart"]').click();
      await page.waitForTimeout(300);
      expect(await state()).toEqual({ consent: false, events: 0, hasDb: false });

      expect(await page.evaluate(() => (window as unknown as Api).because.consent(true))).toBe(true);
      await page.locator('li[data-because-item="49520"] h3').click();
      await page.waitForFunction(async () => (await (window as unknown as Api).because.profile.export()).events.length === 1);
      expect(await state()).toEqual({ consent: true, events: 1, hasDb: true });
      expect(await page.evaluate(async () => (await (window as unknown as Api).because.profile.history()).map((h) => h.title))).toEqual(['Borderlands 2']);

      // The control in the Shadow DOM of a reason.
      await page.locator('li[data-because-item="440"] [data-because-host]').locator('button.clear').click();
      await page.waitForFunction(async () => (await (window as unknown as Api).because.profile.export()).events.length === 0);
      // "Why this?" opens a plain-text explanation.
      const why = page.locator('li[data-because-item="440"] [data-because-host]').locator('button.why');
      await why.click();
      expect(await why.getAttribute('aria-expanded')).toBe('true');
      const lines = await page.locator('li[data-because-item="440"] [data-because-host]').locator('.details li').allTextContents();
      expect(lines.join(' ')).toMatch(/on this device/);

      // Withdrawing consent deletes the store.
      await page.evaluate(() => (window as unknown as Api).because.consent(false));
      await page.waitForTimeout(300);
      expect((await state()).events).toBe(0);
      await waitForReasons(page, 300_000, 8);
      expectClean(log);
      await page.close();
    } finally {
      extra.delete('/data-attributes.html');
    }
  });

  it('the same build works same-origin (plain module worker)', async () => {
    const { page, log } = await open('/json-ld.html', local, local);
    await waitForReasons(page, 300_000, 6);
    for (const r of await reasons(page)) expect(r.state).toBe('done');
    expectClean(log, local, local);
    await page.close();
  });
});
