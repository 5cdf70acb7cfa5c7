import { afterEach, describe, expect, it, vi } from 'vitest';
import { AbortError, DisposedError } from '../../../src/errors.ts';
import { BatchScheduler } from '../../../src/engine/scheduler.ts';
import type { BatchContext } from '../../../src/engine/scheduler.ts';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A runner that records batches and finishes each only when the test says so. */
function controlledRunner() {
  const batches: { reqs: string[]; ctx: BatchContext; done: Deferred<Array<string | Error>> }[] = [];
  const run = (reqs: string[], ctx: BatchContext): Promise<Array<string | Error>> => {
    const done = deferred<Array<string | Error>>();
    batches.push({ reqs, ctx, done });
    return done.promise;
  };
  /** Resolves once `n` batches have started (yields to the event loop; real timers). */
  const nthBatch = async (n: number): Promise<void> => {
    for (let spins = 0; batches.length < n; spins++) {
      if (spins > 1000) throw new Error(`batch ${n} never started`);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  const finish = (i: number, map: (r: string) => string | Error = (r) => r.toUpperCase()): void => batches[i]!.done.resolve(batches[i]!.reqs.map(map));
  return { run, batches, nthBatch, finish };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchScheduler', () => {
  it('runs a smaller first batch (firstBatch), then batches of maxBatch', async () => {
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 3, firstBatch: 1, windowMs: 0, run: r.run });
    const results = ['a', 'b', 'c', 'd', 'e'].map((x) => s.submit(x));
    await r.nthBatch(1);
    expect(r.batches.map((b) => b.reqs)).toEqual([['a']]);
    expect(s.pending).toBe(4);
    r.finish(0);
    await r.nthBatch(2);
    r.finish(1);
    await r.nthBatch(3);
    r.finish(2);
    expect(r.batches.map((b) => b.reqs)).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C', 'D', 'E']);
    // Only the first batch is small: later requests are batched up to maxBatch at once.
    const later = ['f', 'g', 'h'].map((x) => s.submit(x));
    await r.nthBatch(4);
    expect(r.batches[3]!.reqs).toEqual(['f', 'g', 'h']);
    r.finish(3);
    expect(await Promise.all(later)).toEqual(['F', 'G', 'H']);
  });

  it('settles a request its batch delivers early, and ignores its entry in the batch result', async () => {
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 3, windowMs: 0, run: r.run });
    const settled: string[] = [];
    const results = ['a', 'b', 'c'].map((x) => s.submit(x).then((v) => (settled.push(v), v), (e: Error) => (settled.push(e.message), e.message)));
    await r.nthBatch(1);
    r.batches[0]!.ctx.deliver(1, 'early b');
    r.batches[0]!.ctx.deliver(2, new Error('early c'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    // b and c are settled while the batch still runs; a waits for it.
    expect(settled).toEqual(['early b', 'early c']);
    expect(s.busy).toBe(true);
    r.batches[0]!.ctx.deliver(1, 'twice');
    r.finish(0);
    expect(await Promise.all(results)).toEqual(['A', 'early b', 'early c']);
  });

  it('starts a full first batch at once, without waiting for the window', async () => {
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 8, firstBatch: 2, windowMs: 10_000, run: r.run });
    const pending = [s.submit('a')];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(r.batches).toHaveLength(0); // one request: the window is still open
    pending.push(s.submit('b'));
    await r.nthBatch(1);
    expect(r.batches[0]!.reqs).toEqual(['a', 'b']);
    r.finish(0);
    expect(await Promise.all(pending)).toEqual(['A', 'B']);
  });

  it('rejects a firstBatch that is not an integer >= 1, and caps it at maxBatch', async () => {
    const run = async (reqs: string[]) => reqs;
    expect(() => new BatchScheduler<string, string>({ maxBatch: 4, firstBatch: 0, windowMs: 0, run })).toThrow(RangeError);
    expect(() => new BatchScheduler<string, string>({ maxBatch: 4, firstBatch: 1.5, windowMs: 0, run })).toThrow(RangeError);
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 2, firstBatch: 5, windowMs: 0, run: r.run });
    const results = ['a', 'b', 'c'].map((x) => s.submit(x));
    await r.nthBatch(1);
    expect(r.batches[0]!.reqs).toEqual(['a', 'b']);
    r.finish(0);
    await r.nthBatch(2);
    r.finish(1);
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C']);
  });

  it('gathers same-tick submits into batches of at most maxBatch, one batch at a time', async () => {
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 3, windowMs: 0, run: r.run });
    const results = ['a', 'b', 'c', 'd', 'e'].map((x) => s.submit(x));
    await r.nthBatch(1);
    expect(r.batches.map((b) => b.reqs)).toEqual([['a', 'b', 'c']]);
    expect(s.busy).toBe(true);
    expect(s.pending).toBe(2);
    r.finish(0);
    await r.nthBatch(2);
    expect(r.batches.map((b) => b.reqs)).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    r.finish(1);
    expect(await Promise.all(results)).toEqual(['A', 'B', 'C', 'D', 'E']);
    await s.idle();
    expect(s.busy).toBe(false);
  });

  it('waits up to windowMs for more requests (fake timers, no timing asserts)', async () => {
    vi.useFakeTimers();
    const run = vi.fn(async (reqs: string[]) => reqs.map((x) => x + '!'));
    const s = new BatchScheduler<string, string>({ maxBatch: 8, windowMs: 50, run });
    const p1 = s.submit('a');
    await vi.advanceTimersByTimeAsync(20);
    expect(run).not.toHaveBeenCalled();
    const p2 = s.submit('b');
    await vi.advanceTimersByTimeAsync(40);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run.mock.calls[0]?.[0]).toEqual(['a', 'b']);
    expect(await Promise.all([p1, p2])).toEqual(['a!', 'b!']);
  });

  it('starts a full batch at once without waiting for the window', async () => {
    vi.useFakeTimers();
    const run = vi.fn(async (reqs: string[]) => reqs);
    const s = new BatchScheduler<string, string>({ maxBatch: 2, windowMs: 10_000, run });
    const ps = [s.submit('a'), s.submit('b')];
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    expect(await Promise.all(ps)).toEqual(['a', 'b']);
  });

  it('removes aborted requests before their batch runs and rejects them with AbortError', async () => {
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 8, windowMs: 0, run: r.run });
    const c = new AbortController();
    const pa = s.submit('a');
    const pb = s.submit('b', { signal: c.signal });
    const pc = s.submit('c');
    c.abort();
    await expect(pb).rejects.toBeInstanceOf(AbortError);
    await r.nthBatch(1);
    expect(r.batches[0]?.reqs).toEqual(['a', 'c']);
    r.finish(0);
    expect(await Promise.all([pa, pc])).toEqual(['A', 'C']);
  });

  it('rejects at once when the signal is already aborted; never runs it', async () => {
    const run = vi.fn(async (reqs: string[]) => reqs);
    const s = new BatchScheduler<string, string>({ maxBatch: 8, windowMs: 0, run });
    const c = new AbortController();
    c.abort(new Error('user left'));
    const err = await s.submit('x', { signal: c.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).name).toBe('AbortError');
    expect(((err as AbortError).cause as Error).message).toBe('user left');
    await s.idle();
    expect(run).not.toHaveBeenCalled();
  });

  it('an abort during a running batch rejects that request at once; the batch signal aborts when all are aborted', async () => {
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 8, windowMs: 0, run: r.run });
    const c1 = new AbortController();
    const c2 = new AbortController();
    const p1 = s.submit('a', { signal: c1.signal });
    const p2 = s.submit('b', { signal: c2.signal });
    await r.nthBatch(1);
    c1.abort();
    await expect(p1).rejects.toBeInstanceOf(AbortError);
    expect(r.batches[0]?.ctx.signal.aborted).toBe(false);
    c2.abort();
    await expect(p2).rejects.toBeInstanceOf(AbortError);
    expect(r.batches[0]?.ctx.signal.aborted).toBe(true);
    r.finish(0); // late results are ignored
    await s.idle();
  });

  it('an Error result rejects only its own request', async () => {
    const s = new BatchScheduler<string, string>({
      maxBatch: 8,
      windowMs: 0,
      run: async (reqs) => reqs.map((x) => (x === 'bad' ? new Error(`no ${x}`) : x)),
    });
    const results = await Promise.allSettled([s.submit('a'), s.submit('bad'), s.submit('c')]);
    expect(results.map((x) => x.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('no bad');
  });

  it('a throwing run rejects that batch only; the scheduler keeps working', async () => {
    let calls = 0;
    const s = new BatchScheduler<string, string>({
      maxBatch: 2,
      windowMs: 0,
      run: (reqs) => {
        calls++;
        if (calls === 1) throw new Error('sync boom');
        if (calls === 2) return Promise.reject(new Error('async boom'));
        return Promise.resolve(reqs);
      },
    });
    const all = await Promise.allSettled(['a', 'b', 'c', 'd', 'e', 'f'].map((x) => s.submit(x)));
    expect(all.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).message))).toEqual(['sync boom', 'sync boom', 'async boom', 'async boom', 'e', 'f']);
  });

  it('rejects requests the run forgot to answer', async () => {
    const s = new BatchScheduler<string, string>({ maxBatch: 8, windowMs: 0, run: async (reqs) => reqs.slice(0, 1) });
    const all = await Promise.allSettled([s.submit('a'), s.submit('b')]);
    expect(all[0]).toEqual({ status: 'fulfilled', value: 'a' });
    expect((all[1] as PromiseRejectedResult).reason.message).toMatch(/1 results for 2 requests/);
  });

  it('runs higher priority first; equal priority keeps submit order', async () => {
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 2, windowMs: 0, run: r.run });
    const first = s.submit('busy');
    await r.nthBatch(1);
    const rest = [s.submit('low', { priority: 0 }), s.submit('high', { priority: 10 }), s.submit('low2'), s.submit('mid', { priority: 5 })];
    r.finish(0);
    await r.nthBatch(2);
    expect(r.batches[1]?.reqs).toEqual(['high', 'mid']);
    r.finish(1);
    await r.nthBatch(3);
    expect(r.batches[2]?.reqs).toEqual(['low', 'low2']);
    r.finish(2);
    expect(await Promise.all([first, ...rest])).toEqual(['BUSY', 'LOW', 'HIGH', 'LOW2', 'MID']);
  });

  it('dispose rejects queued and running requests and later submits with DisposedError', async () => {
    const r = controlledRunner();
    const s = new BatchScheduler<string, string>({ maxBatch: 1, windowMs: 0, run: r.run });
    const running = s.submit('a');
    await r.nthBatch(1);
    const queued = s.submit('b');
    s.dispose();
    await expect(running).rejects.toBeInstanceOf(DisposedError);
    await expect(queued).rejects.toBeInstanceOf(DisposedError);
    await expect(s.submit('c')).rejects.toBeInstanceOf(DisposedError);
    r.finish(0);
    await s.idle();
    expect(r.batches).toHaveLength(1);
  });

  it('validates its options', () => {
    const run = async (): Promise<never[]> => [];
    expect(() => new BatchScheduler({ maxBatch: 0, windowMs: 0, run })).toThrow(RangeError);
    expect(() => new BatchScheduler({ maxBatch: 1, windowMs: -1, run })).toThrow(RangeError);
  });
});
