// Model files, verified: reads the folder's manifest.json, then each file the runtime needs, from
// Cache Storage or the network (the filesystem in Node), and checks its size and SHA-256 against the
// manifest before anything parses it. A mismatch evicts the cached copy and refetches once past every
// cache; a second mismatch is a ModelLoadError that names the file. Cache Storage is an optimisation
// only: when it is missing, over quota or broken, the verified bytes live in memory for this load.
import { ModelLoadError } from '../errors.ts';
import type { ProgressEvent } from '../types.ts';
import { MANIFEST_FILE, parseManifest } from './manifest.ts';
import type { ModelManifest } from './manifest.ts';
import { sha256Hex } from './sha256.ts';

/**
 * Reads one file of the model folder. `fresh: true` bypasses every cache on the way (HTTP cache
 * included: a refetch after a digest mismatch); `'revalidate'` asks the server whether the cached copy
 * is current (a conditional request: 304 and no body when it is, so a second visit costs no bytes).
 */
export type FileReader = (file: string, fresh: boolean | 'revalidate', onChunk?: (loaded: number, total: number | undefined) => void) => Promise<Uint8Array>;

/** The subset of Cache Storage this module uses: bytes by key; every call may fail. */
export interface ByteCache {
  match(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
}

export const CACHE_NAME = 'because-models-v1';

// Node built-ins are imported by a computed name so that browser bundles never try to include them.
const nodeImport = <T>(name: string): Promise<T> => import(/* @vite-ignore */ name) as Promise<T>;
const HTTP = /^https?:\/\//i;

function missing(url: string, why: string): ModelLoadError {
  return new ModelLoadError(`${url} could not be read (${why}): the model folder must hold every file its manifest lists; check the \`model\` option and that the server serves that folder.`, { file: url });
}

/** A reader for a folder: the filesystem for a Node path, fetch() for anything else. */
export function folderReader(folder: string, node: boolean): FileReader {
  if (node && !HTTP.test(folder)) {
    return async (file) => {
      const fs = await nodeImport<typeof import('node:fs/promises')>('node:fs/promises');
      const path = await nodeImport<typeof import('node:path')>('node:path');
      const url = await nodeImport<typeof import('node:url')>('node:url');
      const dir = folder.startsWith('file:') ? url.fileURLToPath(folder) : folder;
      const full = path.join(dir, ...file.split('/'));
      try {
        const buffer = await fs.readFile(full);
        return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (e) {
        throw missing(full, (e as NodeJS.ErrnoException)?.code ?? String(e));
      }
    };
  }
  return async (file, fresh, onChunk) => {
    const url = `${folder}/${file}`;
    let response: Response;
    try {
      response = await fetch(url, { cache: fresh === true ? 'reload' : fresh === 'revalidate' ? 'no-cache' : 'default', credentials: 'same-origin' });
    } catch (e) {
      throw missing(url, `network error: ${String((e as Error)?.message ?? e)}`);
    }
    if (!response.ok) throw missing(url, `HTTP ${response.status}`);
    const total = Number(response.headers.get('content-length')) || undefined;
    if (!onChunk || !response.body) return new Uint8Array(await response.arrayBuffer());
    const reader = response.body.getReader();
    const parts: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      loaded += value.byteLength;
      onChunk(loaded, total);
    }
    const out = new Uint8Array(loaded);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  };
}

/** Cache Storage behind ByteCache, or null where there is none (Node, insecure contexts, blocked storage). */
export async function openByteCache(): Promise<ByteCache | null> {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (!storage) return null;
  let cache: Cache;
  try {
    cache = await storage.open(CACHE_NAME);
  } catch {
    return null; // e.g. storage blocked in this context: memory only
  }
  return {
    async match(key) {
      const hit = await cache.match(key);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async put(key, bytes) {
      await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) } }));
    },
    async delete(key) {
      await cache.delete(key);
    },
  };
}

