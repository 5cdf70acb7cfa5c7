// `npm run soak:browser -- [--calls 2000] [--every 250] [--recreate-every 500] [--miss-rate 0.02] [--json]`:
// the worker path of the soak benchmark (issue 9) in Debian's chromium, headless: the public API
// with its Web Worker, the shipped model on WASM (scripts/soak/browser-page.ts). Memory of the page
// and its workers after every `every` calls, and the slope over the samples after the first.
import { parseArgs } from 'node:util';
import { launchBrowser, recordPage, startViteServer } from './browser/harness.ts';
import type { BrowserSoakResult } from './soak/browser-page.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    every: { type: 'string', default: '250' },
    'recreate-every': { type: 'string', default: '500' },
    'miss-rate': { type: 'string', default: '0.02' },
    json: { type: 'boolean', default: false },
  },
});

/** Least-squares slope of bytes over calls, in bytes per 1,000 calls (samples after the first). */
function slopePer1000(samples: BrowserSoakResult['samples']): number | null {
  const pts = samples.slice(1).filter((s) => s.bytes !== null) as Array<{ calls: number; bytes: number }>;
  if (pts.length < 2) return null;
  const mx = pts.reduce((a, p) => a + p.calls, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.bytes, 0) / pts.length;
  const num = pts.reduce((a, p) => a + (p.calls - mx) * (p.bytes - my), 0);
  const den = pts.reduce((a, p) => a + (p.calls - mx) ** 2, 0);
  return den === 0 ? 0 : (num / den) * 1000;
}

const server = await startViteServer();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  const log = recordPage(page, server.origin);
  await page.goto(server.url('/scripts/soak/browser.html'));
  await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 });
  const args = [Number(values.calls), Number(values.every), Number(values['recreate-every']), Number(values['miss-rate'])] as const;
  const result = (await page.evaluate(
    (a) => (window as unknown as { soakRun(c: number, e: number, r: number, m: number): Promise<BrowserSoakResult> }).soakRun(a[0], a[1], a[2], a[3]),
    args,
  )) as BrowserSoakResult;
  const report = { ...result, slope_bytes_per_1000_calls: slopePer1000(result.samples), console_errors: log.consoleErrors().length, page_errors: log.pageErrors.length };
  if (values.json) console.log(JSON.stringify(report));
  else console.log(report);
} finally {
  await browser.close();
  await server.close();
}
