// Look at what a shopper sees: opens the demo (empty history, then three games marked played) and the
// JSON-LD instrument shop fixture with the built embed in headless chromium, writes a screenshot of
// each and prints every card's reason as shown. Not a test: a person reads the output.
//
//   npx tsx scripts/look.ts [--out DIR]        (default DIR: test-results/look)
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { buildEmbed, startCdn, startShop } from './browser/embed-server.ts';
import { launchBrowser, startViteServer } from './browser/harness.ts';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'test-results/look' } } });
const out = resolve(args.out as string);
mkdirSync(out, { recursive: true });
const WAIT_MS = 240_000;

/** The demo's cards: title and the reason line with its label. */
async function demoCards(page: Page): Promise<string[]> {
  await page.waitForFunction(() => [...document.querySelectorAll('.reason-text')].every((e) => e.textContent && e.textContent !== 'Thinking…'), null, { timeout: WAIT_MS });
  return page.$$eval('.card, article', (els) => els.map((e) => `${e.querySelector('h2,h3,.title')?.textContent ?? ''} — ${e.querySelector('.reason-text')?.textContent ?? ''} (${e.querySelector('.reason-meta')?.textContent ?? ''})`));
}

/** The embed's reason regions (Shadow DOM), once none is busy. */
async function embedReasons(page: Page): Promise<string[]> {
  await page.waitForFunction(() => {
    const hosts = [...document.querySelectorAll('[data-because-host], because-reason')];
    return hosts.length > 0 && hosts.every((h) => (h as HTMLElement).shadowRoot?.querySelector('[role="status"]')?.getAttribute('aria-busy') === 'false');
  }, null, { timeout: WAIT_MS });
  return page.evaluate(() => [...document.querySelectorAll('[data-because-host], because-reason')].map((h) => ((h as HTMLElement).shadowRoot?.querySelector('[role="status"]')?.textContent ?? '').trim()));
}

const print = (label: string, lines: string[]): void => console.log(`\n## ${label}\n${lines.map((l) => `- ${l}`).join('\n')}`);

const browser = await launchBrowser();
const demo = await startViteServer();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 1600 });
  await page.goto(demo.url('/?device=wasm&limit=12'));
  print('demo, empty history', await demoCards(page));
  await page.screenshot({ path: join(out, 'demo-empty.png') });
  for (const button of (await page.$$('button:has-text("Played")')).slice(0, 3)) {
    await button.click();
    await page.waitForTimeout(300);
  }
  await page.waitForTimeout(2000);
  print('demo, three games played', await demoCards(page));
  await page.screenshot({ path: join(out, 'demo-played.png') });
  await page.close();
} finally {
  await demo.close();
}

await buildEmbed();
const cdn = await startCdn();
const shop = await startShop({ scriptOrigin: () => cdn.origin });
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${shop.origin}/json-ld.html`);
  print('JSON-LD instrument shop (embed), new visitor', await embedReasons(page));
  await page.screenshot({ path: join(out, 'shop-json-ld.png'), fullPage: true });
} finally {
  await browser.close();
  await cdn.close();
  await shop.close();
}
console.log(`\nscreenshots in ${out}`);
