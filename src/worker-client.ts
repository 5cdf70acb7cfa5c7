// The page side of the worker: an `Explainer` that forwards every call to workers/explainer.worker.ts
// through comlink (the wire: protocol.ts). Streams come back through a comlink.proxy callback; an
// AbortSignal becomes an `abort(requestId)` call; errors thrown in the worker arrive as our typed
// classes (protocol.ts' transfer handler).
import * as Comlink from 'comlink';
import { DEFAULT_DTYPE, isBareModelName, modelIdOf } from './defaults.ts';
import { validateCallOptions } from './core/validate.ts';
import { AbortError, BecauseError, DisposedError, InvalidInputError, reviveError, WorkerCrashedError } from './errors.ts';
import { installErrorTransfer, type WorkerApi, type WorkerInitOptions } from './protocol.ts';
import { PushQueue } from './core/push-queue.ts';
import type { DType, ExplainOptions, Explainer, ExplainerInfo, ExplainerOptions, Item, ProgressEvent, RankedItem, Reason, StreamChunk, UserContext } from './types.ts';

/** context → history → entry → attributes → array → value is 5 levels; deeper data is not page data. */
const MAX_DEPTH = 6;

/**
 * A structured-clone-safe copy of page data: only strings, finite numbers, booleans, null, arrays
 * and plain objects survive (functions, DOM nodes, symbols, cycles are dropped), so postMessage can
 * never throw DataCloneError on a storefront's odd objects. Validation proper happens in the worker.
 */
export function cloneable(value: unknown, depth = 0): unknown {
  try {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') return Number.isFinite(value) ? value : null;
    if (depth >= MAX_DEPTH || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) return value.map((v) => cloneable(v, depth + 1) ?? null);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return undefined;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = cloneable((value as Record<string, unknown>)[key], depth + 1);
      if (v !== undefined) out[key] = v;
    }
    return out;
  } catch {
    return undefined; // a throwing getter or proxy
  }
}

const asItem = (item: unknown): Item => (cloneable(item) ?? {}) as Item;
const asContext = (context: unknown): UserContext => (cloneable(context) ?? {}) as UserContext;

/** Resolves a relative URL against the page, since the worker's own base URL is its script. */
function absolute(url: string | undefined): string | undefined {
  if (!url || typeof document === 'undefined') return url;
  try {
    return new URL(url, document.baseURI).href;
  } catch {
    return url;
  }
}

/**
 * The model option for the worker: a URL or path made absolute against the page (the worker's own URL
 * would be the base otherwise); a bare folder name ('because-reason-v1') left as it is, a folder of
 * the default models base, as in the calling thread (runtime/location.ts).
 */
export function modelOption(model: string | undefined): string | undefined {
  return model !== undefined && isBareModelName(model) ? model : absolute(model);
}

/** Longest info() waits for the worker before answering with the last known info and `busyMs`. */
export const INFO_TIMEOUT_MS = 1000;

export class WorkerExplainer implements Explainer {
  private readonly remote: Comlink.Remote<WorkerApi>;
  private readonly ready: Promise<void>;
  private nextId = 1;
  private disposed = false;
  private crashed: Error | null = null;
  private readonly pending = new Set<(error: Error) => void>();

  private readonly modelId: string;
  private readonly dtype: DType;
  private lastInfo: ExplainerInfo | null = null;
  /** When the worker last answered any call (performance.now()). */
  private lastAnswer = performance.now();

  constructor(private readonly worker: Worker, options: ExplainerOptions) {
    this.modelId = modelIdOf(options.model);
    this.dtype = options.dtype ?? DEFAULT_DTYPE;
    installErrorTransfer();
    this.remote = Comlink.wrap<WorkerApi>(worker);
    worker.addEventListener('error', (event) => this.crash(new WorkerCrashedError(`The explainer worker failed: ${event.message || 'unknown error'}. Create a new explainer.`)));
    worker.addEventListener('messageerror', () => this.crash(new WorkerCrashedError('A message from the explainer worker could not be read. Create a new explainer.')));
    const { onProgress, worker: _worker, ...rest } = options;
    void _worker;
    const init: WorkerInitOptions = { ...(cloneable(rest) as WorkerInitOptions), model: modelOption(rest.model), wasmPaths: absolute(rest.wasmPaths) };
    const progress = onProgress ? Comlink.proxy((e: ProgressEvent) => onProgress(e)) : undefined;
    this.ready = this.call(() => this.remote.init(init, progress));
    // Errors surface through the calls that await `ready`; never an unhandled rejection here.
    this.ready.catch(() => undefined);
  }

  async explain(items: readonly Item[], context: UserContext, callOptions?: ExplainOptions): Promise<Reason[]> {
    const options = validateCallOptions(callOptions, 'explain');
    if (!Array.isArray(items)) throw new InvalidInputError('explain(items, context): items must be an array of items.');
    if (this.crashed && !this.disposed) return this.offline(items, context);
    try {
      return await this.withRequest(options.signal, (id) => this.remote.explain(id, items.map(asItem), asContext(context)));
    } catch (error) {
      if (error instanceof WorkerCrashedError && !this.disposed) return this.offline(items, context);
      throw error;
    }
  }

