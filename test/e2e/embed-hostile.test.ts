// Hostile storefronts for the embed: no products, 500 products, malformed JSON-LD, products
// without titles, markup in titles and prompt-injection text in descriptions. The page must see no
// uncaught errors, no console errors, no injected markup or script execution, and reasons wherever
// the data allows. Script and model come from another origin, as in production.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserHandle, type ServerHandle } from '../../scripts/browser/harness.ts';
import { buildEmbed, recordTraffic, resetOrigin, startCdn, startShop, type TrafficLog, unexpectedRequests } from '../../scripts/browser/embed-server.ts';
import { OWN_TAGS, reasons, regions, waitForReasons } from './embed-page.ts';

let cdn: ServerHandle;
let shop: ServerHandle;
let browser: BrowserHandle;
let current: TrafficLog | null = null;

beforeAll(async () => {
  browser = await launchBrowser();
  await buildEmbed({ fastCompression: true });
  cdn = await startCdn();
  shop = await startShop({ scriptOrigin: () => cdn.origin, attributes: () => 'data-device="wasm" data-max-new-tokens="6"' });
});

afterAll(async () => {
  await current?.stop();
  await browser?.close();
  await Promise.all([cdn?.close(), shop?.close()]);
});

async function open(path: string): Promise<{ page: Page; log: TrafficLog }> {
  await current?.stop();
  const page = await browser.context.newPage();
  await resetOrigin(page, shop.origin);
  current = await recordTraffic(browser.context, page, [shop.origin, cdn.origin]);
  await page.goto(shop.url(path));
  return { page, log: current };
}

/** Nothing from page data ran or became markup. */
async function expectNoInjection(page: Page, log: TrafficLog): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(log.dialogs).toEqual([]);
  for (const region of await regions(page)) for (const tag of region.tags) expect(OWN_TAGS, `tag <${tag}> inside a reason`).toContain(tag);
  // No element in the light DOM gained from the embed except its hosts.
  const foreign = await page.evaluate(() => Array.from(document.querySelectorAll('img, iframe, script:not([type="application/ld+json"]):not([src])')).length);
  expect(foreign).toBe(0);
}

function expectClean(log: TrafficLog): void {
  expect(log.errors(), 'console errors and uncaught exceptions').toEqual([]);
  expect(unexpectedRequests(log, shop.origin, cdn.origin)).toEqual([]);
}

describe('embed on hostile pages', () => {
  it('malformed JSON-LD, untitled products, markup and prompt injection: reasons for the usable items, nothing injected', async () => {
    const { page, log } = await open('/hostile.html');
    await waitForReasons(page, 300_000, 4);
    const all = await reasons(page);
    const titles = all.map((r) => r.title).sort();
    // Tags are stripped from structured-data text (documented); what remains is inert text.
    expect(titles).toEqual(['Numbers Only Gadget', 'Quiet Desk Fan', 'Reading Lamp', 'window.__pwned=3 Kettle']);
    for (const r of all) {
      expect(r.state, r.title).toBe('done');
      expect(r.text.length, r.title).toBeGreaterThan(0);
    }
    await expectNoInjection(page, log);
    expectClean(log);
    await page.close();
  });

  it('hostile explicit markup: markup in titles stays text, broken attributes are ignored, untitled cards are skipped', async () => {
    const { page, log } = await open('/hostile-data.html');
    await waitForReasons(page, 300_000, 4);
    const all = await reasons(page);
    expect(all.map((r) => [r.key, r.title])).toEqual([
      ['t1', 'Headphones'],
      ['t2', 'Speaker'],
      ['t5', 'Turntable'],
      ['t5~2', 'Turntable'],
    ]);
    for (const r of all) expect(r.state).toBe('done');
    expect(await page.locator('[data-because-host]').count()).toBe(4);
    await expectNoInjection(page, log);
    expectClean(log);
    await page.close();
  });

  it('no products: no regions, no errors, the model is never needed', async () => {
    const { page, log } = await open('/empty.html');
    await page.waitForFunction(() => (window as unknown as { because?: { ready: Promise<void> } }).because?.ready.then(() => true));
    await page.waitForTimeout(500);
    expect(await reasons(page)).toEqual([]);
    expect(await page.locator('[data-because-host]').count()).toBe(0);
    expectClean(log);
    await page.close();
  });

  it('500 products: all discovered and mounted, visible ones explained first, the page stays responsive', async () => {
    const { page, log } = await open('/many.html');
    await page.waitForFunction(() => (window as unknown as { because?: { reasons(): unknown[] } }).because?.reasons().length === 500, null, { timeout: 60_000 });
    expect(await page.locator('[data-because-host]').count()).toBe(500);
    await page.waitForFunction(
      () => (window as unknown as { because: { reasons(): { state: string }[] } }).because.reasons().filter((r) => r.state === 'done').length >= 4,
      null,
      { timeout: 300_000, polling: 250 },
    );
    const states = (await reasons(page)).map((r) => r.state);
    // Off-screen cards wait for the visitor to scroll (IntersectionObserver): not all 500 at once.
    expect(states.filter((s) => s === 'pending').length).toBeGreaterThan(400);
    expect(states.filter((s) => s === 'error')).toEqual([]);
    // Scrolling to the end explains the last card.
    await page.locator('[data-because-host]').last().scrollIntoViewIfNeeded();
    await page.waitForFunction(
      () => {
        const all = (window as unknown as { because: { reasons(): { state: string }[] } }).because.reasons();
        return all[all.length - 1]!.state === 'done';
      },
      null,
      { timeout: 300_000, polling: 250 },
    );
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    await expectNoInjection(page, log);
    expectClean(log);
    await page.close();
  });
});
