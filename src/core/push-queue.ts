// A callback-fed queue read as an async iterator: the producer calls `push` (a stream's deltas, the
// worker's chunks) and `close` once it has settled; the consumer reads with `for await`. Used by
// both streams of the API (Engine.stream, WorkerExplainer.stream).
export class PushQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | null = null;
  private done = false;

  /** True once close() was called (more values may still be waiting to be read). */
  get closed(): boolean {
    return this.done;
  }

  readonly push = (value: T): void => {
    this.items.push(value);
    this.notify();
  };

  readonly close = (): void => {
    this.done = true;
    this.notify();
  };

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        continue;
      }
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    this.wake?.();
    this.wake = null;
  }
}
