// createExplainer(): the one entry point. In a browser the engine runs in a module Web Worker;
// with `worker: false` or where there is no Worker (Node, tests) it runs in the calling thread.
// The page side never imports the runtime statically: in-thread mode loads src/engine/engine.ts with
// a dynamic import, so an embed that only uses the worker stays small.
import { validateOptions } from './core/options.ts';
import { UnsupportedEnvironmentError } from './errors.ts';
import type { ExplainOptions, Explainer, ExplainerInfo, ExplainerOptions, Item, RankedItem, Reason, StreamChunk, UserContext } from './types.ts';
import { WorkerExplainer } from './worker-client.ts';

type EngineModule = typeof import('./engine/engine.ts');

/** The engine in this thread, created on first use (the model starts loading at once). */
class InThreadExplainer implements Explainer {
  private readonly engine: Promise<InstanceType<EngineModule['Engine']>>;

  constructor(options: ExplainerOptions) {
    this.engine = import('./engine/engine.ts').then((m) => new m.Engine(options));
  }

  async explain(items: readonly Item[], context: UserContext, options?: ExplainOptions): Promise<Reason[]> {
    return (await this.engine).explain(items, context, options);
  }

  async *stream(item: Item, context: UserContext, options?: ExplainOptions): AsyncIterable<StreamChunk> {
    yield* (await this.engine).stream(item, context, options);
  }

  async rank(items: readonly Item[], context: UserContext): Promise<RankedItem[]> {
    return (await this.engine).rank(items, context);
  }

  async info(): Promise<ExplainerInfo> {
    return (await this.engine).info();
  }

  async dispose(): Promise<void> {
    return (await this.engine).dispose();
  }
}

const hasWorker = (): boolean => typeof Worker !== 'undefined';
const inBrowser = (): boolean => typeof window !== 'undefined' && typeof document !== 'undefined';

/** Starts the worker script; the caller writes the literal `new Worker(new URL(…), …)` vite bundles. */
export type StartWorker = () => Worker;

const startDefaultWorker: StartWorker = () =>
  new Worker(new URL('../workers/explainer.worker.ts', import.meta.url), { type: 'module', name: 'because-explainer' });

/**
 * Creates an Explainer. The model starts loading immediately; `info()` resolves once it has loaded
 * (or failed: then `modelLoaded` is false and every reason is a labelled fallback).
 *
 * - default in a browser: a module Web Worker (the page thread stays free);
 * - `worker: false`, or no `Worker` (Node): in the calling thread;
 * - `worker: true` where there is no `Worker`: UnsupportedEnvironmentError.
 * Invalid options throw InvalidOptionsError at once, naming the option (e.g. "did you mean 'device'?").
 */
export function createExplainer(options: ExplainerOptions = {}): Explainer {
  return pickExplainer(options, startDefaultWorker, (opts) => new InThreadExplainer(opts));
}

/**
 * The one place that validates options and picks worker or in-thread, for every caller: createExplainer
 * (demo, Node, the package) and the embed, which starts its worker its own way (cross-origin) and
 * has no in-thread engine to bundle (`inThread` absent: where it would be picked, an
 * UnsupportedEnvironmentError says so).
 */
export function pickExplainer(options: ExplainerOptions, startWorker: StartWorker, inThread?: (options: ExplainerOptions) => Explainer): Explainer {
  const opts = validateOptions(options);
  const wantWorker = opts.worker ?? (inBrowser() && hasWorker());
  if (!wantWorker) {
    if (inThread) return inThread(opts);
    throw new UnsupportedEnvironmentError('This build runs the engine only in a Web Worker; pass worker: true in a browser with Web Workers.');
  }
  if (!hasWorker()) {
    throw new UnsupportedEnvironmentError('worker: true was requested but this environment has no Web Worker; pass worker: false to run in this thread.');
  }
  let worker: Worker;
  try {
    worker = startWorker();
  } catch (error) {
    throw new UnsupportedEnvironmentError(
      `Could not start the explainer worker (${String((error as Error)?.message ?? error)}). A Content-Security-Policy may block workers: allow worker-src 'self', or pass worker: false.`,
    );
  }
  return new WorkerExplainer(worker, opts);
}
