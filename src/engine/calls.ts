// The engine's running calls: one AbortController each, aborted by the caller's signal or all at
// once by dispose().
type SetMaxListeners = (n: number, ...targets: EventTarget[]) => void;
// Node warns when more than 10 listeners watch one AbortSignal; a page of 24 requests shares one.
const setMaxListeners: SetMaxListeners | undefined = (() => {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return (get?.('node:events') as { setMaxListeners?: SetMaxListeners } | undefined)?.setMaxListeners;
})();

export class Calls {
  /** Each running call's controller, with the function that detaches its listener from the caller's signal. */
  private readonly running = new Map<AbortController, () => void>();

  /** A controller for one call: aborted by the caller's signal or by abortAll(). */
  start(parent: AbortSignal | undefined): AbortController {
    const controller = new AbortController();
    setMaxListeners?.(0, controller.signal);
    const onAbort = (): void => controller.abort();
    if (parent?.aborted) controller.abort();
    else parent?.addEventListener('abort', onAbort, { once: true });
    // A page may share one signal across thousands of calls: each call's listener leaves with the call.
    this.running.set(controller, () => parent?.removeEventListener('abort', onAbort));
    return controller;
  }

  end(controller: AbortController): void {
    this.running.get(controller)?.();
    this.running.delete(controller);
  }

  abortAll(): void {
    for (const call of this.running.keys()) call.abort();
  }
}
