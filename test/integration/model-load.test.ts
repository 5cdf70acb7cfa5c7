// Loading models in Node with the real runtime (transformers.js on onnxruntime-node): one model per
// explainer with no process-global model path, verified weights, config limits, and actionable
// errors for broken folders. Broken folders are copies of the shipped model in a temp dir.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_MODEL_ID } from '../../src/defaults.ts';
import { ModelLoadError } from '../../src/errors.ts';
import type { Item, UserContext } from '../../src/types.ts';
import { Engine } from '../../src/engine/engine.ts';
import { pendingLoads } from '../../src/runtime/model-store.ts';
import { loadRuntime } from '../../src/runtime/runtime.ts';
import type { Runtime } from '../../src/runtime/runtime.ts';
import { writeManifest } from '../../scripts/write-manifest.ts';

const SHIPPED = fileURLToPath(new URL(`../../public/models/${DEFAULT_MODEL_ID}`, import.meta.url));
const FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'facts_vocab.json', 'onnx/model_quantized.onnx'];
const root = mkdtempSync(join(tmpdir(), 'because-models-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the shipped model (q8 only) with its own manifest; `edit` changes it before the manifest is written. */
function copyModel(name: string, edit?: (dir: string) => void): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const file of FILES) copyFileSync(join(SHIPPED, file), join(dir, file));
  edit?.(dir);
  writeManifest(dir);
  return dir;
}

function editJson(path: string, change: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(json);
  writeFileSync(path, JSON.stringify(json));
}

const failure = (p: Promise<unknown>): Promise<ModelLoadError> =>
  p.then(
    () => Promise.reject(new Error('expected the load to fail')),
    (e: unknown) => {
      expect(e).toBeInstanceOf(ModelLoadError);
      return e as ModelLoadError;
    },
  );

