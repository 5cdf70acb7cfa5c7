// Verified weights without a model: SHA-256, the manifest's shape and limits, and readVerified's
// evict → refetch once → ModelLoadError path against a scripted reader and a failing Cache Storage.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../../src/errors.ts';
import { checkLimits, createManifest, isModelFile, modelLimits, parseManifest, tokenizerVocabSize } from '../../../src/runtime/manifest.ts';
import type { ModelManifest } from '../../../src/runtime/manifest.ts';
import { readManifest, readVerified } from '../../../src/runtime/model-files.ts';
import type { ByteCache, FileReader } from '../../../src/runtime/model-files.ts';
import { installStore, pendingLoads, registerLoad, STORE_SCHEME } from '../../../src/runtime/model-store.ts';
import { sha256Hex, sha256Js } from '../../../src/runtime/sha256.ts';

const hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('sha256', () => {
  it('matches node:crypto at every padding boundary, in JS and via WebCrypto', async () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70_001]) {
      const bytes = new Uint8Array(randomBytes(n));
      expect(Buffer.from(sha256Js(bytes)).toString('hex'), `${n} bytes`).toBe(hex(bytes));
      expect(await sha256Hex(bytes)).toBe(hex(bytes));
    }
  });
});

const config = { max_position_embeddings: 512, vocab_size: 6000 };
const tokenizer = { model: { vocab: { a: 0, b: 5990 } }, added_tokens: [{ id: 5999 }] };

describe('manifest', () => {
  it('derives the limits from config.json and tokenizer.json', () => {
    expect(tokenizerVocabSize(tokenizer)).toBe(6000);
    expect(tokenizerVocabSize({ model: { vocab: [['a', 0], ['b', 0]] } })).toBe(2);
    expect(modelLimits(config, tokenizer)).toEqual({ maxPositions: 512, vocabSize: 6000, tokenizerVocab: 6000 });
    expect(() => modelLimits({ vocab_size: 6000 }, tokenizer)).toThrow(/max_position_embeddings/);
  });
  it('keeps documentation out of the model files', () => {
    expect(isModelFile('onnx/model_quantized.onnx')).toBe(true);
    expect(isModelFile('MODEL_CARD.md')).toBe(false);
    expect(isModelFile('manifest.json')).toBe(false);
  });
  it('rejects malformed manifests with a typed error that says how to rewrite them', () => {
    const good = createManifest('m', { 'config.json': { size: 3, sha256: 'a'.repeat(64) } }, config, tokenizer);
    expect(parseManifest(JSON.parse(JSON.stringify(good)), 'x/manifest.json')).toEqual(good);
    for (const bad of [null, { ...good, format: 2 }, { ...good, files: { '../etc/passwd': { size: 1, sha256: 'a'.repeat(64) } } }, { ...good, files: { 'a.json': { size: 1, sha256: 'xyz' } } }, { ...good, limits: {} }]) {
      expect(() => parseManifest(bad, 'x/manifest.json')).toThrow(ModelLoadError);
      expect(() => parseManifest(bad, 'x/manifest.json')).toThrow(/write-manifest/);
    }
  });
  it('refuses limits that cannot hold a prompt plus the new tokens, or a tokenizer larger than the logits', () => {
    const limits = modelLimits(config, tokenizer);
    const needs = { maxNewTokens: 48, minPromptTokens: 64 };
    expect(() => checkLimits(limits, limits, needs, 'm')).not.toThrow();
    const tiny = { ...limits, maxPositions: 8 };
    expect(() => checkLimits(tiny, tiny, needs, 'm')).toThrow(/max_position_embeddings is 8/);
    const wide = { ...limits, tokenizerVocab: 7000 };
    expect(() => checkLimits(wide, wide, needs, 'm')).toThrow(/tokenizer\.json has 7000/);
    expect(() => checkLimits(limits, { ...limits, vocabSize: 5000 }, needs, 'm')).toThrow(/manifest\.json says 5000/);
  });
});

interface Scripted {
  read: FileReader;
  reads: Array<{ file: string; fresh: boolean | 'revalidate' }>;
}

/** A folder whose reads return the given byte versions in turn (the last one repeats). */
function scripted(versions: Record<string, Uint8Array[]>): Scripted {
  const reads: Array<{ file: string; fresh: boolean | 'revalidate' }> = [];
  const served: Record<string, number> = {};
  return {
    reads,
    read: async (file, fresh) => {
      reads.push({ file, fresh });
      const list = versions[file];
      if (!list) throw new ModelLoadError(`m/${file} could not be read (ENOENT)`, { file: `m/${file}` });
      const k = served[file] ?? 0;
      served[file] = k + 1;
      return list[Math.min(k, list.length - 1)] as Uint8Array;
    },
  };
}

function memoryCache(options: { failPut?: boolean; failMatch?: boolean } = {}): ByteCache & { entries: Map<string, Uint8Array>; deleted: string[] } {
  const entries = new Map<string, Uint8Array>();
  const deleted: string[] = [];
  return {
    entries,
    deleted,
    async match(key) {
      if (options.failMatch) throw new Error('UnknownError: the cache is corrupted');
      return entries.get(key);
    },
    async put(key, bytes) {
      if (options.failPut) throw new DOMException('Quota exceeded', 'QuotaExceededError');
      entries.set(key, bytes);
    },
    async delete(key) {
      deleted.push(key);
      entries.delete(key);
    },
  };
}

