// Performance marks of the engine's load and first forwards ('because:<name>'), in the timeline of the
// thread the engine runs in (the worker's own, or the page's in-thread). Cheap and always on: they
// are how scripts/bench/warm-phases.ts splits a visit into phases. (onnxruntime's own `env.trace`
// points cannot be used for this: they name frames by function name, which its minified bundle lacks.)

export function mark(name: string): void {
  try {
    performance.mark(`because:${name}`);
  } catch {
    // no User Timing here (old runtimes): nothing to record
  }
}