const context: UserContext = { domain: 'game', history: [{ title: 'Portal', attributes: { tags: ['Puzzle', 'Sci-fi'] } }] };
const items: Item[] = [
  { id: 'p2', title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op'] } },
  { id: 'tt', title: 'The Talos Principle', attributes: { tags: ['Puzzle', 'Philosophical'] } },
];

describe('one model per explainer (no process-global model path)', () => {
  // The second model differs where it shows: fewer positions in its config, another facts vocabulary.
  const other = copyModel('because-reason-alt', (dir) => {
    editJson(join(dir, 'config.json'), (c) => (c.max_position_embeddings = 320));
    writeFileSync(join(dir, 'facts_vocab.json'), JSON.stringify({ facts: ['Only-In-Alt'] }));
  });
  const empty = join(root, 'empty-model');
  mkdirSync(empty, { recursive: true });

  it.each([
    ['shipped first', false],
    ['other first', true],
  ])('two runtimes started in one tick each load their own folder (%s)', async (_, swap) => {
    const starts = [() => loadRuntime({}), () => loadRuntime({ model: other })];
    if (swap) starts.reverse();
    const loaded = await Promise.all(starts.map((start) => start()));
    const [shipped, alt] = (swap ? [...loaded].reverse() : loaded) as [Runtime, Runtime];
    try {
      expect(shipped.modelUrl).toBe(SHIPPED);
      expect(shipped.maxPositions).toBe(512);
      expect(shipped.factsVocab).toContain('Puzzle');
      expect(alt.modelUrl).toBe(other);
      expect(alt.maxPositions).toBe(320);
      expect(alt.factsVocab).toEqual(['Only-In-Alt']);
      expect(pendingLoads()).toBe(0); // no model bytes kept once the sessions exist
    } finally {
      await Promise.all(loaded.map((rt) => rt.dispose()));
    }
  });

  it.each([
    ['shipped first', false],
    ['empty first', true],
  ])('an empty folder next to the shipped one fails alone, and the shipped one serves model reasons (%s)', async (_, swap) => {
    const make = [() => new Engine({ persistentCache: false, maxNewTokens: 32 }), () => new Engine({ persistentCache: false, maxNewTokens: 32, model: empty })];
    if (swap) make.reverse();
    const made = make.map((m) => m());
    const [good, bad] = (swap ? [...made].reverse() : made) as [Engine, Engine];
    try {
      const [goodInfo, badInfo] = await Promise.all([good.info(), bad.info()]);
      expect(goodInfo.modelLoaded, goodInfo.backendReason).toBe(true);
      expect(badInfo.modelLoaded).toBe(false);
      expect(badInfo.backendReason).toMatch(/manifest/);
      const [fromGood, fromBad] = await Promise.all([good.explain(items, context), bad.explain(items, context)]);
      expect(fromGood.some((r) => r.source === 'model'), JSON.stringify(fromGood)).toBe(true);
      expect(fromBad.map((r) => r.fallbackReason)).toEqual(['model-unavailable', 'model-unavailable']);
    } finally {
      await Promise.all(made.map((e) => e.dispose()));
    }
  });
});

describe('verified weights', () => {
  it('random bytes in the weights are a ModelLoadError naming the file, and never a model reason', async () => {
    const dir = copyModel('corrupt-weights');
    const onnx = join(dir, 'onnx/model_quantized.onnx');
    const bytes = readFileSync(onnx);
    bytes.set(randomBytes(65_536), Math.floor(bytes.length / 2)); // size unchanged, manifest untouched
    writeFileSync(onnx, bytes);
    const error = await failure(loadRuntime({ model: dir }));
    expect(error.file).toBe(`${dir}/onnx/model_quantized.onnx`);
    expect(error.message).toMatch(/does not match the model's manifest \(SHA-256/);
    const engine = new Engine({ persistentCache: false, maxNewTokens: 32, model: dir });
    try {
      const reasons = await engine.explain(items, context);
      expect(reasons.every((r) => r.source === 'fallback' && r.fallbackReason === 'model-unavailable')).toBe(true);
      expect((await engine.info()).modelLoaded).toBe(false);
    } finally {
      await engine.dispose();
    }
  });

  it('a config.json edited after the manifest was written is refused', async () => {
    const dir = copyModel('edited-config');
    editJson(join(dir, 'config.json'), (c) => (c.max_position_embeddings = 8));
    const error = await failure(loadRuntime({ model: dir }));
    expect(error.file).toBe(`${dir}/config.json`);
  });

  it('a missing manifest says how to write one', async () => {
    const dir = copyModel('no-manifest');
    unlinkSync(join(dir, 'manifest.json'));
    const error = await failure(loadRuntime({ model: dir }));
    expect(error.message).toMatch(/needs a manifest.*scripts\/write-manifest\.ts/);
  });
});

describe('config limits against the engine and the graph', () => {
  it('max_position_embeddings too small for a prompt plus the new tokens is a typed error', async () => {
    const dir = copyModel('tiny-positions', (d) => editJson(join(d, 'config.json'), (c) => (c.max_position_embeddings = 8)));
    const error = await failure(loadRuntime({ model: dir, maxNewTokens: 48 }));
    expect(error.message).toMatch(/max_position_embeddings is 8, but a prompt \(at least 64 tokens\) plus 48 new tokens needs 112/);
    const engine = new Engine({ persistentCache: false, maxNewTokens: 32, model: dir });
    try {
      expect((await engine.explain(items, context)).every((r) => r.source === 'fallback')).toBe(true);
    } finally {
      await engine.dispose();
    }
  });

  it('a vocab_size the graph does not have is a typed error', async () => {
    const dir = copyModel('wrong-vocab', (d) => editJson(join(d, 'config.json'), (c) => (c.vocab_size = 7000)));
    const error = await failure(loadRuntime({ model: dir }));
    expect(error.message).toMatch(/returns 6011 logits per token but config\.json's vocab_size is 7000/);
  });

  it('a tokenizer with more ids than the logits is a typed error', async () => {
    const dir = copyModel('big-tokenizer', (d) =>
      editJson(join(d, 'tokenizer.json'), (t) => (t.added_tokens as unknown[]).push({ id: 6500, content: '<|extra|>', special: true, normalized: false, lstrip: false, rstrip: false, single_word: false })),
    );
    const error = await failure(loadRuntime({ model: dir }));
    expect(error.message).toMatch(/tokenizer\.json has 6501 token ids but the model's vocab_size is 6011/);
  });
});

describe('missing tokenizer', () => {
  it('a deleted tokenizer.json is named, with what to do', async () => {
    const dir = copyModel('deleted-tokenizer');
    unlinkSync(join(dir, 'tokenizer.json'));
    const error = await failure(loadRuntime({ model: dir }));
    expect(error.file).toBe(`${dir}/tokenizer.json`);
    expect(error.message).not.toMatch(/tokenizer_class/);
    expect(error.message).toMatch(/must hold every file its manifest lists/);
  });

  it('a folder exported without tokenizer_config.json says so', async () => {
    const dir = copyModel('no-tokenizer-config', (d) => unlinkSync(join(d, 'tokenizer_config.json')));
    const error = await failure(loadRuntime({ model: dir }));
    expect(error.message).toMatch(/has no tokenizer_config\.json; export the tokenizer and config with the model/);
    expect(error.message).not.toMatch(/tokenizer_class/);
  });
});

describe('dispose', () => {
  it('disposing while a batch runs prints nothing to stderr (no "Session already disposed")', async () => {
    const errors = vi.spyOn(console, 'error');
    const writes = vi.spyOn(process.stderr, 'write');
    try {
      for (let round = 0; round < 4; round++) {
        const engine = new Engine({ persistentCache: false, maxNewTokens: 32 });
        await engine.info();
        const pending = engine.explain(items, context).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 20 + 15 * round)); // inside the decode loop
        await engine.dispose();
        await pending;
      }
      const printed = [...errors.mock.calls.map((c) => c.join(' ')), ...writes.mock.calls.map((c) => String(c[0]))].join('\n');
      expect(printed).not.toMatch(/already disposed|An error occurred during model execution/);
    } finally {
      errors.mockRestore();
      writes.mockRestore();
    }
  });
});
