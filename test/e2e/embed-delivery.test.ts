// How the built embed folder is delivered (dist/embed served like a CDN: precompressed, immutable
// caching), in Debian chromium, on a storefront with the bench's 24 games:
// - nothing of the engine (worker, transformers.js, runtime, model) is requested before the page's
//   `load` (a late hero image holds `load` back), and a card scrolled into view starts it early;
// - on the WASM path only the WASM-only onnxruntime build is fetched, never the WebGPU one;
// - a second visit puts nothing on the wire but the model's manifest.json, which the runtime reads
//   fresh by design (the server counts the bytes), and still shows reasons;
// - a missing model is a logged ModelLoadError naming the URL it tried.
// Timings (LCP, TBT, time to reasons) are the bench's (`npm run bench`), never asserted here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserHandle } from '../../scripts/browser/harness.ts';
import { buildEmbed } from '../../scripts/browser/embed-server.ts';
import { instrument, visit } from '../../scripts/bench/embed-visits.ts';
import { startStorefront, type StorefrontServer } from '../../scripts/bench/storefront.ts';

let server: StorefrontServer;
let browser: BrowserHandle;
const consoleLines: string[] = [];

beforeAll(async () => {
  await buildEmbed({ fastCompression: true });
  server = await startStorefront('data-device="wasm" data-max-new-tokens="8"');
  browser = await launchBrowser();
  await instrument(browser.context);
  browser.context.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('delivery of the embed folder', () => {
  it('first visit: nothing before load, then the WASM-only runtime and the model, and 24 reasons', async () => {
    server.heroDelayMs = 2500;
    const page = await browser.context.newPage();
    const first = await visit(page, server, '/with.html', { reasons: 24, timeoutMs: 240_000 });
    await page.close();
    expect(first.error).toBeNull();
    expect(first.reasons).toBe(24);
    expect(first.engine_requests_before_load, 'engine files requested before the page finished loading').toEqual([]);
    const paths = first.files.map((f) => f.path);
    expect(paths.some((p) => /\/because-ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(p)), paths.join(' ')).toBe(true);
    expect(paths.some((p) => p.includes('asyncify')), 'the WebGPU runtime on the WASM path').toBe(false);
    expect(paths.some((p) => p.endsWith('/onnx/model_quantized.onnx'))).toBe(true);
    // Served compressed, as a CDN would (which encoding depends on what chromium accepts over http).
    const wasm = first.files.find((f) => f.path.endsWith('.wasm'))!;
    expect(wasm.encoding).not.toBeNull();
    expect(first.bytes).toBeGreaterThan(1_000_000);
  }, 900_000);

  it('second visit: 0 bytes over the network, reasons still shown', async () => {
    server.heroDelayMs = 0;
    const page = await browser.context.newPage();
    const second = await visit(page, server, '/with.html', { reasons: 24, timeoutMs: 240_000 });
    await page.close();
    expect(second.reasons).toBe(24);
    // Every script, runtime and model file comes from the browser's caches. The one request is the
    // model's manifest.json, revalidated on purpose (src/runtime/model-files.ts readManifest: it decides
    // whether the cached model is current): a conditional request answered 304, no body.
    const others = second.files.filter((f) => !f.path.endsWith('/manifest.json'));
    expect(others, 'responses for the embed folder on the second visit').toEqual([]);
    expect(second.bytes).toBe(0);
  }, 900_000);

  it('a missing model is a logged ModelLoadError that names the URL it tried', async () => {
    consoleLines.length = 0;
    const page = await browser.context.newPage();
    const result = await visit(page, server, '/missing-model.html', { reasons: 4, timeoutMs: 120_000 });
    await page.close();
    expect(result.model_reasons).toBe(0);
    expect(result.error ?? '').toContain('/cdn/models/no-such-model');
    const logged = consoleLines.filter((l) => l.startsWith('error:') && l.includes('/cdn/models/no-such-model/'));
    expect(logged.length, consoleLines.join('\n')).toBeGreaterThan(0);
  }, 900_000);

  it('a card scrolled into view starts the engine before the page has loaded', async () => {
    const fresh = await launchBrowser();
    try {
      await instrument(fresh.context);
      server.heroDelayMs = 8000;
      const page = await fresh.context.newPage();
      const requested: string[] = [];
      fresh.context.on('request', (r) => requested.push(r.url()));
      await page.goto(server.url('/tall.html'), { waitUntil: 'domcontentloaded' });
      await page.waitForFunction(() => Boolean((window as unknown as { because?: unknown }).because), null, { timeout: 60_000 });
      await page.waitForTimeout(1000);
      expect(requested.filter((u) => /explainer\.worker|\.wasm|\/models\//.test(u)), 'before the scroll').toEqual([]);
      await page.locator('li.card').first().scrollIntoViewIfNeeded();
      await page.waitForFunction(() => document.readyState !== 'complete', null, { timeout: 1000 });
      await expect.poll(() => requested.some((u) => u.includes('explainer.worker')), { timeout: 5000 }).toBe(true);
      expect(await page.evaluate(() => document.readyState), 'the page is still loading (the hero image is late)').not.toBe('complete');
    } finally {
      server.heroDelayMs = 0;
      await fresh.close();
    }
  }, 300_000);
});
