// A busy engine is observable through info() (issue 9): busyMs while a batch runs, and over the
// worker wire info() answers within INFO_TIMEOUT_MS even when the worker does not.
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { INFO_TIMEOUT_MS, WorkerExplainer } from '../../../src/worker-client.ts';
import { Engine } from '../../../src/engine/engine.ts';
import { createWorkerApi } from '../../../src/engine-host.ts';
import type { Runtime } from '../../../src/runtime/runtime.ts';
import { fakeRuntime } from '../../../scripts/reliability/fake-runtime.ts';

const item = { id: 'p', title: 'Portal 2', attributes: { tags: ['Puzzle'] } };
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

function overChannel(load: () => Promise<Runtime>): { x: WorkerExplainer; channel: MessageChannel } {
  return exposing(createWorkerApi((o) => new Engine({ ...o, loadRuntime: load }), Comlink.releaseProxy));
}

/** A WorkerExplainer talking to `api` over a MessageChannel, as to a worker. */
function exposing(api: object): { x: WorkerExplainer; channel: MessageChannel } {
  const channel = new MessageChannel();
  Comlink.expose(api, channel.port2 as never);
  const port = channel.port1 as unknown as Worker;
  (port as unknown as { terminate: () => void }).terminate = () => {
    channel.port1.close();
    channel.port2.close();
  };
  const x = new WorkerExplainer(port, { persistentCache: false });
  closers.push(() => x.dispose());
  return { x, channel };
}

describe('busy engine', () => {
  it('info() reports busyMs while a batch runs, and none when idle', async () => {
    const rt = fakeRuntime({ reply: () => 'A Puzzle game you will like.', stepMs: 60 });
    const e = new Engine({ persistentCache: false, loadRuntime: async () => rt });
    closers.push(() => e.dispose());
    expect((await e.info()).busyMs).toBeUndefined();
    const running = e.explain([item], { domain: 'game' });
    await new Promise((r) => setTimeout(r, 150));
    const busy = await e.info();
    expect(busy.busyMs).toBeGreaterThan(50);
    await running;
    expect((await e.info()).busyMs).toBeUndefined();
  });

  it('over the worker wire, info() answers within its bound once the worker stops answering', async () => {
    const rt = fakeRuntime({ reply: () => 'A Puzzle game you will like.' });
    const { x, channel } = overChannel(async () => rt);
    expect((await x.info()).modelLoaded).toBe(true);
    channel.port2.close(); // the worker side goes silent (as a worker stuck in one long computation)
    const t0 = performance.now();
    const info = await x.info();
    expect(performance.now() - t0).toBeLessThan(INFO_TIMEOUT_MS * 3);
    expect(info).toMatchObject({ modelLoaded: true, backend: 'cpu' });
    expect(info.busyMs).toBeGreaterThanOrEqual(INFO_TIMEOUT_MS - 50);
  });
});

describe('a worker busy with the next batch', () => {
  it('stream() ends on the reason chunk, without waiting for the call result (which a busy worker sends late)', async () => {
    const reason = { itemId: 'p', text: 'A Puzzle game.', facts: [], source: 'model', backend: 'wasm', tokens: 4, ms: 1 };
    const aborted: number[] = [];
    const api = {
      init: async () => undefined,
      stream: (_id: number, _item: unknown, _ctx: unknown, onChunk: (c: unknown) => Promise<void>) => {
        void onChunk({ type: 'delta', text: reason.text });
        void onChunk({ type: 'reason', reason });
        return new Promise<void>(() => undefined); // the worker never gets to answer the call itself
      },
      abort: (id: number) => void aborted.push(id),
      dispose: async () => undefined,
    };
    const { x } = exposing(api);
    const chunks: string[] = [];
    for await (const chunk of x.stream(item, { domain: 'game' })) chunks.push(chunk.type === 'delta' ? chunk.text : `reason:${chunk.reason.text}`);
    expect(chunks).toEqual(['A Puzzle game.', 'reason:A Puzzle game.']);
    expect(aborted).toEqual([]); // a finished reason is not an abandoned one
  });
});
