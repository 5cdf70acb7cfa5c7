// The Web Worker: exposes the in-thread engine (engine.ts) through comlink, nothing else.
// Request ids let the page abort a call (its AbortSignal cannot cross the thread boundary).
import * as Comlink from 'comlink';
import { DisposedError, serializeError } from '../src/errors.ts';
import type { Item, ProgressEvent, StreamChunk, UserContext } from '../src/types.ts';
import type { WorkerApi, WorkerInitOptions } from '../src/worker-client.ts';
import { Engine } from './engine.ts';

let engine: Engine | null = null;
const controllers = new Map<number, AbortController>();

function current(): Engine {
  if (!engine) throw new DisposedError('The explainer is not initialized or was disposed.');
  return engine;
}

/** Runs one call under its own AbortController; errors cross as plain {name, message} Errors. */
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

const api: WorkerApi = {
  async init(options: WorkerInitOptions, onProgress?: (event: ProgressEvent) => void) {
    // The page's callback is a comlink proxy: fire and forget, never block loading on it.
    engine = new Engine({ ...options, onProgress: onProgress ? (event) => void onProgress(event) : undefined });
  },
  explain: (id: number, items: Item[], context: UserContext) => tracked(id, (signal) => current().explain(items, context, { signal })),
  stream: (id: number, item: Item, context: UserContext, onChunk: (chunk: StreamChunk) => void) =>
    tracked(id, async (signal) => {
      for await (const chunk of current().stream(item, context, { signal })) void onChunk(chunk);
    }),
  abort(id: number) {
    controllers.get(id)?.abort();
  },
  async rank(items: Item[], context: UserContext) {
    try {
      return await current().rank(items, context);
    } catch (error) {
      throw serializeError(error);
    }
  },
  async info() {
    try {
      return await current().info();
    } catch (error) {
      throw serializeError(error);
    }
  },
  async dispose() {
    for (const controller of controllers.values()) controller.abort();
    const e = engine;
    engine = null;
    await e?.dispose();
  },
};

Comlink.expose(api);
