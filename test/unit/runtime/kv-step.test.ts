// The KV step's output handling (src/runtime/kv-step.ts): the last position's logits of each row, the
// decode step's logits handed over without a copy, and `present.*` fed back as `past_key_values.*`.
import { describe, expect, it } from 'vitest';
import { createStep, lastPositions, StepGuard } from '../../../src/runtime/kv-step.ts';
import type { OrtTensorLike, TensorCtor } from '../../../src/runtime/wasm-fallback.ts';
import type { KvCache } from '../../../src/generation/step.ts';

class FakeTensor implements OrtTensorLike {
  location = 'cpu';
  disposed = false;
  constructor(
    public type: string,
    public data: unknown,
    public dims: number[],
  ) {}
  dispose(): void {
    this.disposed = true;
  }
}

/** logits[r, p, v] = 1000 r + 10 p + v: every value says where it came from. */
function logitsOf(rows: number, positions: number, vocab: number): Float32Array {
  const data = new Float32Array(rows * positions * vocab);
  for (let r = 0; r < rows; r++) for (let p = 0; p < positions; p++) for (let v = 0; v < vocab; v++) data[(r * positions + p) * vocab + v] = 1000 * r + 10 * p + v;
  return data;
}

describe('lastPositions', () => {
  it('gathers the last position of every row of a prefill', () => {
    const last = lastPositions(logitsOf(3, 4, 5), 3, 4, 5);
    expect(Array.from(last)).toEqual([30, 31, 32, 33, 34, 1030, 1031, 1032, 1033, 1034, 2030, 2031, 2032, 2033, 2034]);
  });

  it('returns a decode step’s logits as they are (no copy)', () => {
    const data = logitsOf(72, 1, 7);
    const last = lastPositions(data, 72, 1, 7);
    expect(last).toBe(data);
  });

  it('gives the same values as gathering would, also for a longer array of one position', () => {
    const data = new Float32Array([...logitsOf(2, 1, 3), 99, 99]);
    const last = lastPositions(data, 2, 1, 3);
    expect(Array.from(last)).toEqual([0, 1, 2, 1000, 1001, 1002]);
    expect(last.buffer).toBe(data.buffer);
  });
});

describe('createStep', () => {
  const feeds = (rows: number, width: number, past: KvCache | null) => ({
    inputIds: new BigInt64Array(rows * width),
    attentionMask: new BigInt64Array(rows * width).fill(1n),
    positionIds: new BigInt64Array(rows * width),
    rows,
    width,
    maskWidth: width,
    past,
  });

  it('feeds `present.*` back as `past_key_values.*` and returns each row’s last logits', async () => {
    const seen: Record<string, unknown>[] = [];
    const presents = (rows: number) => ({ 'present.0.key': new FakeTensor('float32', new Float32Array(rows * 2), [rows, 1, 2, 1]), 'present.0.value': new FakeTensor('float32', new Float32Array(rows * 2), [rows, 1, 2, 1]) });
    let width = 3;
    const run = async (f: Record<string, unknown>): Promise<Record<string, OrtTensorLike>> => {
      seen.push(f);
      return { logits: new FakeTensor('float32', logitsOf(2, width, 4), [2, width, 4]), ...presents(2) };
    };
    const step = createStep(FakeTensor as unknown as TensorCtor, run, false, new StepGuard(), false);
    const first = await step.run(feeds(2, 3, null));
    expect(Array.from(first.logits)).toEqual([20, 21, 22, 23, 1020, 1021, 1022, 1023]);
    expect(first.vocab).toBe(4);
    expect(Object.keys(first.past as unknown as object).sort()).toEqual(['past_key_values.0.key', 'past_key_values.0.value']);
    expect(step.kvLocation).toBe('cpu');
    width = 1;
    const second = await step.run({ ...feeds(2, 1, first.past), maskWidth: 4 });
    expect(seen[1]?.past_key_values).toBe(first.past);
    expect((seen[1]?.attention_mask as FakeTensor).dims).toEqual([2, 4]);
    expect(Array.from(second.logits)).toEqual([0, 1, 2, 3, 1000, 1001, 1002, 1003]);
  });
});
