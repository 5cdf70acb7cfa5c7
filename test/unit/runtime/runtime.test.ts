// Runtime decisions that need no model: where the model folder is, which backend, progress mapping.
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../../src/errors.ts';
import type { ProgressEvent } from '../../../src/types.ts';
import { chooseBackend, isSoftwareAdapter, progressMapper, resolveModelLocation } from '../../../src/runtime/runtime.ts';
import { DEFAULT_MODEL_ID } from '../../../src/defaults.ts';

describe('resolveModelLocation', () => {
  const browser = { node: false, defaultBase: '/models/', origin: 'https://shop.example/page.html' };
  it('defaults to the shipped model under /models/', () => {
    expect(resolveModelLocation(undefined, browser)).toEqual({ base: '/models/', id: DEFAULT_MODEL_ID, remote: false });
  });
  it('splits a URL into folder and id and spots another origin', () => {
    expect(resolveModelLocation('https://cdn.example/m/because-reason-v1/', browser)).toEqual({ base: 'https://cdn.example/m/', id: 'because-reason-v1', remote: true });
    // Same origin: a path (transformers.js only checks non-URL local paths for existence).
    expect(resolveModelLocation('https://shop.example/models/x-1', browser)).toEqual({ base: '/models/', id: 'x-1', remote: false });
    expect(resolveModelLocation('./m/x-2/', browser)).toEqual({ base: '/m/', id: 'x-2', remote: false });
    expect(resolveModelLocation('http://127.0.0.1:9/m/x-3', { node: true, defaultBase: '/repo/' })).toMatchObject({ base: 'http://127.0.0.1:9/m/', remote: true });
  });
  it('takes Node paths', () => {
    expect(resolveModelLocation('/srv/models/my-model', { node: true, defaultBase: '/repo/public/models/' })).toEqual({ base: '/srv/models/', id: 'my-model', remote: false });
    expect(resolveModelLocation('other', { node: true, defaultBase: '/repo/public/models' }).base).toBe('/repo/public/models/');
  });
  it('rejects folder names transformers.js cannot load, with a typed error', () => {
    expect(() => resolveModelLocation('https://cdn.example/m/bad name', browser)).toThrow(ModelLoadError);
    expect(() => resolveModelLocation('/models/..', browser)).toThrow(ModelLoadError);
  });
});

describe('chooseBackend', () => {
  const hw = { info: { vendor: 'nvidia', architecture: 'ada' } };
  const sw = { info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader' } };
  it('uses the CPU in Node whatever was asked, and says so', async () => {
    expect(await chooseBackend('auto', { node: true })).toMatchObject({ backend: 'cpu' });
    expect((await chooseBackend('webgpu', { node: true })).reason).toContain("'webgpu' was requested");
  });
  it('never picks WebGPU without an adapter', async () => {
    expect(await chooseBackend('auto', { node: false })).toMatchObject({ backend: 'wasm' });
    const nullAdapter = await chooseBackend('webgpu', { node: false, requestAdapter: async () => null });
    expect(nullAdapter.backend).toBe('wasm');
    expect(nullAdapter.reason).toContain('requestAdapter() returned null');
    const throwing = await chooseBackend('auto', { node: false, requestAdapter: async () => Promise.reject(new Error('lost')) });
    expect(throwing).toMatchObject({ backend: 'wasm' });
  });
  it("'auto' takes WebGPU on hardware only; 'webgpu' takes any adapter", async () => {
    expect(await chooseBackend('auto', { node: false, requestAdapter: async () => hw })).toMatchObject({ backend: 'webgpu' });
    expect(await chooseBackend('auto', { node: false, requestAdapter: async () => sw })).toMatchObject({ backend: 'wasm' });
    expect(await chooseBackend('webgpu', { node: false, requestAdapter: async () => sw })).toMatchObject({ backend: 'webgpu' });
    expect(await chooseBackend('wasm', { node: false, requestAdapter: async () => hw })).toMatchObject({ backend: 'wasm' });
  });
  it('recognizes software adapters', () => {
    expect(isSoftwareAdapter(sw)).toBe(true);
    expect(isSoftwareAdapter({ info: { isFallbackAdapter: true } })).toBe(true);
    expect(isSoftwareAdapter(hw)).toBe(false);
  });
});

describe('progressMapper', () => {
  it('maps transformers.js events and survives a throwing callback', () => {
    const seen: ProgressEvent[] = [];
    const map = progressMapper((e) => seen.push(e));
    map?.({ status: 'initiate', file: 'config.json' });
    map?.({ status: 'progress', file: 'onnx/model_quantized.onnx', loaded: 10, total: 100, progress: 10 });
    map?.({ status: 'done', file: 'onnx/model_quantized.onnx' });
    map?.({ status: 'ready' });
    expect(seen).toEqual([
      { phase: 'download', file: 'config.json' },
      { phase: 'download', file: 'onnx/model_quantized.onnx', loaded: 10, total: 100 },
      { phase: 'compile', file: 'onnx/model_quantized.onnx' },
    ]);
    const bad = progressMapper(() => {
      throw new Error('page bug');
    });
    expect(() => bad?.({ status: 'progress', loaded: 1, total: 2 })).not.toThrow();
  });
});
