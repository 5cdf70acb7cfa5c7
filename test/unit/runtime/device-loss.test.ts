// WebGPU device loss without a GPU: the watcher and OOM scope against a fake GPUDevice, and the
// engine against a scripted runtime whose device is lost mid-batch: pending requests finish on WASM,
// labelled 'wasm', and a stream does not repeat what it already sent.
import { describe, expect, it } from 'vitest';
import type { Item, StreamChunk, UserContext } from '../../../src/types.ts';
import { DeviceLostError, isDeviceLost, watchDevice, withDeviceRecovery, withOomScope } from '../../../src/runtime/device-loss.ts';
import type { DeviceLike } from '../../../src/runtime/device-loss.ts';
import { Engine } from '../../../src/engine/engine.ts';
import type { DecoderStep } from '../../../src/generation/generate.ts';
import type { Runtime } from '../../../src/runtime/runtime.ts';
import { fakeRuntime } from '../../../scripts/reliability/fake-runtime.ts';

function fakeDevice(): DeviceLike & { lose(reason?: string): void; scopes: string[]; oom: boolean } {
  let lose: (info: { reason?: string; message?: string }) => void = () => undefined;
  const device = {
    lost: new Promise<{ reason?: string; message?: string }>((resolve) => (lose = resolve)),
    scopes: [] as string[],
    oom: false,
    lose: (reason = 'unknown') => lose({ reason, message: 'GPU reset' }),
    pushErrorScope: (filter: string) => void device.scopes.push(filter),
    popErrorScope: async () => (device.scopes.pop(), device.oom ? { message: 'Out of memory allocating 2 GB' } : null),
  };
  return device as never;
}

describe('device-loss helpers', () => {
  it('reports a loss, but not one the runtime caused itself', async () => {
    const a = fakeDevice();
    const seen = watchDevice(a, () => false);
    a.lose('unknown');
    expect(await seen).toMatch(/WebGPU device was lost \(unknown: GPU reset\)/);
    const b = fakeDevice();
    const mine = watchDevice(b, () => true);
    b.lose('destroyed');
    expect(await mine).toBeNull();
  });

  it('turns an out-of-memory error scope into an error', async () => {
    const device = fakeDevice();
    expect(await withOomScope(device, async () => 7)).toBe(7);
    expect(device.scopes).toEqual([]);
    device.oom = true;
    await expect(withOomScope(device, async () => 7)).rejects.toThrow(/out of memory: Out of memory allocating/);
    expect(await withOomScope(null, async () => 8)).toBe(8);
  });

  it('reruns a batch once after recovery; other errors and a second loss pass through', async () => {
    let recovered = 0;
    const rt = { recover: async () => void recovered++ };
    let calls = 0;
    expect(await withDeviceRecovery(rt, [], async () => (++calls === 1 ? Promise.reject(new DeviceLostError('lost')) : 'done'))).toBe('done');
    expect(recovered).toBe(1);
    await expect(withDeviceRecovery(rt, [], async () => Promise.reject(new Error('bad input')))).rejects.toThrow('bad input');
    await expect(withDeviceRecovery(rt, [], async () => Promise.reject(new DeviceLostError('again')))).rejects.toSatisfy(isDeviceLost);
    await expect(withDeviceRecovery({}, [], async () => Promise.reject(new DeviceLostError('no recover')))).rejects.toSatisfy(isDeviceLost);
  });
});

const context: UserContext = { domain: 'game', history: [{ title: 'Portal', attributes: { tags: ['Puzzle'] } }] };
const items: Item[] = Array.from({ length: 4 }, (_, i) => ({ id: `g${i}`, title: `Game ${i}`, attributes: { tags: ['Puzzle'] } }));
const REPLY = 'Because you played Portal and like Puzzle games.';

/** A scripted 'webgpu' runtime whose device is lost at the `loseAt`-th forward; recover() moves it to 'wasm'. */
function losingRuntime(loseAt: number): Runtime & { recoveries: number; forwards: number } {
  const inner = fakeRuntime({ reply: () => REPLY, factsVocab: ['Puzzle'] });
  let backend: 'webgpu' | 'wasm' = 'webgpu';
  let lost = false;
  const gpuStep: DecoderStep = {
    async run(feeds) {
      rt.forwards++;
      if (lost || rt.forwards === loseAt) {
        lost = true;
        throw new DeviceLostError('the WebGPU device was lost (destroyed)');
      }
      return inner.step.run(feeds);
    },
    release: () => undefined,
  };
  let step = gpuStep;
  // Getters, not copies: the engine reads backend and step per batch.
  const rt = Object.create(inner, {
    recoveries: { value: 0, writable: true },
    forwards: { value: 0, writable: true },
    backend: { get: () => backend },
    backendReason: { get: () => (backend === 'wasm' ? 'device lost; switched to WASM' : 'webgpu') },
    step: { get: () => step },
    recover: {
      value: async () => {
        rt.recoveries++;
        backend = 'wasm';
        step = inner.step;
      },
    },
  }) as Runtime & { recoveries: number; forwards: number };
  return rt;
}

describe('engine on a lost device', () => {
  it('finishes every pending request on WASM when the device is lost mid-batch', async () => {
    const rt = losingRuntime(3); // prefill and one decode step on the GPU, then the loss
    const engine = new Engine({ persistentCache: false, maxNewTokens: 40, loadRuntime: async () => rt });
    try {
      const reasons = await engine.explain(items, context);
      expect(reasons.map((r) => [r.source, r.backend, r.text])).toEqual(items.map(() => ['model', 'wasm', REPLY]));
      expect(rt.recoveries).toBe(1);
      expect((await engine.info()).backend).toBe('wasm');
    } finally {
      await engine.dispose();
    }
  });

  it('streams each word once across the rerun', async () => {
    const rt = losingRuntime(4);
    const engine = new Engine({ persistentCache: false, maxNewTokens: 40, loadRuntime: async () => rt });
    try {
      const chunks: StreamChunk[] = [];
      for await (const chunk of engine.stream(items[0] as Item, context)) chunks.push(chunk);
      const text = chunks.map((c) => (c.type === 'delta' ? c.text : '')).join('');
      expect(text.trim()).toBe(REPLY);
      const last = chunks.at(-1);
      expect(last?.type === 'reason' && last.reason.backend).toBe('wasm');
    } finally {
      await engine.dispose();
    }
  });
});
