// The longest time the event loop was blocked while something ran: a 1 ms interval timer notes the
// largest gap between its ticks. Used by the fuzz suite, the soak benchmark and the cost tests.

export interface LoopMonitor {
  /** Longest block (ms) since start or the last reset: the largest tick gap less the 1 ms period. */
  readonly maxBlockMs: number;
  reset(): void;
  stop(): void;
}

/** Starts the monitor; await `ready` (one tick) before the work to measure. */
export function startLoopMonitor(): LoopMonitor & { ready: Promise<void> } {
  let last = performance.now();
  let max = 0;
  let tick: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (tick = resolve));
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 1);
    last = now;
    tick();
  }, 1);
  return {
    ready,
    get maxBlockMs() {
      // A block still running (the caller reads this synchronously after the work) counts too.
      return Math.max(max, performance.now() - last - 1);
    },
    reset() {
      max = 0;
      last = performance.now();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
