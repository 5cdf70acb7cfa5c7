// Writes `file.br` and `file.gz` beside every file of a folder, as a CDN would serve them with
// Content-Encoding (Node's zlib: brotli quality 11, gzip level 9; ONNX weights brotli 9: int8 weights
// barely compress, and 11 saves 0.6 % of them for 80x the time). Brotli 11 on the 27 MB runtime takes
// minutes on a busy machine, so results are cached by content hash (node_modules/.cache).
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const ENCODINGS = ['br', 'gz'] as const;
export type Encoding = (typeof ENCODINGS)[number];

const BROTLI_QUALITY = 11;
const BROTLI_QUALITY_WEIGHTS = 9;
const GZIP_LEVEL = 9;

export function compress(data: Buffer, encoding: Encoding, quality = BROTLI_QUALITY): Buffer {
  if (encoding === 'gz') return gzipSync(data, { level: GZIP_LEVEL });
  return brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: quality,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      [constants.BROTLI_PARAM_LGWIN]: 24,
    },
  });
}

/** Every file under dir (relative paths), not the compressed copies. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!/\.(br|gz)$/.test(name)) out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

export interface CompressedSizes {
  raw: number;
  br: number;
  gz: number;
}

/** Brotli quality of a fast build (BECAUSE_PRECOMPRESS=fast: the browser tests, which need the encodings, not the bytes). */
export const BROTLI_QUALITY_FAST = 4;

/**
 * Precompresses every file of `dir`; returns the sizes per relative path. `fast`: brotli at
 * BROTLI_QUALITY_FAST for every file (seconds instead of minutes on a fresh clone, whose cache is empty).
 */
export function precompressFolder(dir: string, cacheDir: string, log: (line: string) => void = () => undefined, fast = false): Record<string, CompressedSizes> {
  mkdirSync(cacheDir, { recursive: true });
  const sizes: Record<string, CompressedSizes> = {};
  for (const file of listFiles(dir)) {
    const full = join(dir, file);
    const data = readFileSync(full);
    const hash = createHash('sha256').update(data).digest('hex');
    const entry: CompressedSizes = { raw: data.length, br: 0, gz: 0 };
    const quality = fast ? BROTLI_QUALITY_FAST : file.endsWith('.onnx') ? BROTLI_QUALITY_WEIGHTS : BROTLI_QUALITY;
    for (const encoding of ENCODINGS) {
      const cached = join(cacheDir, `${hash}.${encoding}${encoding === 'br' ? quality : GZIP_LEVEL}`);
      if (!existsSync(cached)) {
        const t0 = Date.now();
        writeFileSync(cached, compress(data, encoding, quality));
        if (Date.now() - t0 > 2000) log(`${encoding} ${file}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      }
      copyFileSync(cached, `${full}.${encoding}`);
      entry[encoding] = statSync(cached).size;
    }
    sizes[file] = entry;
  }
  return sizes;
}
