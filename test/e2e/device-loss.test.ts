// WebGPU device loss in chromium (SwiftShader WebGPU): the device the runtime got is destroyed
// while a batch decodes; the engine switches to WASM and every pending request still gets its
// reason, labelled 'wasm', with the page's console free of errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, recordPage, startViteServer, type BrowserHandle, type ServerHandle } from '../../scripts/browser/harness.ts';
import type { DeviceLossResult } from './device-loss-page.ts';

let server: ServerHandle;
let browser: BrowserHandle;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startViteServer();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('WebGPU device loss', () => {
  it('finishes pending requests on WASM after device.destroy() mid-batch', async () => {
    const page = await browser.context.newPage();
    const log = recordPage(page, server.origin);
    await page.goto(server.url('/test/e2e/device-loss.html'));
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 });
    const result = (await page.evaluate((tokens) => (window as unknown as { deviceLossRun(n: number): Promise<DeviceLossResult> }).deviceLossRun(tokens), 8)) as DeviceLossResult;
    console.log(JSON.stringify(result, null, 1));
    expect(result.before).toEqual({ backend: 'webgpu', modelLoaded: true });
    expect(result.destroyed).toBe(1);
    expect(result.after.backend).toBe('wasm');
    expect(result.after.backendReason).toMatch(/WebGPU device was lost \(destroyed/);
    expect(result.after.modelLoaded).toBe(true);
    // Every pending request was answered on WASM; none failed as a model error.
    expect(result.reasons).toHaveLength(3);
    for (const reason of result.reasons) {
      expect(reason.backend).toBe('wasm');
      expect(reason.fallbackReason).not.toBe('model-error');
      expect(reason.text.length).toBeGreaterThan(0);
    }
    expect(result.later).toMatchObject({ backend: 'wasm' });
    expect(result.later.fallbackReason).not.toBe('model-error');
    expect(log.foreignRequests()).toEqual([]);
    expect(log.consoleErrors().filter((e) => !/device (was )?lost|destroyed/i.test(e))).toEqual([]);
  }, 540_000);
});
