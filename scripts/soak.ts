// Soak benchmark (issue 9): `npm run soak -- [--calls 10000] [--fake] [--json]`.
// Many explain() calls through the public API in this thread (createExplainer({ worker: false }),
// the shipped model; `--fake`: the Engine over the scripted model of scripts/reliability/fake-runtime.ts, to
// look at the engine alone), with cache hits and misses mixed, a long-lived signal shared by half of
// the calls and a fresh one for the rest (some aborted mid-call), and the explainer disposed and
// recreated every `--recreate-every` calls. Every `--every` calls: heap and RSS after a full GC
// (node --expose-gc, which `npm run soak` passes), the listeners left on the shared signal, the
// longest event-loop block. The slope is a least-squares fit over the samples after the first.
import { getEventListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseCatalog, type Game } from '../src/demo/catalog.ts';
import { createExplainer } from '../src/explainer.ts';
import { isAbortError } from '../src/errors.ts';
import type { Explainer, Item, UserContext } from '../src/types.ts';
import { fakeRuntime } from './reliability/fake-runtime.ts';
import { Engine } from '../src/engine/engine.ts';
import { startLoopMonitor } from './reliability/loop-monitor.ts';
import { mulberry32 } from '../src/core/random.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000' },
    every: { type: 'string', default: '1000' },
    'recreate-every': { type: 'string', default: '2500' },
    'miss-rate': { type: 'string', default: '0.1' },
    fake: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const CALLS = Number(values.calls);
const EVERY = Number(values.every);
const RECREATE = Number(values['recreate-every']);
const MISS_RATE = Number(values['miss-rate']);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run soak does): heap figures after GC need it.');

// Deterministic (mulberry32, seeded), so two runs make the same calls.
const random = mulberry32(0x5eed);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const games: Game[] = parseCatalog(JSON.parse(readFileSync(new URL('../public/demo/catalog.json', import.meta.url), 'utf8')));
const asItem = (g: Game, suffix = ''): Item => ({ id: g.id + suffix, title: g.title + suffix, attributes: { genres: g.genres, tags: g.tags, developer: g.developer } });
/** The "page": items that are explained again and again (cache hits after their first call). */
const hot = games.slice(0, 24).map((g) => asItem(g));
const contexts: UserContext[] = [0, 1, 2].map((k) => ({ domain: 'game', history: games.slice(100 + k * 5, 104 + k * 5).map((g) => ({ title: g.title, attributes: { tags: g.tags } })) }));

function newExplainer(): Explainer {
  if (!values.fake) return createExplainer({ worker: false, persistentCache: false });
  return new Engine({ persistentCache: false, windowMs: 1, loadRuntime: async () => fakeRuntime({ reply: () => 'Worth a look if you like good games.' }) });
}

