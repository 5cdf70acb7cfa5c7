import { afterEach, describe, expect, it } from 'vitest';
import { modelOption } from '../../../src/worker-client.ts';

// The page's base URL: a page in a subfolder, as the bench page (/scripts/bench/…) is.
const g = globalThis as { document?: { baseURI: string } };
afterEach(() => {
  delete g.document;
});

describe('modelOption (the model option a worker gets)', () => {
  it('makes a URL or path absolute against the page', () => {
    g.document = { baseURI: 'https://shop.example/scripts/bench/index.html' };
    expect(modelOption('/models/because-reason-v1')).toBe('https://shop.example/models/because-reason-v1');
    expect(modelOption('./models/x')).toBe('https://shop.example/scripts/bench/models/x');
    expect(modelOption('https://cdn.example/m/v2/')).toBe('https://cdn.example/m/v2/');
  });
  it('leaves a bare folder name for the worker to find under the default models base', () => {
    g.document = { baseURI: 'https://shop.example/scripts/bench/index.html' };
    expect(modelOption('because-reason-v1')).toBe('because-reason-v1');
    expect(modelOption(undefined)).toBeUndefined();
  });
});
