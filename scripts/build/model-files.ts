// The files of a model folder that a build ships: its manifest.json and what it lists, with the ONNX
// weights of the chosen dtypes only (the default dtype unless BECAUSE_DTYPES says more).
// A missing file fails the build with what to do: a build without its model would only ever show
// template fallbacks on the storefront.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_DTYPE, DEFAULT_MODEL_ID, DTYPE_FILES } from '../../src/defaults.ts';
import type { DType } from '../../src/types.ts';
import { MANIFEST_FILE, REQUIRED_FILES } from '../../src/runtime/manifest.ts';

export const MODELS_SOURCE = 'public/models';
export { DEFAULT_DTYPE, DEFAULT_MODEL_ID, DTYPE_FILES };

/**
 * The dtypes to ship: BECAUSE_DTYPES="q8,q4" (or "all": every dtype whose file exists), default
 * the engine's DEFAULT_DTYPE. Others can live in the same folder; the embed picks with data-dtype.
 */
export function shippedDtypes(modelDir: string, env = process.env.BECAUSE_DTYPES): DType[] {
  const all = Object.keys(DTYPE_FILES) as DType[];
  if (!env) return [DEFAULT_DTYPE];
  if (env.trim() === 'all') return all.filter((d) => existsSync(join(modelDir, DTYPE_FILES[d])));
  const wanted = env.split(',').map((d) => d.trim()).filter(Boolean);
  for (const d of wanted) if (!all.includes(d as DType)) throw new Error(`BECAUSE_DTYPES: unknown dtype '${d}' (one of ${all.join(', ')}, or 'all')`);
  return wanted as DType[];
}

/**
 * Relative paths (inside the model folder) of what a build ships: manifest.json and every file it
 * lists (the runtime verifies each against it), except the weights of dtypes not shipped.
 */
export function modelFiles(modelDir: string, dtypes: readonly DType[]): string[] {
  const manifestPath = join(modelDir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new Error(
      `The default model is missing: no ${manifestPath}. The build ships the model beside the embed; without it every card would get a template fallback. ` +
        `Put the model folder there (config.json, tokenizer.json, ${DTYPE_FILES[DEFAULT_DTYPE]}, manifest.json from scripts/write-manifest.ts), or train it (training/README.md).`,
    );
  }
  const listed = Object.keys((JSON.parse(readFileSync(manifestPath, 'utf8')) as { files?: Record<string, unknown> }).files ?? {});
  const weights = new Set(Object.values(DTYPE_FILES));
  const keep = new Set(dtypes.map((d) => DTYPE_FILES[d]));
  const files = listed.filter((f) => !weights.has(f) || keep.has(f));
  const missing = [...REQUIRED_FILES, ...keep].filter((f) => !listed.includes(f)).map((f) => `${f} (not in manifest.json)`);
  missing.push(...files.filter((f) => !existsSync(join(modelDir, f))));
  if (missing.length > 0) throw new Error(`The model folder ${modelDir} lacks ${missing.join(', ')}: the build cannot ship a working model.`);
  return [MANIFEST_FILE, ...files];
}

/** Copies the default model's shipped files to `<outDir>/<DEFAULT_MODEL_ID>/`; returns the copied paths (relative to outDir). */
export function copyDefaultModel(outDir: string, root: string): string[] {
  const source = join(root, MODELS_SOURCE, DEFAULT_MODEL_ID);
  const files = modelFiles(source, shippedDtypes(source));
  for (const file of files) {
    const to = join(outDir, DEFAULT_MODEL_ID, file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(source, file), to);
  }
  return files.map((f) => `${DEFAULT_MODEL_ID}/${f}`);
}