interface Sample {
  calls: number;
  heapMB: number;
  rssMB: number;
  externalMB: number;
  sharedSignalListeners: number;
  /** Longest event-loop block since the last sample: wall clock, and the CPU time spent in it. */
  maxBlockMs: number;
  maxBlockCpuMs: number;
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 100) / 100;
function measure(calls: number, shared: AbortSignal, maxBlockMs: number, maxBlockCpuMs: number): Sample {
  for (let i = 0; i < 3; i++) gc?.();
  const m = process.memoryUsage();
  return { calls, heapMB: mb(m.heapUsed), rssMB: mb(m.rss), externalMB: mb(m.external), sharedSignalListeners: getEventListeners(shared, 'abort').length, maxBlockMs: Math.round(maxBlockMs), maxBlockCpuMs: Math.round(maxBlockCpuMs) };
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

const t0 = performance.now();
const monitor = startLoopMonitor();
await monitor.ready;
const shared = new AbortController();
let explainer = newExplainer();
const counts = { calls: 0, items: 0, hits: 0, misses: 0, model: 0, fallback: 0, aborted: 0, recreated: 0, errors: 0 };
const errors: string[] = [];
let misses = 0;
const samples: Sample[] = [measure(0, shared.signal, 0, 0)];
for (let call = 1; call <= CALLS; call++) {
  const n = 1 + Math.floor(random() * 4);
  const items: Item[] = [];
  for (let k = 0; k < n; k++) items.push(random() < MISS_RATE ? asItem(pick(games), ` #${++misses}`) : pick(hot));
  const fresh = random() < 0.5 ? new AbortController() : null;
  const signal = fresh?.signal ?? shared.signal;
  const abortLater = fresh && random() < 0.02 ? setTimeout(() => fresh.abort(), Math.floor(random() * 3)) : null;
  try {
    const reasons = await explainer.explain(items, pick(contexts), { signal });
    counts.items += reasons.length;
    for (const r of reasons) {
      if (r.cached) counts.hits++;
      else counts.misses++;
      if (r.source === 'model') counts.model++;
      else counts.fallback++;
    }
  } catch (error) {
    if (isAbortError(error)) counts.aborted++;
    else {
      counts.errors++;
      if (errors.length < 5) errors.push(String((error as Error)?.stack ?? error));
    }
  } finally {
    if (abortLater) clearTimeout(abortLater);
  }
  counts.calls++;
  if (call % RECREATE === 0 && call < CALLS) {
    await explainer.dispose();
    explainer = newExplainer();
    counts.recreated++;
  }
  if (call % EVERY === 0) {
    samples.push(measure(call, shared.signal, monitor.maxBlockMs, monitor.maxBlockCpuMs));
    monitor.reset();
    if (!values.json) console.error(`… ${call} calls: heap ${samples.at(-1)?.heapMB} MB, rss ${samples.at(-1)?.rssMB} MB`);
  }
}
await explainer.dispose();
monitor.stop();

const tail = samples.slice(1); // the first sample is before the model and caches warmed up
const first = tail[0] as Sample;
const last = tail.at(-1) as Sample;
const report = {
  mode: values.fake ? 'fake model (Engine in this thread)' : 'shipped model (createExplainer({ worker: false }))',
  node: process.version,
  seconds: Math.round((performance.now() - t0) / 100) / 10,
  calls: CALLS,
  recreateEvery: RECREATE,
  missRate: MISS_RATE,
  counts,
  heapGrowthMB: Math.round((last.heapMB - first.heapMB) * 100) / 100,
  heapSlopeMBPer1000Calls: Math.round(slope(tail.map((s) => s.calls), tail.map((s) => s.heapMB)) * 1000 * 1000) / 1000,
  rssGrowthMB: Math.round((last.rssMB - first.rssMB) * 100) / 100,
  rssSlopeMBPer1000Calls: Math.round(slope(tail.map((s) => s.calls), tail.map((s) => s.rssMB)) * 1000 * 1000) / 1000,
  leakedListeners: last.sharedSignalListeners,
  maxBlockMs: Math.max(...tail.map((s) => s.maxBlockMs)),
  maxBlockCpuMs: Math.max(...tail.map((s) => s.maxBlockCpuMs)),
  samples,
  errors,
};
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`soak (${report.mode}): ${CALLS} calls in ${report.seconds} s; ${counts.hits} hits, ${counts.misses} misses, ${counts.aborted} aborted, ${counts.errors} errors, recreated ${counts.recreated}×`);
  console.log(`  heap after GC: ${first.heapMB} → ${last.heapMB} MB (growth ${report.heapGrowthMB} MB, slope ${report.heapSlopeMBPer1000Calls} MB/1000 calls); rss ${first.rssMB} → ${last.rssMB} MB (slope ${report.rssSlopeMBPer1000Calls} MB/1000 calls)`);
  console.log(`  listeners left on the shared signal: ${report.leakedListeners}; longest event-loop block ${report.maxBlockMs} ms wall / ${report.maxBlockCpuMs} ms CPU`);
}
process.exitCode = counts.errors > 0 ? 1 : 0;
