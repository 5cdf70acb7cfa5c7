// Where the engine's model load goes in chromium (WASM), cold and warm: the bench page's engine arm
// with phase=load (scripts/bench/browser-page.ts), one cold visit then WARM visits in the same profile. Each
// phase is the ms after createExplainer() at which the engine first reported it:
//   init           the worker started and the engine began loading (worker script + its import)
//   download       first model file event: transformers.js imported, manifest.json read
//   onnx_verified  the ONNX file read (Cache Storage or network) and its SHA-256 checked
//   compile        transformers.js has the ONNX bytes (tokenizer built before this)
//   ready          the onnxruntime session exists (WASM compiled + instantiated, graph optimised)
//   npx tsx scripts/bench/load-phases.ts [--warm=3]
import { launchBrowser } from '../browser/harness.ts';
import { benchPagePath, buildBenchPage, serveBenchPage } from './browser.ts';

const warm = Number(process.argv.find((a) => a.startsWith('--warm='))?.split('=')[1] ?? 3);

export interface LoadPhases {
  load_ms: number;
  load_phases_ms: Record<string, number>;
}

export async function measureLoadPhases(warmRuns: number, log: (...p: unknown[]) => void = () => undefined): Promise<{ cold: LoadPhases; warm: LoadPhases[] }> {
  await buildBenchPage(log);
  const server = await serveBenchPage();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const once = async (): Promise<LoadPhases> => {
      await page.goto(server.url(benchPagePath('arm=engine&phase=load')));
      await page.waitForFunction(() => 'benchResult' in window || 'benchError' in window, null, { timeout: 10 * 60_000, polling: 100 });
      const error = await page.evaluate(() => (window as unknown as { benchError?: string }).benchError);
      if (error) throw new Error(error);
      return page.evaluate(() => (window as unknown as { benchResult: LoadPhases }).benchResult);
    };
    log('cold load…');
    const cold = await once();
    const runs: LoadPhases[] = [];
    for (let i = 0; i < warmRuns; i++) {
      log(`warm load ${i + 1}/${warmRuns}…`);
      runs.push(await once());
    }
    return { cold, warm: runs };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureLoadPhases(warm, (...p) => console.error('[load-phases]', ...p));
  console.log(JSON.stringify(result));
}