/** Reads and checks manifest.json (never cached: it is what says whether a cached file is current). */
export async function readManifest(folder: string, read: FileReader): Promise<ModelManifest> {
  const where = `${folder}/${MANIFEST_FILE}`;
  let bytes: Uint8Array;
  try {
    // Always current (it decides whether the cached model is), but revalidated, not refetched.
    bytes = await read(MANIFEST_FILE, 'revalidate');
  } catch (e) {
    throw new ModelLoadError(
      `${where} could not be read: every model folder needs a manifest of its files (write it with \`npx tsx scripts/write-manifest.ts <modelDir>\`). ${String((e as Error)?.message ?? e)}`,
      { file: where, cause: e },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelLoadError(`${where} is not valid JSON: rewrite it with \`npx tsx scripts/write-manifest.ts <modelDir>\`.`, { file: where, cause: e });
  }
  return parseManifest(data, where);
}

export interface VerifyOptions {
  read: FileReader;
  /** Where verified bytes are kept between visits; null: memory only. */
  cache?: ByteCache | null;
  /** Absolute URL of the folder (cache keys); files are keyed by URL and digest. */
  cacheBase?: string;
  onProgress?: (event: ProgressEvent) => void;
}

async function matches(bytes: Uint8Array, size: number, sha256: string): Promise<string | null> {
  if (bytes.byteLength !== size) return `${bytes.byteLength} bytes, the manifest says ${size}`;
  const digest = await sha256Hex(bytes);
  return digest === sha256 ? null : `SHA-256 ${digest}, the manifest says ${sha256}`;
}

/**
 * The verified bytes of `files` (paths inside the folder). Throws ModelLoadError naming the first file
 * that is not in the manifest, cannot be read, or does not match it after one refetch.
 */
export async function readVerified(folder: string, manifest: ModelManifest, files: readonly string[], options: VerifyOptions): Promise<Map<string, Uint8Array>> {
  const { read, cache, onProgress } = options;
  const progress = (event: ProgressEvent): void => {
    try {
      onProgress?.(event);
    } catch {
      // a throwing page callback must not break loading
    }
  };
  const out = new Map<string, Uint8Array>();
  await Promise.all(
    files.map(async (file) => {
      const url = `${folder}/${file}`;
      const entry = manifest.files[file];
      if (!entry) throw new ModelLoadError(`${folder}/${MANIFEST_FILE} lists no ${file}, which this model needs: export the file and rewrite the manifest.`, { file: url });
      const key = cache && options.cacheBase ? `${options.cacheBase}/${file}?sha256=${entry.sha256}` : null;
      progress({ phase: 'download', file, loaded: 0, total: entry.size });
      let bytes: Uint8Array | undefined;
      let fromCache = false;
      if (cache && key) {
        try {
          bytes = await cache.match(key);
          fromCache = bytes !== undefined;
        } catch {
          bytes = undefined; // a broken cache entry is a miss
        }
      }
      const onChunk = (loaded: number): void => progress({ phase: 'download', file, loaded, total: entry.size });
      bytes ??= await read(file, false, onChunk);
      let problem = await matches(bytes, entry.size, entry.sha256);
      if (problem) {
        // Evict the bad copy and refetch once, past the HTTP cache too.
        if (fromCache && cache && key) await cache.delete(key).catch(() => undefined);
        bytes = await read(file, true, onChunk);
        fromCache = false;
        problem = await matches(bytes, entry.size, entry.sha256);
        if (problem) {
          throw new ModelLoadError(`${url} does not match the model's manifest (${problem}): the file is corrupted or belongs to another model version. Re-deploy the model folder as exported.`, { file: url });
        }
      }
      if (!fromCache && cache && key) await cache.put(key, bytes).catch(() => undefined); // over quota: memory only
      progress({ phase: 'download', file, loaded: entry.size, total: entry.size });
      out.set(file, bytes);
    }),
  );
  return out;
}
