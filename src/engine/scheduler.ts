// A generic request batcher, independent of the model: concurrent submits are gathered for a short
// window into batches of at most `maxBatch`, and batches run one at a time (the model is
// single-threaded). Aborted requests leave the queue before their batch runs; a failing request
// or batch rejects only itself.
import { AbortError, DisposedError } from '../errors.ts';

export interface BatchContext<Res = unknown> {
  /** Aborted when every request of this batch has been aborted: the runner may stop early. */
  signal: AbortSignal;
  /**
   * Settles the batch's request `index` now, before the batch ends (its entry in run()'s array is
   * then ignored): a row that is done need not wait for the batch's longest one.
   */
  deliver(index: number, result: Res | Error): void;
}

export interface BatchSchedulerOptions<Req, Res> {
  /** Largest batch handed to `run` (≥ 1). */
  maxBatch: number;
  /**
   * Largest FIRST batch (≥ 1, capped at maxBatch; default maxBatch). A big batch steps slowly (a step
   * costs per row), so a small first batch gets its results out early; every later batch is
   * `maxBatch` again (throughput).
   */
  firstBatch?: number;
  /**
   * How long the first queued request waits for others before its batch starts (ms, ≥ 0).
   * 0 still gathers everything submitted in the same task. A full batch starts at once, and
   * requests queued while a batch runs start right after it, without waiting again.
   */
  windowMs: number;
  /** Runs one batch: one result per request, in order; an Error entry rejects only that request. */
  run: (batch: Req[], context: BatchContext<Res>) => Promise<Array<Res | Error>>;
}

export interface SubmitOptions {
  signal?: AbortSignal;
  /** Higher runs first (e.g. visible cards); equal priorities keep submit order. Default 0. */
  priority?: number;
}

interface Entry<Req, Res> {
  req: Req;
  priority: number;
  seq: number;
  resolve: (value: Res) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  /** Settled already (aborted, disposed): ignore the batch result. */
  settled: boolean;
  cleanup: () => void;
}

function abortError(signal: AbortSignal | undefined): AbortError {
  const reason: unknown = signal?.reason;
  return reason instanceof AbortError ? reason : new AbortError('The request was aborted.', reason === undefined ? {} : { cause: reason });
}

export class BatchScheduler<Req, Res> {
  private readonly maxBatch: number;
  private readonly firstBatch: number;
  /** A batch has been taken (the next ones are up to maxBatch). */
  private tookFirst = false;
  private readonly windowMs: number;
  private readonly runBatch: BatchSchedulerOptions<Req, Res>['run'];
  private queue: Entry<Req, Res>[] = [];
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private disposed = false;
  private idleWaiters: (() => void)[] = [];
  /** The running batch's entries and its abort controller. */
  private inFlight: Entry<Req, Res>[] = [];
  private batchAbort: AbortController | undefined;

  constructor(options: BatchSchedulerOptions<Req, Res>) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError('BatchScheduler: maxBatch must be an integer >= 1');
    if (!(options.windowMs >= 0)) throw new RangeError('BatchScheduler: windowMs must be >= 0');
    const first = options.firstBatch ?? options.maxBatch;
    if (!Number.isInteger(first) || first < 1) throw new RangeError('BatchScheduler: firstBatch must be an integer >= 1');
    this.maxBatch = options.maxBatch;
    this.firstBatch = Math.min(first, options.maxBatch);
    this.windowMs = options.windowMs;
    this.runBatch = options.run;
  }

  /** Requests waiting (not yet in a running batch). */
  get pending(): number {
    return this.queue.length;
  }

  /** Whether a batch is running now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Queues one request; resolves with its result, rejects with its own error, AbortError or DisposedError. */
  submit(req: Req, options: SubmitOptions = {}): Promise<Res> {
    const { signal } = options;
    if (this.disposed) return Promise.reject(new DisposedError('The scheduler was disposed; create a new explainer.'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Res>((resolve, reject) => {
      const entry: Entry<Req, Res> = {
        req,
        priority: Number.isFinite(options.priority) ? (options.priority as number) : 0,
        seq: this.seq++,
        resolve,
        reject,
        signal,
        settled: false,
        cleanup: () => undefined,
      };
      if (signal) {
        const onAbort = (): void => this.abort(entry);
        signal.addEventListener('abort', onAbort, { once: true });
        entry.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(entry);
      this.schedule();
    });
  }

  /** Starts the next batch now instead of waiting for the window. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.startNext();
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Rejects every queued and running request with DisposedError; later submits reject too. */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const error = new DisposedError('The explainer was disposed while this request was waiting.');
    for (const entry of this.queue) this.settle(entry, () => entry.reject(error));
    this.queue = [];
    this.inFlight.forEach((entry) => this.settle(entry, () => entry.reject(error)));
    this.notifyIdle();
  }

  private settle(entry: Entry<Req, Res>, how: () => void): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.cleanup();
    how();
  }

  private abort(entry: Entry<Req, Res>): void {
    const queued = this.queue.indexOf(entry);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(entry, () => entry.reject(abortError(entry.signal)));
    // A running batch whose requests are all aborted is told to stop.
    if (this.inFlight.length > 0 && this.inFlight.every((e) => e.settled)) this.batchAbort?.abort();
    if (queued >= 0 && this.queue.length === 0 && this.timer !== undefined && !this.running) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.notifyIdle();
    }
  }

  private schedule(): void {
    if (this.running) return; // the running batch starts the next one when it ends
    if (this.queue.length >= this.batchLimit()) return this.flush();
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.startNext();
      }, this.windowMs);
    }
  }

  private batchLimit(): number {
    return this.tookFirst ? this.maxBatch : this.firstBatch;
  }

  private take(): Entry<Req, Res>[] {
    this.queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    const batch = this.queue.splice(0, this.batchLimit());
    if (batch.length > 0) this.tookFirst = true;
    return batch;
  }

  private startNext(): void {
    if (this.running || this.disposed) return;
    const batch = this.take();
    if (batch.length === 0) return this.notifyIdle();
    this.running = this.execute(batch).finally(() => {
      this.running = undefined;
      this.inFlight = [];
      this.batchAbort = undefined;
      if (this.queue.length > 0) this.startNext();
      else this.notifyIdle();
    });
  }

  private async execute(batch: Entry<Req, Res>[]): Promise<void> {
    this.inFlight = batch;
    const controller = new AbortController();
    this.batchAbort = controller;
    let results: Array<Res | Error>;
    const deliver = (index: number, result: Res | Error): void => {
      const entry = batch[index];
      if (entry) this.settle(entry, () => (result instanceof Error ? entry.reject(result) : entry.resolve(result)));
    };
    try {
      // Called inside try so a synchronous throw is caught like a rejection.
      results = await this.runBatch(
        batch.map((e) => e.req),
        { signal: controller.signal, deliver },
      );
      if (!Array.isArray(results)) throw new TypeError('BatchScheduler: run() must resolve to an array of results.');
    } catch (error) {
      for (const entry of batch) this.settle(entry, () => entry.reject(error));
      return;
    }
    batch.forEach((entry, i) => {
      if (entry.settled) return;
      if (i >= results.length) {
        this.settle(entry, () => entry.reject(new Error(`BatchScheduler: run() returned ${results.length} results for ${batch.length} requests.`)));
        return;
      }
      const result = results[i] as Res | Error;
      this.settle(entry, () => (result instanceof Error ? entry.reject(result) : entry.resolve(result)));
    });
  }

  private notifyIdle(): void {
    if (this.running || this.queue.length > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
