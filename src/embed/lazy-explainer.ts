// An Explainer that starts nothing (no worker, no request, not even the engine client's code) until
// it is first used or start() is called: the embed creates it at once so `because.explainer` exists,
// and starts it when the load gate opens (load-gate.ts). `create` is async so that the worker client
// (comlink, error revival) is a separate chunk, fetched at start, not part of the page's script.
import type { ExplainOptions, Explainer, ExplainerInfo, Item, RankedItem, Reason, StreamChunk, UserContext } from '../types.ts';

export class LazyExplainer implements Explainer {
  private inner: Promise<Explainer> | null = null;
  private failure: unknown = null;

  constructor(private readonly create: () => Promise<Explainer>) {}

  get started(): boolean {
    return this.inner !== null;
  }

  /** The error of a start that failed (then every call rejects with it; no retry per call). */
  get error(): unknown {
    return this.failure;
  }

  /** Starts the engine (idempotent). Rejects when it cannot start, e.g. a CSP that forbids the worker. */
  start(): Promise<Explainer> {
    this.inner ??= this.create().catch((error: unknown) => {
      this.failure = error ?? new Error('the engine could not start');
      throw this.failure;
    });
    return this.inner;
  }

  async explain(items: readonly Item[], context: UserContext, options?: ExplainOptions): Promise<Reason[]> {
    return (await this.start()).explain(items, context, options);
  }

  async *stream(item: Item, context: UserContext, options?: ExplainOptions): AsyncIterable<StreamChunk> {
    yield* (await this.start()).stream(item, context, options);
  }

  async rank(items: readonly Item[], context: UserContext): Promise<RankedItem[]> {
    return (await this.start()).rank(items, context);
  }

  async info(): Promise<ExplainerInfo> {
    return (await this.start()).info();
  }

  /** Never started: nothing to free (and nothing is started just to be disposed). */
  async dispose(): Promise<void> {
    if (!this.inner) return;
    await (await this.inner.catch(() => null))?.dispose();
  }
}