const good = new Uint8Array(randomBytes(200_000));
const corrupt = (bytes: Uint8Array): Uint8Array => {
  const out = bytes.slice();
  out.set(randomBytes(65_536), 60_000); // 64 KB of noise in the middle, size unchanged
  return out;
};
const manifestOf = (bytes: Uint8Array): ModelManifest => createManifest('m', { 'onnx/model_quantized.onnx': { size: bytes.length, sha256: hex(bytes) } }, config, tokenizer);
const FILE = 'onnx/model_quantized.onnx';

describe('readVerified', () => {
  const manifest = manifestOf(good);

  it('returns the bytes that match, and keeps them in Cache Storage keyed by digest', async () => {
    const folder = scripted({ [FILE]: [good] });
    const cache = memoryCache();
    const files = await readVerified('m', manifest, [FILE], { read: folder.read, cache, cacheBase: 'https://shop.example/models/m' });
    expect(hex(files.get(FILE) as Uint8Array)).toBe(hex(good));
    expect([...cache.entries.keys()]).toEqual([`https://shop.example/models/m/${FILE}?sha256=${hex(good)}`]);
    // The second visit reads nothing from the network.
    const again = scripted({});
    await readVerified('m', manifest, [FILE], { read: again.read, cache, cacheBase: 'https://shop.example/models/m' });
    expect(again.reads).toEqual([]);
  });

  it('refetches once past the HTTP cache when the bytes do not match, then succeeds', async () => {
    const folder = scripted({ [FILE]: [corrupt(good), good] });
    const files = await readVerified('m', manifest, [FILE], { read: folder.read });
    expect(hex(files.get(FILE) as Uint8Array)).toBe(hex(good));
    expect(folder.reads).toEqual([{ file: FILE, fresh: false }, { file: FILE, fresh: true }]);
  });

  it('evicts a corrupted cached copy and refetches it', async () => {
    const cache = memoryCache();
    const key = `https://shop.example/models/m/${FILE}?sha256=${hex(good)}`;
    cache.entries.set(key, corrupt(good));
    const folder = scripted({ [FILE]: [good] });
    const files = await readVerified('m', manifest, [FILE], { read: folder.read, cache, cacheBase: 'https://shop.example/models/m' });
    expect(hex(files.get(FILE) as Uint8Array)).toBe(hex(good));
    expect(cache.deleted).toEqual([key]);
    expect(folder.reads).toEqual([{ file: FILE, fresh: true }]);
    expect(hex(cache.entries.get(key) as Uint8Array)).toBe(hex(good));
  });

  it('names the file when it still does not match after the refetch', async () => {
    const folder = scripted({ [FILE]: [corrupt(good)] });
    const error = await readVerified('m', manifest, [FILE], { read: folder.read }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).file).toBe(`m/${FILE}`);
    expect((error as Error).message).toMatch(/does not match the model's manifest \(SHA-256/);
    expect(folder.reads).toHaveLength(2);
    const short = scripted({ [FILE]: [good.subarray(0, 100)] });
    await expect(readVerified('m', manifest, [FILE], { read: short.read })).rejects.toThrow(/100 bytes, the manifest says 200000/);
  });

  it('works from memory when Cache Storage is over quota or broken', async () => {
    for (const cache of [memoryCache({ failPut: true }), memoryCache({ failMatch: true })]) {
      const folder = scripted({ [FILE]: [good] });
      const files = await readVerified('m', manifest, [FILE], { read: folder.read, cache, cacheBase: 'https://shop.example/models/m' });
      expect(hex(files.get(FILE) as Uint8Array)).toBe(hex(good));
    }
  });

  it('refuses files the manifest does not list, and missing files, naming them', async () => {
    await expect(readVerified('m', manifest, ['tokenizer.json'], { read: scripted({}).read })).rejects.toThrow(/lists no tokenizer\.json/);
    const m2 = createManifest('m', { 'tokenizer.json': { size: 1, sha256: 'a'.repeat(64) } }, config, tokenizer);
    await expect(readVerified('m', m2, ['tokenizer.json'], { read: scripted({}).read })).rejects.toThrow(/m\/tokenizer\.json could not be read/);
  });

  it('revalidates manifest.json (a conditional request: no bytes when unchanged) and explains a missing one', async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    const folder = scripted({ 'manifest.json': [bytes] });
    expect(await readManifest('m', folder.read)).toEqual(manifest);
    expect(folder.reads).toEqual([{ file: 'manifest.json', fresh: 'revalidate' }]);
    await expect(readManifest('m', scripted({}).read)).rejects.toThrow(/needs a manifest.*write-manifest/);
  });
});

describe('model store', () => {
  it('answers transformers.js only for files of a registered load, under both of its cache keys', async () => {
    const env = { fetch: async () => new Response('network') } as unknown as Parameters<typeof installStore>[0];
    installStore(env);
    const cache = env.customCache as unknown as { match(key: string): Promise<Response | undefined> };
    const a = registerLoad('model-a', new Map([['config.json', new TextEncoder().encode('{"a":1}')]]));
    const b = registerLoad('model-a', new Map([['config.json', new TextEncoder().encode('{"b":2}')]]));
    expect(a.id).not.toBe(b.id);
    expect(a.id.startsWith(STORE_SCHEME)).toBe(true);
    expect(await (await cache.match(`${a.id}/config.json`))?.text()).toBe('{"a":1}');
    expect(await (await cache.match(`https://huggingface.co/${b.id}/resolve/main/config.json`))?.text()).toBe('{"b":2}');
    expect(await cache.match(`${a.id}/tokenizer.json`)).toBeUndefined();
    expect((await env.fetch(`${a.id}/tokenizer.json` as never)).status).toBe(404);
    a.release();
    b.release();
    expect(await cache.match(`${a.id}/config.json`)).toBeUndefined();
    expect(pendingLoads()).toBe(0);
  });
});
