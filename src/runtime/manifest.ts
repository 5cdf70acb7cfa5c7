// The model folder's manifest.json: size and SHA-256 of every model file, and the limits the runtime
// holds the model to. scripts/write-manifest.ts writes it (from the files themselves); the runtime
// reads it before anything else and trusts no model byte that does not match it.
import { ModelLoadError } from '../errors.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 1;

export interface ManifestFile {
  size: number;
  /** Lowercase hex SHA-256 of the file's bytes. */
  sha256: string;
}

export interface ModelLimits {
  /** config.json's max_position_embeddings: the longest prompt + generated sequence. */
  maxPositions: number;
  /** config.json's vocab_size: the width of the logits. */
  vocabSize: number;
  /** Highest token id of tokenizer.json + 1 (vocabulary and added tokens). */
  tokenizerVocab: number;
}

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  /** The model folder's name when the manifest was written. */
  model: string;
  /** Path inside the folder ('/'-separated) → size and digest. */
  files: Record<string, ManifestFile>;
  limits: ModelLimits;
}

/** Files the runtime cannot work without (besides the ONNX file of the chosen dtype). */
export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/** Not model files: documentation and evaluation output may change without a new manifest. */
export function isModelFile(path: string): boolean {
  const name = path.split('/').pop() ?? path;
  return name !== MANIFEST_FILE && !name.startsWith('.') && !/\.md$/i.test(name) && name !== 'metrics.json';
}

const HEX64 = /^[0-9a-f]{64}$/;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Highest token id + 1 over tokenizer.json's vocabulary (BPE/WordPiece object or Unigram list) and added tokens. */
export function tokenizerVocabSize(tokenizer: unknown): number {
  const t = tokenizer as { model?: { vocab?: unknown }; added_tokens?: Array<{ id?: unknown }> } | null;
  let top = -1;
  const vocab = t?.model?.vocab;
  if (Array.isArray(vocab)) top = vocab.length - 1;
  else if (vocab && typeof vocab === 'object') for (const id of Object.values(vocab)) if (typeof id === 'number' && id > top) top = id;
  for (const added of t?.added_tokens ?? []) if (typeof added?.id === 'number' && added.id > top) top = added.id;
  return top + 1;
}

/** The limits of a model from its config.json and tokenizer.json (both parsed). */
export function modelLimits(config: unknown, tokenizer: unknown, file = 'config.json'): ModelLimits {
  const c = (config ?? {}) as Record<string, unknown>;
  const maxPositions = c.max_position_embeddings;
  const vocabSize = c.vocab_size;
  if (!isCount(maxPositions)) throw new ModelLoadError(`${file} has no usable max_position_embeddings (${JSON.stringify(maxPositions)}): export the model's config with it.`, { file });
  if (!isCount(vocabSize)) throw new ModelLoadError(`${file} has no usable vocab_size (${JSON.stringify(vocabSize)}): export the model's config with it.`, { file });
  return { maxPositions, vocabSize, tokenizerVocab: tokenizerVocabSize(tokenizer) };
}

/** A manifest from the files' sizes and digests and the parsed config/tokenizer. */
export function createManifest(model: string, files: Record<string, ManifestFile>, config: unknown, tokenizer: unknown): ModelManifest {
  const sorted: Record<string, ManifestFile> = {};
  for (const path of Object.keys(files).sort()) sorted[path] = files[path] as ManifestFile;
  return { format: MANIFEST_FORMAT, model, files: sorted, limits: modelLimits(config, tokenizer) };
}

/** Checks the shape of a parsed manifest.json. `where` names it in errors. */
export function parseManifest(data: unknown, where: string): ModelManifest {
  const bad = (what: string): ModelLoadError =>
    new ModelLoadError(`${where} is not a usable model manifest (${what}). Rewrite it with \`npx tsx scripts/write-manifest.ts <modelDir>\`.`, { file: where });
  const m = data as Partial<ModelManifest> | null;
  if (!m || typeof m !== 'object') throw bad('not a JSON object');
  if (m.format !== MANIFEST_FORMAT) throw bad(`format ${JSON.stringify(m.format)}, expected ${MANIFEST_FORMAT}`);
  if (!m.files || typeof m.files !== 'object') throw bad('no files');
  for (const [path, entry] of Object.entries(m.files)) {
    if (!path || path.startsWith('/') || path.split('/').includes('..')) throw bad(`file path ${JSON.stringify(path)}`);
    if (!entry || !Number.isInteger(entry.size) || entry.size < 0 || typeof entry.sha256 !== 'string' || !HEX64.test(entry.sha256)) throw bad(`entry of ${path}`);
  }
  const l = m.limits;
  if (!l || !isCount(l.maxPositions) || !isCount(l.vocabSize) || !Number.isInteger(l.tokenizerVocab) || l.tokenizerVocab < 0) throw bad('limits');
  return { format: MANIFEST_FORMAT, model: typeof m.model === 'string' ? m.model : '', files: m.files, limits: { maxPositions: l.maxPositions, vocabSize: l.vocabSize, tokenizerVocab: l.tokenizerVocab } };
}

/**
 * The model's own limits against each other and against what the engine will ask of it. Throws a
 * ModelLoadError that says which value is wrong.
 *  - the prompt budget: positions must hold a minimal prompt plus `maxNewTokens` (with
 *    max_position_embeddings 8 every prompt would be cut to nothing and the text would be noise);
 *  - the tokenizer's ids must be rows of the logits (else generated ids decode to nothing or garbage);
 *  - config.json (already verified against the manifest) must agree with the manifest's limits.
 */
export function checkLimits(limits: ModelLimits, expected: ModelLimits, needs: { maxNewTokens: number; minPromptTokens: number }, where: string): void {
  const file = `${where}/config.json`;
  for (const key of ['maxPositions', 'vocabSize', 'tokenizerVocab'] as const) {
    if (limits[key] !== expected[key]) {
      throw new ModelLoadError(`${where}: the model's ${key} is ${limits[key]} but manifest.json says ${expected[key]}; rewrite the manifest from the exported files.`, { file });
    }
  }
  const need = needs.minPromptTokens + needs.maxNewTokens;
  if (limits.maxPositions < need) {
    throw new ModelLoadError(
      `${file}: max_position_embeddings is ${limits.maxPositions}, but a prompt (at least ${needs.minPromptTokens} tokens) plus ${needs.maxNewTokens} new tokens needs ${need}. ` +
        'Use the config.json the model was exported with, or lower maxNewTokens.',
      { file },
    );
  }
  if (limits.tokenizerVocab > limits.vocabSize) {
    throw new ModelLoadError(`${where}: tokenizer.json has ${limits.tokenizerVocab} token ids but the model's vocab_size is ${limits.vocabSize}: the tokenizer belongs to another model.`, { file: `${where}/tokenizer.json` });
  }
}
