// Browser e2e for the demo storefront (vite dev server + Debian chromium). Every card gets a
// reason on WASM and on WebGPU (SwiftShader here: few items, few tokens, no timing asserts), nothing
// is requested from another origin, the console stays clean, and hostile catalog text stays text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, recordPage, startViteServer, type BrowserHandle, type PageLog, type ServerHandle } from '../../scripts/browser/harness.ts';

let server: ServerHandle;
let browser: BrowserHandle;

beforeAll(async () => {
  // Launch first: without chromium this fails at once with the apt-get hint.
  browser = await launchBrowser();
  server = await startViteServer();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface CardState {
  id: string;
  title: string;
  state: string;
  source: string;
  fallback: string;
  backend: string;
  text: string;
}

async function openDemo(query: string): Promise<{ page: Page; log: PageLog }> {
  const page = await browser.context.newPage();
  const log = recordPage(page, server.origin);
  await page.goto(server.url(`/?${query}`));
  return { page, log };
}

/** Waits until the given run has finished (every card streamed its reason), or the page reports an error. */
async function waitForRun(page: Page, run: number, timeout: number): Promise<void> {
  await page.waitForFunction(
    (n) => Number(document.body.dataset.runsDone ?? 0) >= n || document.querySelector('#status')?.getAttribute('data-error') === 'true',
    run,
    { timeout, polling: 250 },
  );
  const status = await page.locator('#status').textContent();
  expect(await page.locator('#status').getAttribute('data-error'), `status line: ${status}`).toBeNull();
}

async function cards(page: Page): Promise<CardState[]> {
  return page.$$eval('.card', (nodes) =>
    nodes.map((n) => {
      const el = n as HTMLElement;
      return {
        id: el.dataset.id ?? '',
        title: el.querySelector('.title')?.textContent ?? '',
        state: el.dataset.reasonState ?? '',
        source: el.dataset.source ?? '',
        fallback: el.dataset.fallback ?? '',
        backend: el.dataset.backend ?? '',
        text: el.querySelector('.reason-text')?.textContent ?? '',
      };
    }),
  );
}

function expectClean(log: PageLog): void {
  expect(log.foreignRequests(), 'requests that left the local server').toEqual([]);
  expect(log.consoleErrors(), 'console errors').toEqual([]);
  expect(log.dialogs, 'dialogs').toEqual([]);
}

describe('demo storefront', () => {
  it.each([
    // WASM: the whole catalog, short reasons to keep the run small.
    { device: 'wasm', query: 'device=wasm&tokens=24', timeout: 600_000 },
    // SwiftShader WebGPU is 25-250x slower than WASM: a few items and tokens prove the path works.
    { device: 'webgpu', query: 'device=webgpu&limit=3&tokens=6', timeout: 600_000 },
  ])('every card gets a reason on $device, all from this origin, no console errors', async ({ device, query, timeout }) => {
    const { page, log } = await openDemo(query);
    await waitForRun(page, 1, timeout - 30_000);
    const all = await cards(page);
    const expected = device === 'wasm' ? 48 : 3;
    expect(all.length).toBeGreaterThanOrEqual(expected);
    for (const card of all) {
      expect(card.state, `card ${card.title}`).toBe('done');
      expect(card.text.trim(), `reason of ${card.title}`).not.toBe('');
      expect(card.backend, `backend of ${card.title}`).toBe(device);
      // The model loaded: a fallback may only be a grounding fallback, never "model unavailable".
      expect(card.fallback, `fallback of ${card.title}`).not.toBe('model-unavailable');
    }
    expect(all.some((c) => c.source === 'model'), 'at least one reason written by the model').toBe(true);
    expect(await page.locator('#status').getAttribute('data-backend')).toBe(device);
    expect(await page.locator('#status').getAttribute('data-model-loaded')).toBe('true');
    expectClean(log);
    await page.close();
  }, 600_000);

  it('"played" builds the on-device history and the reasons update', async () => {
    const { page, log } = await openDemo('device=wasm&limit=5&tokens=12');
    await waitForRun(page, 1, 240_000);
    const first = (await cards(page))[0];
    expect(first).toBeDefined();
    await page.locator(`.card[data-id="${first!.id}"] button.played`).click();
    await waitForRun(page, 2, 240_000);
    expect(await page.locator('#history').textContent()).toContain(first!.title);
    const after = await cards(page);
    expect(after.find((c) => c.id === first!.id)?.state).toBe('history');
    for (const card of after.filter((c) => c.id !== first!.id)) {
      expect(card.state, `card ${card.title}`).toBe('done');
      expect(card.text.trim()).not.toBe('');
    }
    const stored = await page.evaluate(() => localStorage.getItem('because-demo-history-v1'));
    expect(JSON.parse(stored ?? '[]')).toEqual([expect.objectContaining({ id: first!.id, action: 'played' })]);
    expectClean(log);
    await page.evaluate(() => localStorage.clear());
    await page.close();
  }, 600_000);

  it('shows hostile catalog text as text and runs none of it', async () => {
    const page = await browser.context.newPage();
    const log = recordPage(page, server.origin);
    await page.goto(server.url('/?device=wasm&tokens=8&catalog=/test/e2e/demo-xss-catalog.json'));
    await waitForRun(page, 1, 240_000);
    const all = await cards(page);
    expect(all.map((c) => c.title)).toContain('<img src=x onerror=alert(1)>');
    for (const card of all) expect(card.state).toBe('done');
    expect(await page.locator('#grid img, #grid script, #grid svg, #grid iframe, #grid b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(log.requests.filter((url) => new URL(url).pathname === '/x'), 'the payload image was never requested').toEqual([]);
    expectClean(log);
    await page.close();
  }, 300_000);
});
