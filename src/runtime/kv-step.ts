// The decode loop's DecoderStep over an onnxruntime session: feeds and KV tensors, logits of the last
// position, cache expand/compact/release, and the guard that orders steps against dispose and device loss.
import type { DecoderStep, KvCache, StepResult } from '../generation/generate.ts';
import { DisposedError } from '../errors.ts';
import { mark } from '../trace.ts';
import { DeviceLostError } from './device-loss.ts';
import type { DeviceLike } from './device-loss.ts';
import type { OrtTensorLike, TensorCtor } from './wasm-fallback.ts';

/** A tensor of either ORT (transformers.js' Tensor adds `to`, used for non-fp32 logits). */
type TTensor = OrtTensorLike & { to?(type: 'float32'): OrtTensorLike };

export interface Session {
  step: DecoderStep & { kvLocation: string | null };
  device: DeviceLike | null;
  dispose(): Promise<void>;
}

/** One token at the last position the config allows, no past. */
export function probeFeeds(maxPositions: number): Parameters<DecoderStep['run']>[0] {
  return {
    inputIds: BigInt64Array.from([0n]),
    attentionMask: BigInt64Array.from([1n]),
    positionIds: BigInt64Array.from([BigInt(maxPositions - 1)]),
    rows: 1,
    width: 1,
    maskWidth: 1,
    past: null,
  };
}

/** How long a failed GPU forward waits for `device.lost` to say whether the device is gone. */
const LOSS_REPORT_MS = 1000;
/** How long recovery waits for a forward on the lost device to end before leaving that session undisposed. */
export const LOST_FORWARD_MS = 5000;

/**
 * Orders steps against dispose and device loss. After dispose() no forward starts (transformers.js
 * would log "Session already disposed" with every input tensor), and dispose waits for the one in
 * flight. After a device loss every step fails with DeviceLostError until the WASM session is ready.
 */
export class StepGuard {
  closed = false;
  lostWhy: string | null = null;
  /** The forwards ORT is running (the raw ones: a step that gave up on a lost device may leave one behind). */
  private readonly forwards = new Set<Promise<unknown>>();
  private readonly onLose = new Set<(why: string) => void>();

  lose(why: string): void {
    this.lostWhy = why;
    for (const listener of [...this.onLose]) listener(why);
  }

  /** The loss, as soon as it is known; null after `ms` without one. */
  private lossWithin(ms: number): { promise: Promise<string | null>; cancel(): void } {
    if (this.lostWhy) return { promise: Promise.resolve(this.lostWhy), cancel: () => undefined };
    let timer: ReturnType<typeof setTimeout> | undefined;
    let listener: (why: string | null) => void = () => undefined;
    const promise = new Promise<string | null>((resolve) => {
      listener = (why) => {
        clearTimeout(timer);
        this.onLose.delete(listener);
        resolve(why);
      };
      this.onLose.add(listener);
      if (Number.isFinite(ms)) timer = setTimeout(() => listener(null), ms);
    });
    return { promise, cancel: () => listener(null) };
  }

  /** Waits until ORT runs no forward, at most `ms`; true when it is idle. */
  async settle(ms: number): Promise<boolean> {
    const end = performance.now() + ms;
    while (this.forwards.size > 0) {
      const left = end - performance.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled([...this.forwards]), new Promise((resolve) => (timer = setTimeout(resolve, left)))]);
      clearTimeout(timer);
    }
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.settle(10_000);
  }

  /** Runs one forward; `onGpu`: the session is on the WebGPU device, which may be lost under it. */
  async run<T>(forward: () => Promise<T>, onGpu: boolean): Promise<T> {
    if (this.closed) throw new DisposedError('The model was disposed.');
    if (onGpu && this.lostWhy) throw new DeviceLostError(this.lostWhy);
    const work = forward();
    this.forwards.add(work);
    const untrack = (): void => void this.forwards.delete(work);
    work.then(untrack, untrack);
    if (!onGpu) return work;
    // A forward on a lost device may fail (before or after the loss is reported) or never settle.
    const loss = this.lossWithin(Number.POSITIVE_INFINITY);
    try {
      return await Promise.race([
        work,
        loss.promise.then((why) => {
          throw new DeviceLostError(why ?? 'the WebGPU device was lost');
        }),
      ]);
    } catch (e) {
      if (e instanceof DeviceLostError) throw e;
      const late = this.lossWithin(LOSS_REPORT_MS);
      const why = await late.promise;
      throw why ? new DeviceLostError(why, { cause: e }) : e;
    } finally {
      loss.cancel();
    }
  }
}

type PastRecord = Record<string, TTensor>;

/**
 * The logits of each row's last position, row-major [rows, vocab], from logits [rows, positions, vocab]
 * (left padding puts every row's last token there). A decode step has one position: its logits are that
 * already and are returned as they are (ORT hands each run a fresh array), so no step copies them; only a
 * prefill's are gathered.
 */
