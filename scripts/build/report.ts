// What a visitor downloads from the embed folder, per backend, from the build's own files: the page
// script (because-embed.js and its static imports), the engine code (worker, transformers.js, the
// engine client chunks), one onnxruntime-web build (WASM-only or WebGPU) and the default model.
// The bench measures the same in a browser; this is the static count, printed by `npm run build`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompressedSizes } from './precompress.ts';

export interface PathBytes {
  files: string[];
  raw: number;
  gz: number;
  br: number;
}

export interface EmbedReport {
  /** files: every shipped model file (relative to the folder); weights: the default dtype's ONNX file among them. */
  model: { id: string; dtype: string; dtypes: string[]; files: string[]; weights: string };
  /** because-embed.js and what it imports statically: what the page runs before anything else. */
  page: PathBytes;
  runtimes: { wasm: PathBytes; webgpu: PathBytes };
  /** First visit over the wire per backend (all engine code + that runtime + the default model). */
  first_visit: { wasm: PathBytes; webgpu: PathBytes };
  files: Record<string, CompressedSizes>;
}

const STATIC_IMPORT = /(?:^|[;}\s])import\s*(?:[\w*{}\s,$]+from\s*)?["'`]\.\/([\w.-]+\.js)["'`]/g;

/** The static import closure of a module in `dir` (relative names). */
export function staticClosure(dir: string, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(dir, file), 'utf8');
    for (const m of code.matchAll(STATIC_IMPORT)) visit(m[1]!);
  };
  visit(entry);
  return [...seen];
}

function sum(files: string[], sizes: Record<string, CompressedSizes>): PathBytes {
  const out: PathBytes = { files, raw: 0, gz: 0, br: 0 };
  for (const f of files) {
    const s = sizes[f];
    if (!s) throw new Error(`report: no sizes for ${f}`);
    out.raw += s.raw;
    out.gz += s.gz;
    out.br += s.br;
  }
  return out;
}

export function embedReport(dir: string, sizes: Record<string, CompressedSizes>, model: EmbedReport['model']): EmbedReport {
  const names = Object.keys(sizes);
  const page = staticClosure(dir, 'because-embed.js');
  const ort = (re: RegExp): string[] => names.filter((n) => re.test(n));
  const wasm = ort(/^because-ort-wasm-simd-threaded-[\w-]+\.(wasm|mjs)$/);
  const webgpu = ort(/^because-ort-wasm-simd-threaded\.asyncify-[\w-]+\.(wasm|mjs)$/);
  if (wasm.length !== 2 || webgpu.length !== 2) throw new Error(`report: expected 2 + 2 onnxruntime-web files, found ${[...wasm, ...webgpu].join(', ')}`);
  // Engine code: every other script except chunks a normal visit never loads: the page-side fallback
  // (only if the worker dies) and onnxruntime-web's WASM-only JS (src/runtime/wasm-fallback.ts, only after
  // a WebGPU device loss).
  const code = names.filter((n) => /\.(js|mjs)$/.test(n) && !page.includes(n) && !wasm.includes(n) && !webgpu.includes(n) && !/^because-(fallback|ort\.wasm\.bundle)/.test(n));
  const modelFiles = model.files.filter((f) => !f.endsWith('.onnx') || f === model.weights);
  const base = [...page, ...code, ...modelFiles];
  return {
    model,
    page: sum(page, sizes),
    runtimes: { wasm: sum(wasm, sizes), webgpu: sum(webgpu, sizes) },
    first_visit: { wasm: sum([...base, ...wasm], sizes), webgpu: sum([...base, ...webgpu], sizes) },
    files: sizes,
  };
}

const mb = (n: number): string => (n / 1e6).toFixed(2);
const kb = (n: number): string => (n / 1e3).toFixed(1);

export function formatReport(r: EmbedReport): string {
  const row = (name: string, p: PathBytes, unit: (n: number) => string, u: string): string =>
    `  ${name.padEnd(28)} raw ${unit(p.raw).padStart(7)} ${u}   gzip ${unit(p.gz).padStart(7)} ${u}   brotli ${unit(p.br).padStart(7)} ${u}`;
  return [
    `model ${r.model.id}: default dtype ${r.model.dtype}, shipped ${r.model.dtypes.join(', ')}`,
    row('page script (embed + chunks)', r.page, kb, 'kB'),
    row('runtime, WASM-only', r.runtimes.wasm, mb, 'MB'),
    row('runtime, WebGPU (asyncify)', r.runtimes.webgpu, mb, 'MB'),
    row('first visit, WASM', r.first_visit.wasm, mb, 'MB'),
    row('first visit, WebGPU', r.first_visit.webgpu, mb, 'MB'),
  ].join('\n');
}
