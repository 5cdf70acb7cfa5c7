// Browser side of `npm run soak:browser`: the public API with its Web Worker (the default in a
// browser), the shipped model on WASM, many explain() calls with cache hits and misses mixed, a
// shared long-lived signal for half of them and a fresh one (sometimes aborted) for the rest, and the
// explainer disposed and recreated periodically. Memory: measureUserAgentSpecificMemory() (page and
// its workers; the page is cross-origin isolated) after each `every` calls.
import { createExplainer } from '../../src/explainer.ts';
import { isAbortError } from '../../src/errors.ts';
import type { Explainer, Item, UserContext } from '../../src/types.ts';
import { mulberry32 } from '../../src/core/random.ts';

export interface SoakSample {
  calls: number;
  /** Bytes of the page and its workers (measureUserAgentSpecificMemory), or null where unavailable. */
  bytes: number | null;
  ms: number;
}

export interface BrowserSoakResult {
  calls: number;
  errors: number;
  aborted: number;
  recreated: number;
  samples: SoakSample[];
  reasons: { model: number; fallback: number; cached: number };
}

type MemoryApi = { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };

async function memory(): Promise<number | null> {
  const api = (performance as unknown as MemoryApi).measureUserAgentSpecificMemory;
  if (!api || !self.crossOriginIsolated) return null;
  try {
    return (await api.call(performance)).bytes;
  } catch {
    return null;
  }
}

// Deterministic (mulberry32, seeded), so two runs make the same calls.
const random = mulberry32(0x5eed);

const TAGS = ['Puzzle', 'Co-op', 'Action', 'Indie', 'RPG', 'Strategy', 'Adventure', 'Simulation'];
const tag = (): string => TAGS[Math.floor(random() * TAGS.length)] as string;
/** Cache hits: a pool of 24 items; misses: a fresh title each time. */
const pool: Item[] = Array.from({ length: 24 }, (_, i) => ({ id: `p${i}`, title: `Pool Game ${i}`, attributes: { tags: [TAGS[i % 8] as string, TAGS[(i + 3) % 8] as string] } }));
const context: UserContext = { domain: 'game', history: [{ title: 'Portal', attributes: { tags: ['Puzzle', 'Co-op'] } }] };

async function run(calls: number, every: number, recreateEvery: number, missRate: number): Promise<BrowserSoakResult> {
  const t0 = performance.now();
  const make = (): Explainer => createExplainer({ device: 'wasm', persistentCache: false });
  let explainer = make();
  const shared = new AbortController();
  const out: BrowserSoakResult = { calls: 0, errors: 0, aborted: 0, recreated: 0, samples: [], reasons: { model: 0, fallback: 0, cached: 0 } };
  out.samples.push({ calls: 0, bytes: await memory(), ms: 0 });
  for (let n = 1; n <= calls; n++) {
    const miss = random() < missRate;
    const item: Item = miss ? { id: `m${n}`, title: `Soak Game ${n}`, attributes: { tags: [tag(), tag()] } } : (pool[Math.floor(random() * pool.length)] as Item);
    const fresh = random() < 0.5 ? new AbortController() : null;
    const abortEarly = fresh !== null && random() < 0.05;
    try {
      const pending = explainer.explain([item], context, { signal: (fresh ?? shared).signal });
      if (abortEarly) fresh?.abort();
      const [reason] = await pending;
      if (reason) {
        if (reason.cached) out.reasons.cached++;
        if (reason.source === 'model') out.reasons.model++;
        else out.reasons.fallback++;
      }
    } catch (error) {
      if (isAbortError(error)) out.aborted++;
      else out.errors++;
    }
    out.calls = n;
    // Sampled before a recreation, so every sample has a live worker with its model.
    if (n % every === 0) out.samples.push({ calls: n, bytes: await memory(), ms: Math.round(performance.now() - t0) });
    if (n % recreateEvery === 0 && n < calls) {
      await explainer.dispose();
      explainer = make();
      out.recreated++;
    }
  }
  await explainer.dispose();
  return out;
}

(window as unknown as { soakRun: typeof run }).soakRun = run;
document.body.dataset.ready = 'true';