export function lastPositions(data: Float32Array, rows: number, positions: number, vocab: number): Float32Array {
  if (positions === 1) return data.length === rows * vocab ? data : data.subarray(0, rows * vocab);
  const last = new Float32Array(rows * vocab);
  for (let r = 0; r < rows; r++) last.set(data.subarray((r * positions + positions - 1) * vocab, (r * positions + positions) * vocab), r * vocab);
  return last;
}

/** Forwards of a session that get performance marks (trace.ts). */
const TRACED_FORWARDS = 6;

/**
 * The decode loop's step over a model forward: transformers.js' model.forward, or the WASM-only
 * session after a device loss (same feed and output names, same tensor surface).
 */
export function createStep(
  Tensor: TensorCtor,
  run: (feeds: Record<string, unknown>) => Promise<Record<string, OrtTensorLike>>,
  keepLogits: boolean,
  guard: StepGuard,
  onGpu: boolean,
): DecoderStep & { kvLocation: string | null } {
  const asPast = (kv: KvCache): PastRecord => kv as unknown as PastRecord;
  const forward = async ({ inputIds, attentionMask, positionIds, rows, width, maskWidth, past }: Parameters<DecoderStep['run']>[0]): Promise<StepResult> => {
      const feeds: Record<string, unknown> = {
        input_ids: new Tensor('int64', inputIds, [rows, width]),
        attention_mask: new Tensor('int64', attentionMask, [rows, maskWidth]),
        position_ids: new Tensor('int64', positionIds, [rows, width]),
      };
      if (past) feeds.past_key_values = asPast(past);
      if (keepLogits) feeds.num_logits_to_keep = new Tensor('int64', BigInt64Array.from([1n]), []);
      const out = (await run(feeds)) as unknown as Record<string, TTensor>;
      const raw = out.logits;
      if (!raw) throw new Error('The model returned no logits.');
      const logits = raw.type === 'float32' || !raw.to ? raw : raw.to('float32');
      const [b, t, v] = logits.dims as [number, number, number];
      const data = logits.data as Float32Array;
      const last = lastPositions(data, b, t, v);
      const next: PastRecord = {};
      for (const [name, tensor] of Object.entries(out)) {
        // `present.L.key` is fed back as `past_key_values.L.key`.
        if (name.startsWith('present')) {
          next[name.replace('present', 'past_key_values')] = tensor;
          step.kvLocation = tensor.location ?? null;
        } else if (tensor.location === 'gpu-buffer') {
          tensor.dispose();
        }
      }
      return { logits: last, vocab: v, past: next as unknown as KvCache };
  };
  let forwards = 0; // the first few forwards are marked (0 is the load's probe, then the first batch's prefill and decode steps)
  const step: DecoderStep & { kvLocation: string | null } = {
    kvLocation: null,
    run: (feeds) => {
      const n = forwards++;
      if (n >= TRACED_FORWARDS) return guard.run(() => forward(feeds), onGpu);
      const name = `forward-${n}-${feeds.rows}x${feeds.width}`;
      mark(`${name}:start`);
      return guard.run(() => forward(feeds), onGpu).finally(() => mark(`${name}:end`));
    },
    expand(past, rows) {
      const out: PastRecord = {};
      for (const [name, tensor] of Object.entries(asPast(past))) {
        if (tensor.location !== 'cpu' || tensor.dims[0] !== 1) return null;
        const data = tensor.data as Float32Array;
        const Ctor = data.constructor as new (n: number) => Float32Array;
        const wide = new Ctor(data.length * rows);
        for (let r = 0; r < rows; r++) wide.set(data, r * data.length);
        out[name] = new Tensor(tensor.type as 'float32', wide, [rows, ...(tensor.dims as number[]).slice(1)]);
      }
      return out as unknown as KvCache;
    },
    compact(past, keep) {
      const record = asPast(past);
      const out: PastRecord = {};
      for (const [name, tensor] of Object.entries(record)) {
        if (tensor.location !== 'cpu') return null;
        const [b, ...rest] = tensor.dims as number[];
        const rowSize = rest.reduce((a, x) => a * x, 1);
        const data = tensor.data as Float32Array;
        const Ctor = data.constructor as new (n: number) => Float32Array;
        const kept = new Ctor(keep.length * rowSize);
        keep.forEach((row, i) => kept.set(data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize));
        void b;
        out[name] = new Tensor(tensor.type as 'float32', kept, [keep.length, ...rest]);
      }
      return out as unknown as KvCache;
    },
    release(past) {
      for (const tensor of Object.values(asPast(past))) if (tensor.location === 'gpu-buffer') tensor.dispose();
    },
  };
  return step;
}
