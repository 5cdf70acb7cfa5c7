// The e2e harness itself: a missing chromium is a failure with the install command, and the
// request recorder tells local from foreign URLs.
import { describe, expect, it } from 'vitest';
import { chromiumPath, isLocal } from '../../scripts/browser/harness.ts';

describe('e2e harness', () => {
  it('fails with the apt-get command when chromium is missing', () => {
    const saved = process.env.CHROMIUM_PATH;
    delete process.env.CHROMIUM_PATH;
    try {
      expect(() => chromiumPath(['/nonexistent/chromium'], false)).toThrow(/apt-get install -y chromium/);
    } finally {
      if (saved !== undefined) process.env.CHROMIUM_PATH = saved;
    }
  });

  it('counts only the local origin, data:, blob: and about: as local', () => {
    const origin = 'http://127.0.0.1:4000';
    expect(isLocal('http://127.0.0.1:4000/models/x.onnx', origin)).toBe(true);
    expect(isLocal('blob:http://127.0.0.1:4000/abc', origin)).toBe(true);
    expect(isLocal('data:application/wasm;base64,AA', origin)).toBe(true);
    expect(isLocal('http://127.0.0.1:4001/', origin)).toBe(false);
    expect(isLocal('https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/x.wasm', origin)).toBe(false);
    expect(isLocal('http://localhost:4000/', origin)).toBe(false);
  });
});