  /** After the worker died (or never started): labelled fallbacks built on the page, no model. */
  private async offline(items: readonly Item[], context: UserContext): Promise<Reason[]> {
    const { offlineReasons } = await import('./core/fallback.ts');
    return offlineReasons(items.map(asItem), asContext(context), 'wasm');
  }

  async *stream(item: Item, context: UserContext, callOptions?: ExplainOptions): AsyncIterable<StreamChunk> {
    const options = validateCallOptions(callOptions, 'stream');
    if (this.crashed && !this.disposed) {
      const [reason] = await this.offline([item], context);
      if (reason?.text) yield { type: 'delta', text: reason.text };
      if (reason) yield { type: 'reason', reason };
      return;
    }
    const chunks = new PushQueue<StreamChunk>();
    let failure: unknown = null;
    const onChunk = Comlink.proxy((chunk: StreamChunk) => chunks.push(chunk));
    let requestId = 0;
    const done = this.withRequest(options.signal, (id) => {
      requestId = id;
      return this.remote.stream(id, asItem(item), asContext(context), onChunk);
    }).then(
      () => chunks.close(),
      (error: unknown) => {
        failure = error;
        chunks.close();
      },
    );
    let answered = false;
    try {
      for await (const chunk of chunks) {
        yield chunk;
        // The reason is the last chunk: the page has its answer now. The call's own result needs a
        // round trip through the worker (it waits for the page to take every chunk), and a worker
        // deep in the next batch of the page answers messages only between batches.
        if (chunk.type === 'reason') {
          answered = true;
          return;
        }
      }
      await done;
      if (failure instanceof WorkerCrashedError && !this.disposed) {
        // The worker died under this request: finish it with a labelled fallback.
        const [reason] = await this.offline([item], context);
        if (reason?.text) yield { type: 'delta', text: reason.text };
        if (reason) yield { type: 'reason', reason };
        return;
      }
      if (failure) throw failure;
    } finally {
      // The consumer stopped early (break/return): stop generating for it.
      if (!answered && !chunks.closed && requestId) void this.remote.abort(requestId);
    }
  }

  async rank(items: readonly Item[], context: UserContext): Promise<RankedItem[]> {
    if (!Array.isArray(items)) throw new InvalidInputError('rank(items, context): items must be an array of items.');
    return this.withRequest(undefined, () => this.remote.rank(items.map(asItem), asContext(context)));
  }

  async info(): Promise<ExplainerInfo> {
    if (this.crashed && !this.disposed) {
      return { backend: 'wasm', backendReason: `the model worker is not running, every reason is a fallback: ${this.crashed.message}`, modelId: this.modelId, dtype: this.dtype, modelLoaded: false };
    }
    // A busy worker never blocks the page: once the worker has answered info() (the model loaded or
    // failed), past INFO_TIMEOUT_MS the last known info comes back with busyMs, the time since the
    // worker last answered. Before that, info() waits for the load, as the in-thread engine does.
    const answer = this.withRequest(undefined, () => this.remote.info()).then((info) => (this.lastInfo = info));
    if (!this.lastInfo) return answer;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<ExplainerInfo>((resolve) => {
      timer = setTimeout(() => {
        resolve({ ...(this.lastInfo as ExplainerInfo), busyMs: Math.round(performance.now() - this.lastAnswer) });
      }, INFO_TIMEOUT_MS);
    });
    answer.catch(() => undefined); // a failure after the timeout is reported by the next call
    try {
      return await Promise.race([answer, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.crashed) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        // Let the worker free the model and GPU buffers, but never hang on a stuck worker.
        await Promise.race([this.remote.dispose(), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      } catch {
        // The worker is going away regardless.
      } finally {
        clearTimeout(timer);
      }
    }
    this.remote[Comlink.releaseProxy]();
    this.worker.terminate();
    for (const reject of this.pending) reject(new DisposedError('The explainer was disposed while this call was running.'));
    this.pending.clear();
  }

  private crash(error: Error): void {
    if (this.crashed) return;
    this.crashed = error;
    for (const reject of this.pending) reject(error);
    this.pending.clear();
  }

  /** Runs a remote call that rejects when the worker dies or the explainer is disposed; errors are revived. */
  private call<T>(run: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new DisposedError('This explainer was disposed; create a new one with createExplainer().'));
    if (this.crashed) return Promise.reject(this.crashed);
    return new Promise<T>((resolve, reject) => {
      const fail = (error: Error): void => reject(error);
      this.pending.add(fail);
      run().then(
        (value) => {
          this.lastAnswer = performance.now();
          this.pending.delete(fail);
          resolve(value);
        },
        (error: unknown) => {
          this.pending.delete(fail);
          // Worker errors arrive typed (protocol.ts); this types the page's own, e.g. a DataCloneError.
          reject(error instanceof BecauseError ? error : reviveError(error));
        },
      );
    });
  }

  private async withRequest<T>(signal: AbortSignal | undefined, run: (id: number) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new AbortError('The request was aborted before it started.');
    await this.ready.catch(() => undefined); // a load failure still answers (with fallbacks)
    const id = this.nextId++;
    const onAbort = (): void => void this.remote.abort(id);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.call(() => run(id));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
