// The engine behind the wire (protocol.ts): its methods keyed by request id (an AbortSignal cannot
// cross the thread boundary, so the page sends `abort(id)`); thrown errors cross through protocol.ts'
// transfer handler. Separate from workers/explainer.worker.ts so Node tests can drive it over a
// MessageChannel.
import type * as Comlink from 'comlink';
import { DisposedError } from './errors.ts';
import { installErrorTransfer, type WorkerApi, type WorkerInitOptions } from './protocol.ts';
import type { Explainer, ExplainerOptions, Item, ProgressEvent, StreamChunk, UserContext } from './types.ts';
import { Engine } from './engine/engine.ts';
import type { EngineOptions } from './engine/engine.ts';

export type EngineFactory = (options: ExplainerOptions) => Explainer;

/**
 * Rows of the worker engine's first batch. A page streams its cards and shows each reason as it
 * finishes, and a step's cost grows with its batch's rows: the first cards go alone, so the first
 * reason comes early, and the rest batch after them. (In-thread callers, mostly explain() of a whole
 * list that resolves at once, keep one batch: there a split only adds time.)
 */
export const PAGE_FIRST_BATCH = 2;

/** The options the worker creates its engine with. */
export function workerEngineOptions(options: ExplainerOptions): EngineOptions {
  return { firstBatch: PAGE_FIRST_BATCH, ...options };
}

export function createWorkerApi(makeEngine: EngineFactory = (options) => new Engine(workerEngineOptions(options)), releaseProxy?: typeof Comlink.releaseProxy): WorkerApi {
  installErrorTransfer();
  let engine: Explainer | null = null;
  const controllers = new Map<number, AbortController>();

  const current = (): Explainer => {
    if (!engine) throw new DisposedError('The explainer is not initialized or was disposed.');
    return engine;
  };

  /** Runs one call under its own AbortController. */
  async function tracked<T>(id: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    controllers.set(id, controller);
    try {
      return await run(controller.signal);
    } finally {
      controllers.delete(id);
    }
  }

  return {
    async init(options: WorkerInitOptions, onProgress?: (event: ProgressEvent) => void) {
      // The page's callback is a comlink proxy: fire and forget, never block loading on it.
      engine = makeEngine({ ...options, onProgress: onProgress ? (event) => void onProgress(event) : undefined });
    },
    explain: (id: number, items: Item[], context: UserContext) => tracked(id, (signal) => current().explain(items, context, { signal })),
    stream: (id: number, item: Item, context: UserContext, onChunk: (chunk: StreamChunk) => void) =>
      tracked(id, async (signal) => {
        // Chunks travel on the callback's own MessagePort, the call's result on the main one: wait for
        // every chunk to be delivered before returning, or the page could see the end first.
        const delivered: Promise<unknown>[] = [];
        try {
          for await (const chunk of current().stream(item, context, { signal })) delivered.push(Promise.resolve(onChunk(chunk)));
          await Promise.all(delivered);
        } finally {
          // The callback is a comlink proxy of the page's function: free its MessageChannel.
          if (releaseProxy) (onChunk as unknown as Record<symbol, () => void>)[releaseProxy]?.();
        }
      }),
    abort(id: number) {
      controllers.get(id)?.abort();
    },
    rank: async (items: Item[], context: UserContext) => current().rank(items, context),
    info: async () => current().info(),
    async dispose() {
      for (const controller of controllers.values()) controller.abort();
      const e = engine;
      engine = null;
      await e?.dispose();
    },
  };
}
