// Writes <modelDir>/manifest.json: size and SHA-256 of every model file and the model's limits
// (src/runtime/manifest.ts). The runtime refuses model bytes that do not match it, so run this whenever
// the exported files change:
//
//   npx tsx scripts/write-manifest.ts public/models/because-reason-v1
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { createManifest, isModelFile, MANIFEST_FILE } from '../src/runtime/manifest.ts';
import type { ManifestFile, ModelManifest } from '../src/runtime/manifest.ts';

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The manifest of a model folder, from its files. */
export function manifestFor(modelDir: string): ModelManifest {
  const dir = resolve(modelDir);
  const files: Record<string, ManifestFile> = {};
  for (const path of listFiles(dir)) {
    const rel = relative(dir, path).split(sep).join('/');
    if (!isModelFile(rel)) continue;
    const bytes = readFileSync(path);
    files[rel] = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const json = (name: string): unknown => {
    if (!files[name]) throw new Error(`${join(dir, name)} is missing: a model folder needs config.json, tokenizer.json and tokenizer_config.json.`);
    return JSON.parse(readFileSync(join(dir, name), 'utf8'));
  };
  return createManifest(basename(dir), files, json('config.json'), json('tokenizer.json'));
}

export function writeManifest(modelDir: string): { path: string; manifest: ModelManifest } {
  const manifest = manifestFor(modelDir);
  const path = join(resolve(modelDir), MANIFEST_FILE);
  writeFileSync(path, `${JSON.stringify(manifest, null, 1)}\n`);
  return { path, manifest };
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx scripts/write-manifest.ts <modelDir>');
    process.exit(2);
  }
  try {
    const { path, manifest } = writeManifest(dir);
    const bytes = Object.values(manifest.files).reduce((a, f) => a + f.size, 0);
    console.log(`${path}: ${Object.keys(manifest.files).length} files, ${bytes} bytes; limits ${JSON.stringify(manifest.limits)}`);
  } catch (error) {
    console.error(String((error as Error)?.message ?? error));
    process.exit(1);
  }
}
