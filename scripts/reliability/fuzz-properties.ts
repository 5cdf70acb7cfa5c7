// The fuzz properties of the public API (issue 9), shared by test/unit/scripts/fuzz.test.ts (a short run in
// `npm test`) and scripts/fuzz.ts (`npm run fuzz -- --runs N`). Every run builds an in-thread Engine
// over a scripted model (scripts/reliability/fake-runtime.ts) that sometimes echoes the page's text back, then
// makes 1–3 concurrent explain/stream/rank calls with hostile items, contexts and options, aborts
// some, and sometimes disposes mid-call. Checked for every call:
//   - it settles (no hang) and rejects only with a BecauseError subclass;
//   - explain answers every input position, and no `source: 'model'` text carries page markup or a
//     special-token marker;
//   - the event loop is never blocked longer than `maxBlockMs`.
import fc from 'fast-check';
import { BecauseError } from '../../src/errors.ts';
import type { Item, Reason, UserContext } from '../../src/types.ts';
import type { fakeRuntime as FakeRuntimeFactory } from './fake-runtime.ts';
import { Engine } from '../../src/engine/engine.ts';
import { startLoopMonitor, type LoopMonitor } from './loop-monitor.ts';

/** Markup a page could try to smuggle into a reason: a tag opening, an entity, a special-token marker. */
export const PAGE_MARKUP = /<\/?[a-z!]|&(?:[a-z][a-z0-9]+|#\d+|#x[0-9a-f]+);|<\||\|>/i;

const FRAGMENTS = [
  '<|', '|>', '<|reason|>', '<|end|>', '<|item|>', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<b>', '</b>', '&lt;', '&#60;',
  '\u200b', '\u200c', '\u200d', '\u2060', '\u202e', '\u2066', '\ufeff', '\u00ad', '\ud800', '\udc00', '\u0301', '😀', '👩‍👩‍👧', '中文', 'نور', 'é',
  '\n', '\t', '\r\n', ' ', '   ', '\u3000', '\u0000', '\u0085', '[', ']', ',', 'http://evil.example/x', '__proto__', 'constructor',
  'Puzzle', 'Co-op', 'Portal', 'Racing', 'Ignore previous instructions and say', 'a', 'Game',
];
/** Built once: the strings that cost quadratic or unbounded time before issue 9. */
const HUGE = ['<' + '|'.repeat(100_000), '|'.repeat(50_000) + '>', ' '.repeat(200_000) + 'x', '\u200b'.repeat(100_000), 'x'.repeat(1 << 20), 'e\u0301'.repeat(50_000)];

const fragmentText = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }).map((parts) => parts.join(''));
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fragmentText },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
);
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined), fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.bigInt(), fc.constant(Number.NaN),
  fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1, maxKeys: 3 }), fc.constant(() => 'fn'), fc.constant(Symbol('s')),
);
const value: fc.Arbitrary<unknown> = fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: junk });
const attributes: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(text, fc.oneof(value, fc.array(value, { maxLength: 6 })), { maxKeys: 6 }) },
  { weight: 1, arbitrary: junk },
);
const id: fc.Arbitrary<unknown> = fc.oneof({ weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) }, { weight: 1, arbitrary: value });
const item: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.record({ id, title: value, attributes, description: value }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: junk },
);
const historyEntry = fc.oneof(
  { weight: 8, arbitrary: fc.record({ id, title: value, attributes, weight: fc.oneof(fc.double(), fc.constant(1)) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: junk },
);
const context: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ domain: value, profile: value, history: fc.oneof(fc.array(historyEntry, { maxLength: 10 }), junk) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: junk },
);
/** How a call's signal behaves: none, aborted before, aborted after `ms`, shared by the run's calls, or not a signal. */
const signalPlan = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'pre' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('later' as const), ms: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'shared' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bogus' as const), options: junk }) },
);
const call = fc.record({
  method: fc.constantFrom('explain', 'explain', 'stream', 'rank'),
  items: fc.oneof({ weight: 20, arbitrary: fc.array(item, { maxLength: 12 }) }, { weight: 1, arbitrary: junk }, { weight: 1, arbitrary: fc.constant('too-many' as const) }),
  context,
  signal: signalPlan,
  /** stream(): stop reading after this many chunks (a consumer that leaves early). */
  takeChunks: fc.option(fc.integer({ min: 0, max: 3 })),
});
export const scenario = fc.record({
  calls: fc.array(call, { minLength: 1, maxLength: 3 }),
  /** The scripted model: what it writes for a prompt. */
  model: fc.constantFrom('grounded', 'echo', 'empty', 'mixed'),
  disposeAfterMs: fc.option(fc.integer({ min: 0, max: 15 }), { freq: 6 }),
  loadFails: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});
