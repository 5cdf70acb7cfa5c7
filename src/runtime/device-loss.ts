// WebGPU device loss. A GPUDevice can be lost at any time (driver reset, GPU process crash, another
// tab's OOM, `device.destroy()`); every buffer on it, the KV cache included, is gone, and a forward
// pass may fail or never finish. The runtime watches `device.lost`, fails the running step with
// DeviceLostError, and reloads the model on WASM; the engine reruns the interrupted batch
// (withDeviceRecovery), so pending requests finish there instead of failing.
import { BecauseError } from '../errors.ts';

/** The WebGPU device went away during a step: the batch must be rerun from its prompts. Internal: the engine retries it. */
export class DeviceLostError extends BecauseError {
  override readonly code = 'DEVICE_LOST';
}
Object.defineProperty(DeviceLostError.prototype, 'name', { value: 'DeviceLostError', writable: true, configurable: true, enumerable: false });

export function isDeviceLost(error: unknown): error is DeviceLostError {
  return error instanceof DeviceLostError || (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'DEVICE_LOST');
}

/** What the runtime needs of a GPUDevice (typed loosely: no @webgpu/types in this project). */
export interface DeviceLike {
  lost: Promise<{ reason?: string; message?: string }>;
  destroy?(): void;
  pushErrorScope?(filter: 'out-of-memory' | 'validation' | 'internal'): void;
  popErrorScope?(): Promise<{ message?: string } | null>;
}

/** A runtime whose device can be lost: `recover()` reloads it elsewhere (idempotent). */
export interface Recoverable {
  recover?(): Promise<void>;
}

/**
 * Runs `work` over a batch's rows; if the device was lost under it, waits for the runtime to come back
 * on another backend and runs the rows once more. Text a row already streamed is not streamed again
 * (the rerun is greedy from the same prompt, so it writes the same prefix). Any other error, or a
 * second loss, is thrown as is.
 */
export async function withDeviceRecovery<R extends { onDelta?: (text: string) => void }, T>(rt: Recoverable, rows: readonly R[], work: (rows: R[]) => Promise<T>): Promise<T> {
  const sent = rows.map(() => 0);
  const counted = rows.map((row, i) => (row.onDelta ? { ...row, onDelta: (text: string) => ((sent[i] = (sent[i] ?? 0) + text.length), row.onDelta?.(text)) } : row));
  try {
    return await work(counted);
  } catch (error) {
    if (!isDeviceLost(error) || !rt.recover) throw error;
    await rt.recover();
    const resumed = rows.map((row, i) => {
      if (!row.onDelta) return row;
      let skip = sent[i] ?? 0;
      return {
        ...row,
        onDelta: (text: string) => {
          const cut = Math.min(skip, text.length);
          skip -= cut;
          if (cut < text.length) row.onDelta?.(text.slice(cut));
        },
      };
    });
    return work(resumed);
  }
}

/**
 * Resolves with a description when `device` is lost (never rejects). `intended()` says whether the
 * loss was ours (dispose), which is not a loss to recover from.
 */
export function watchDevice(device: DeviceLike, intended: () => boolean): Promise<string | null> {
  return device.lost.then(
    (info) => (intended() ? null : `the WebGPU device was lost (${info?.reason ?? 'unknown'}${info?.message ? `: ${info.message}` : ''})`),
    () => null,
  );
}

/**
 * Runs `work` inside an out-of-memory error scope: a GPU allocation that fails does not throw in
 * WebGPU, it is only reported to the scope; this turns it into an error.
 */
export async function withOomScope<T>(device: DeviceLike | null, work: () => Promise<T>): Promise<T> {
  if (!device?.pushErrorScope || !device.popErrorScope) return work();
  device.pushErrorScope('out-of-memory');
  let result: T;
  try {
    result = await work();
  } finally {
    const oom = await device.popErrorScope().catch(() => null);
    if (oom) throw new DeviceLostError(`WebGPU ran out of memory: ${oom.message ?? 'out-of-memory'}`);
  }
  return result;
}

// Test hook (chromium e2e): the devices of live WebGPU runtimes, so a test can destroy one.
const live = new Set<DeviceLike>();

export function trackDevice(device: DeviceLike): () => void {
  live.add(device);
  return () => void live.delete(device);
}

/** Destroys the WebGPU device of every live runtime, as a GPU reset would. For tests only; returns how many. */
export function loseDevicesForTesting(): number {
  const n = live.size;
  for (const device of live) device.destroy?.();
  return n;
}
