// When the embed may start fetching (worker, transformers.js, runtime, model): not while the page
// loads its own content. It opens at the first of: the browser is idle after the page's `load` event
// (requestIdleCallback with a timeout, so a busy page still gets reasons), a card scrolled into view,
// or a cap in case `load` never comes (a hanging image). Before that the embed only mounts empty
// regions; nothing leaves the page.

export type GateReason = 'idle' | 'scroll' | 'timeout' | 'api';

/** requestIdleCallback's timeout: reasons start at most this long after `load`. */
export const IDLE_TIMEOUT_MS = 2000;
/** Opens the gate even if the page's `load` event has not come by then. */
export const MAX_WAIT_MS = 10_000;

export interface LoadGate {
  readonly isOpen: boolean;
  /** Why it opened (null while closed). */
  readonly reason: GateReason | null;
  /** Resolves with the reason once open. */
  readonly opened: Promise<GateReason>;
  open(reason: GateReason): void;
  dispose(): void;
}

interface GateWindow {
  document: { readyState: string };
  addEventListener(type: 'load', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'load', listener: () => void): void;
  setTimeout(handler: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  requestIdleCallback?(callback: () => void, options?: { timeout: number }): number;
  cancelIdleCallback?(id: number): void;
}

export function createLoadGate(win: GateWindow, timing = { idleTimeoutMs: IDLE_TIMEOUT_MS, maxWaitMs: MAX_WAIT_MS }): LoadGate {
  let resolve: (reason: GateReason) => void = () => undefined;
  const opened = new Promise<GateReason>((ok) => (resolve = ok));
  let reason: GateReason | null = null;
  let idleId: number | null = null;
  let idleTimer: unknown = null;

  const cleanup = (): void => {
    win.removeEventListener('load', onLoad);
    win.clearTimeout(cap);
    if (idleTimer !== null) win.clearTimeout(idleTimer);
    if (idleId !== null) win.cancelIdleCallback?.(idleId);
  };
  const gate: LoadGate = {
    get isOpen() {
      return reason !== null;
    },
    get reason() {
      return reason;
    },
    opened,
    open(why) {
      if (reason !== null) return;
      reason = why;
      cleanup();
      resolve(why);
    },
    dispose: cleanup,
  };
  function onLoad(): void {
    if (reason !== null) return;
    if (typeof win.requestIdleCallback === 'function') idleId = win.requestIdleCallback(() => gate.open('idle'), { timeout: timing.idleTimeoutMs });
    else idleTimer = win.setTimeout(() => gate.open('idle'), 200); // Safari < 18: no requestIdleCallback
  }
  const cap = win.setTimeout(() => gate.open('timeout'), timing.maxWaitMs);
  if (win.document.readyState === 'complete') onLoad();
  else win.addEventListener('load', onLoad, { once: true });
  return gate;
}