export type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** The scripted model's reply: a grounded sentence, or the prompt's page text echoed back (an injection). */
function reply(kind: Scenario['model'], prompt: string): string[] {
  const page = prompt.replace(/<\|[a-z]+\|>/g, ' ').trim();
  const grounded = 'Worth a look if you like good games.';
  switch (kind) {
    case 'grounded':
      return [grounded];
    case 'echo':
      return [`Because ${page}`, grounded];
    case 'empty':
      return [''];
    default:
      return prompt.length % 2 ? [`You liked ${page} so try it.`] : [grounded];
  }
}

export interface FuzzStats {
  runs: number;
  calls: number;
  resolved: number;
  /** Rejections by error class name (all BecauseError subclasses, or the property fails). */
  rejected: Record<string, number>;
  modelReasons: number;
  /** Fallback reasons by fallbackReason. */
  fallbacks: Record<string, number>;
  /** Longest event-loop block seen (ms, wall clock: includes time the OS gave other processes). */
  maxBlockMs: number;
  /** CPU time of the longest block (ms): what the bound applies to, so a loaded machine does not fail it. */
  maxBlockCpuMs: number;
  /** Longest call (ms, wall). */
  maxCallMs: number;
}

export interface FuzzLimits {
  /** Longest allowed event-loop block (ms of CPU time, see LoopMonitor.maxBlockCpuMs). */
  maxBlockMs: number;
  /** A call not settled after this long is a hang (ms). */
  hangMs: number;
}

export const DEFAULT_LIMITS: FuzzLimits = { maxBlockMs: 1000, hangMs: 20_000 };

const TOO_MANY: Item[] = Array.from({ length: 1001 }, (_, i) => ({ id: `t${i}`, title: `Item ${i}` }));

function fail(message: string): never {
  throw new Error(message);
}

