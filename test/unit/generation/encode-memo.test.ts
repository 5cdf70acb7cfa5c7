import { describe, expect, it } from 'vitest';
import { EncodeMemo } from '../../../src/generation/encode-memo.ts';

function counting(): { encode: (text: string) => number[]; calls: string[] } {
  const calls: string[] = [];
  return { calls, encode: (text) => (calls.push(text), [...text].map((c) => c.charCodeAt(0))) };
}

describe('EncodeMemo', () => {
  it('encodes a text once, and says how many encodings are new since the last snapshot', () => {
    const inner = counting();
    const memo = new EncodeMemo(inner);
    expect(memo.encode('ab')).toEqual([97, 98]);
    expect(memo.encode('ab')).toEqual([97, 98]);
    expect(inner.calls).toEqual(['ab']);
    expect(memo.fresh).toBe(1);
    expect(memo.entries()).toEqual([['ab', [97, 98]]]);
    expect(memo.fresh).toBe(0);
  });

  it('answers seeded texts without the tokenizer', () => {
    const inner = counting();
    const memo = new EncodeMemo(inner);
    expect(memo.seed([['x', [7, 8]]])).toBe(true);
    expect(memo.encode('x')).toEqual([7, 8]);
    expect(inner.calls).toEqual([]);
    expect(memo.fresh).toBe(0);
  });

  it('ignores a stored value of another shape as a whole (another code version, a damaged store)', () => {
    for (const bad of [undefined, null, 'x', { x: [1] }, [['x', [1]], ['y', [-1]]], [['x', [1.5]]], [['x']], [[1, [1]]], [['x', '1']]]) {
      const inner = counting();
      const memo = new EncodeMemo(inner);
      expect(memo.seed(bad)).toBe(false);
      memo.encode('x');
      expect(inner.calls).toEqual(['x']);
    }
  });
});
