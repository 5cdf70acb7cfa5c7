// The longest time the event loop was blocked while something ran: a 1 ms interval timer notes the
// largest gap between its ticks (wall time), and the process CPU time spent in that gap. On a loaded
// machine a wall-clock gap also counts the time the OS gave to other processes; the CPU time is
// what the blocking work itself cost (it includes GC and other threads of this process, so it
// errs high, never low). Node only (process.cpuUsage). Used by the fuzz suite, the soak benchmark
// and the cost tests.

export interface LoopMonitor {
  /** Longest block (ms, wall) since start or the last reset: the largest tick gap less the 1 ms period. */
  readonly maxBlockMs: number;
  /** CPU time (ms) this process spent during the longest-CPU gap. */
  readonly maxBlockCpuMs: number;
  reset(): void;
  stop(): void;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Starts the monitor; await `ready` (one tick) before the work to measure. */
export function startLoopMonitor(): LoopMonitor & { ready: Promise<void> } {
  let last = performance.now();
  let lastCpu = cpuMs();
  let max = 0;
  let maxCpu = 0;
  let tick: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (tick = resolve));
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = cpuMs();
    max = Math.max(max, now - last - 1);
    maxCpu = Math.max(maxCpu, cpu - lastCpu - 1);
    last = now;
    lastCpu = cpu;
    tick();
  }, 1);
  return {
    ready,
    get maxBlockMs() {
      // A block still running (the caller reads this synchronously after the work) counts too.
      return Math.max(max, performance.now() - last - 1);
    },
    get maxBlockCpuMs() {
      return Math.max(maxCpu, cpuMs() - lastCpu - 1);
    },
    reset() {
      max = 0;
      maxCpu = 0;
      last = performance.now();
      lastCpu = cpuMs();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
