// What the worker exposes: the engine's methods keyed by request id (an AbortSignal cannot cross the
// thread boundary, so the page sends `abort(id)`), errors turned into plain data (serializeError) that
// the page revives as the same typed classes. Separate from explainer.worker.ts so Node tests can
// drive it over a MessageChannel.
import type * as Comlink from 'comlink';
import { DisposedError, serializeError } from '../src/errors.ts';
import type { Explainer, ExplainerOptions, Item, ProgressEvent, StreamChunk, UserContext } from '../src/types.ts';
import type { WorkerApi, WorkerInitOptions } from '../src/worker-client.ts';
import { Engine } from './engine.ts';
import type { EngineOptions } from './engine.ts';

export type EngineFactory = (options: ExplainerOptions) => Explainer;

/**
 * Rows of the worker engine's first batch. A page streams its cards and shows each reason as it
 * finishes, and a batch finishes when its longest row does: the first cards go alone, so the first
 * reason comes early, and the rest batch after them. (In-thread callers, mostly explain() of a whole
 * list that resolves at once, keep one batch: there a split only adds time.)
 */
export const PAGE_FIRST_BATCH = 2;

/** The options the worker creates its engine with. */
export function workerEngineOptions(options: ExplainerOptions): EngineOptions {
  return { firstBatch: PAGE_FIRST_BATCH, ...options };
}

export function createWorkerApi(makeEngine: EngineFactory = (options) => new Engine(workerEngineOptions(options)), releaseProxy?: typeof Comlink.releaseProxy): WorkerApi {
  let engine: Explainer | null = null;
  const controllers = new Map<number, AbortController>();

  const current = (): Explainer => {
    if (!engine) throw new DisposedError('The explainer is not initialized or was disposed.');
    return engine;
  };

  /** Runs one call under its own AbortController; errors cross as plain data. */
  async function tracked<T>(id: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    controllers.set(id, controller);
    try {
      return await run(controller.signal);
    } catch (error) {
      throw serializeError(error);
    } finally {
      controllers.delete(id);
    }
  }

  async function plain<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw serializeError(error);
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
    rank: (items: Item[], context: UserContext) => plain(() => current().rank(items, context)),
    info: () => plain(() => current().info()),
    async dispose() {
      for (const controller of controllers.values()) controller.abort();
      const e = engine;
      engine = null;
      await e?.dispose();
    },
  };
}