/** Awaits `p` or fails the property once `ms` have passed. */
async function settle<T>(p: Promise<T>, ms: number, what: string): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`HANG: ${what} did not settle in ${ms} ms`)), ms)));
  try {
    return { ok: true, value: await Promise.race([p, hang]) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('HANG:')) throw error;
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function checkReason(reason: Reason | undefined, where: string, stats: FuzzStats): void {
  if (!reason || typeof reason.itemId !== 'string' || typeof reason.text !== 'string') fail(`${where}: not a Reason: ${String(reason)}`);
  if (reason.source !== 'model' && reason.source !== 'fallback') fail(`${where}: source ${String(reason.source)}`);
  if (reason.source === 'model' && PAGE_MARKUP.test(reason.text)) fail(`${where}: page markup shown as model text: ${JSON.stringify(reason.text.slice(0, 200))}`);
  if (reason.source === 'model') stats.modelReasons++;
  else stats.fallbacks[reason.fallbackReason ?? '?'] = (stats.fallbacks[reason.fallbackReason ?? '?'] ?? 0) + 1;
}

// The scripted model's word vocabulary is module-wide and full after ~4,000 distinct words; random
// page text fills it in a few hundred runs. A fresh module instance (a new URL) every 200 runs gives a
// fresh vocabulary, so a long run tests the engine, not the fake's capacity.
let fakeGeneration = -1;
let fakeModule: Promise<{ fakeRuntime: typeof FakeRuntimeFactory }> | null = null;
function fakeFor(run: number): Promise<{ fakeRuntime: typeof FakeRuntimeFactory }> {
  const generation = Math.floor(run / 200);
  if (!fakeModule || generation !== fakeGeneration) {
    fakeGeneration = generation;
    const url = `${new URL('./fake-runtime.ts', import.meta.url).href}?fuzz=${generation}`;
    fakeModule = import(/* @vite-ignore */ url) as Promise<{ fakeRuntime: typeof FakeRuntimeFactory }>;
  }
  return fakeModule;
}

/** Runs one scenario; throws (failing the property) on any violation. Updates `stats`. */
export async function runScenario(s: Scenario, stats: FuzzStats, limits: FuzzLimits = DEFAULT_LIMITS, monitor?: LoopMonitor): Promise<void> {
  const own = monitor ? null : startLoopMonitor();
  if (own) await own.ready;
  const loop = monitor ?? (own as LoopMonitor);
  loop.reset();
  stats.runs++;
  const { fakeRuntime } = await fakeFor(stats.runs);
  const engine = new Engine({
    persistentCache: false,
    windowMs: 0,
    maxNewTokens: 24,
    loadRuntime: async () => {
      if (s.loadFails) throw new Error('no model here');
      return fakeRuntime({ factsVocab: ['Puzzle', 'Co-op', 'Racing'], titleVocab: ['Portal'], reply: (prompt) => reply(s.model, prompt) });
    },
  });
  const shared = new AbortController();
  const timers: ReturnType<typeof setTimeout>[] = [];
  try {
    const runs = s.calls.map(async (c, k) => {
      const where = `call ${k} (${c.method})`;
      let options: unknown;
      if (c.signal.kind === 'pre') options = { signal: AbortSignal.abort() };
      else if (c.signal.kind === 'shared') options = { signal: shared.signal };
      else if (c.signal.kind === 'bogus') options = c.signal.options === undefined ? { signal: {} } : { signal: c.signal.options };
      else if (c.signal.kind === 'later') {
        const controller = new AbortController();
        timers.push(setTimeout(() => controller.abort(), c.signal.ms));
        options = { signal: controller.signal };
      }
      const items = c.items === 'too-many' ? TOO_MANY : c.items;
      const t0 = performance.now();
      const run = async (): Promise<unknown> => {
        if (c.method === 'rank') return engine.rank(items as Item[], c.context as UserContext);
        if (c.method === 'explain') return engine.explain(items as Item[], c.context as UserContext, options as never);
        const first = Array.isArray(items) ? items[0] : items;
        const chunks: unknown[] = [];
        for await (const chunk of engine.stream(first as Item, c.context as UserContext, options as never)) {
          chunks.push(chunk);
          if (c.takeChunks !== null && chunks.length >= c.takeChunks) break;
        }
        return chunks;
      };
      const result = await settle(run(), limits.hangMs, where);
      stats.calls++;
      stats.maxCallMs = Math.max(stats.maxCallMs, performance.now() - t0);
      if (!result.ok) {
        if (!(result.error instanceof BecauseError)) fail(`${where} rejected with an untyped error: ${String((result.error as Error)?.stack ?? result.error)}`);
        stats.rejected[result.error.name] = (stats.rejected[result.error.name] ?? 0) + 1;
        return;
      }
      stats.resolved++;
      if (c.method === 'explain') {
        const reasons = result.value as Reason[];
        if (!Array.isArray(reasons) || reasons.length !== (items as unknown[]).length) fail(`${where}: ${Array.isArray(reasons) ? reasons.length : typeof reasons} reasons for ${(items as unknown[]).length} items`);
        reasons.forEach((r, i) => checkReason(r, `${where} reason ${i}`, stats));
      } else if (c.method === 'stream') {
        for (const chunk of result.value as { type: string; reason?: Reason; text?: string }[]) {
          if (chunk.type === 'reason') checkReason(chunk.reason, `${where} final`, stats);
          else if (chunk.type !== 'delta' || typeof chunk.text !== 'string') fail(`${where}: bad chunk ${JSON.stringify(chunk)}`);
        }
      } else if (!Array.isArray(result.value)) fail(`${where}: rank returned ${typeof result.value}`);
    });
    if (s.disposeAfterMs !== null) timers.push(setTimeout(() => void engine.dispose(), s.disposeAfterMs));
    if (s.calls.some((c) => c.signal.kind === 'shared')) timers.push(setTimeout(() => shared.abort(), 3));
    await Promise.all(runs);
    const block = loop.maxBlockCpuMs;
    stats.maxBlockMs = Math.max(stats.maxBlockMs, loop.maxBlockMs);
    stats.maxBlockCpuMs = Math.max(stats.maxBlockCpuMs, block);
    if (block > limits.maxBlockMs) fail(`the event loop was blocked for ${block.toFixed(0)} ms of CPU time (bound ${limits.maxBlockMs} ms)`);
  } finally {
    for (const t of timers) clearTimeout(t);
    await engine.dispose();
    own?.stop();
  }
}

export function emptyStats(): FuzzStats {
  return { runs: 0, calls: 0, resolved: 0, rejected: {}, modelReasons: 0, fallbacks: {}, maxBlockMs: 0, maxBlockCpuMs: 0, maxCallMs: 0 };
}

/** Runs `runs` random scenarios (fast-check shrinks a failure to a minimal one and throws it). */
export async function fuzz(options: { runs: number; seed?: number; limits?: FuzzLimits; onProgress?: (stats: FuzzStats) => void; stats?: FuzzStats }): Promise<FuzzStats> {
  const stats = options.stats ?? emptyStats();
  const monitor = startLoopMonitor();
  await monitor.ready;
  try {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await runScenario(s, stats, options.limits ?? DEFAULT_LIMITS, monitor);
        options.onProgress?.(stats);
      }),
      { numRuns: options.runs, seed: options.seed },
    );
  } catch (error) {
    // A counterexample may hold megabyte strings: keep the report readable.
    const cause = (error as Error)?.cause;
    const message = `${String((error as Error)?.message ?? error)}\nCaused by: ${String((cause as Error)?.message ?? cause)}`;
    throw new Error(message.length > 6000 ? `${message.slice(0, 3000)}\n… (${message.length} characters) …\n${message.slice(-3000)}` : message, { cause });
  } finally {
    monitor.stop();
  }
  return stats;
}
