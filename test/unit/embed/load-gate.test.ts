// The embed's load gate: closed while the page loads; opens on idle after `load` (requestIdleCallback
// with its timeout), on a scroll or an API call first, or at the cap when `load` never comes. And the
// lazy explainer creates nothing until started.
import { describe, expect, it, vi } from 'vitest';
import { createLoadGate, IDLE_TIMEOUT_MS } from '../../../src/embed/load-gate.ts';
import { LazyExplainer } from '../../../src/embed/lazy-explainer.ts';
import type { Explainer } from '../../../src/types.ts';

function fakeWindow(readyState: string, idle = true) {
  const load: (() => void)[] = [];
  const idleCalls: { cb: () => void; timeout: number }[] = [];
  const win = {
    document: { readyState },
    addEventListener: (_: 'load', l: () => void) => void load.push(l),
    removeEventListener: vi.fn(),
    setTimeout: (h: () => void, ms: number) => setTimeout(h, ms),
    clearTimeout: (id: unknown) => clearTimeout(id as ReturnType<typeof setTimeout>),
    ...(idle ? { requestIdleCallback: (cb: () => void, o?: { timeout: number }) => idleCalls.push({ cb, timeout: o?.timeout ?? 0 }), cancelIdleCallback: vi.fn() } : {}),
  };
  return { win, fireLoad: () => load.forEach((l) => l()), idleCalls };
}

describe('load gate', () => {
  it('stays closed until the page has loaded and is idle', async () => {
    const { win, fireLoad, idleCalls } = fakeWindow('interactive');
    const gate = createLoadGate(win);
    expect(gate.isOpen).toBe(false);
    expect(idleCalls).toHaveLength(0); // no idle callback before load
    fireLoad();
    expect(idleCalls).toHaveLength(1);
    expect(idleCalls[0]!.timeout).toBe(IDLE_TIMEOUT_MS);
    expect(gate.isOpen).toBe(false);
    idleCalls[0]!.cb();
    expect(await gate.opened).toBe('idle');
    expect(gate.reason).toBe('idle');
    gate.dispose();
  });

  it('a scroll (or an API call) opens it before load; the first reason wins', async () => {
    const { win, fireLoad, idleCalls } = fakeWindow('loading');
    const gate = createLoadGate(win);
    gate.open('scroll');
    gate.open('api');
    expect(await gate.opened).toBe('scroll');
    fireLoad();
    expect(idleCalls).toHaveLength(0); // nothing scheduled once open
  });

  it('an already loaded page schedules the idle callback at once; no requestIdleCallback: a short timer', async () => {
    const loaded = fakeWindow('complete');
    const g1 = createLoadGate(loaded.win);
    expect(loaded.idleCalls).toHaveLength(1);
    g1.dispose();
    vi.useFakeTimers();
    try {
      const safari = fakeWindow('complete', false);
      const g2 = createLoadGate(safari.win);
      expect(g2.isOpen).toBe(false);
      await vi.advanceTimersByTimeAsync(250);
      expect(g2.reason).toBe('idle');
      // load never comes: the cap opens it
      const stuck = fakeWindow('loading');
      const g3 = createLoadGate(stuck.win, { idleTimeoutMs: 100, maxWaitMs: 1000 });
      await vi.advanceTimersByTimeAsync(999);
      expect(g3.isOpen).toBe(false);
      await vi.advanceTimersByTimeAsync(2);
      expect(g3.reason).toBe('timeout');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('LazyExplainer', () => {
  it('creates nothing until used; then once; a failed start fails every call without retrying', async () => {
    const inner = { explain: vi.fn(async () => []), dispose: vi.fn(async () => undefined) } as unknown as Explainer;
    const create = vi.fn(async () => inner);
    const lazy = new LazyExplainer(create);
    await lazy.dispose(); // never started: nothing created just to dispose it
    expect(create).not.toHaveBeenCalled();
    await lazy.explain([], {});
    await lazy.explain([], {});
    expect(create).toHaveBeenCalledTimes(1);

    const failing = vi.fn(async (): Promise<Explainer> => {
      throw new Error('worker-src blocked');
    });
    const broken = new LazyExplainer(failing);
    await expect(broken.start()).rejects.toThrow('worker-src blocked');
    await expect(broken.explain([], {})).rejects.toThrow('worker-src blocked');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(broken.error).toBeInstanceOf(Error);
  });
});
