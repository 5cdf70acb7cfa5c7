// A Worker constructor that also works when the worker script lives on another origin (a CDN).
// Browsers refuse `new Worker(crossOriginUrl)` (the worker's origin comes from its URL), but a
// same-origin blob: "trampoline" whose only line imports the real script is allowed: the import is
// an ordinary CORS fetch, and inside the worker `import.meta.url` is still the CDN URL, so the
// runtime's relative files (ORT .wasm/.mjs) resolve beside it. CSP: needs `worker-src blob:`, and
// `script-src` must allow the CDN (a blob worker inherits the page's policy). See docs/csp.md.

/** The URL to start a worker from: the script itself when same-origin, else a blob trampoline. */
export function trampolineSource(target: URL, type: WorkerType | undefined): string {
  const href = JSON.stringify(target.href);
  return type === 'module' ? `import ${href};\n` : `importScripts(${href});\n`;
}

export function needsTrampoline(target: URL, pageOrigin: string): boolean {
  if (target.protocol === 'blob:' || target.protocol === 'data:') return false;
  return target.origin !== pageOrigin;
}

/**
 * Drop-in for `new Worker(url, options)`. Named import `{ CrossOriginWorker as Worker }` keeps the
 * literal `new Worker(new URL('…', import.meta.url))` that vite needs to bundle the worker.
 */
export const CrossOriginWorker = function CrossOriginWorker(url: string | URL, options?: WorkerOptions): Worker {
  const NativeWorker = globalThis.Worker;
  const base = typeof location !== 'undefined' ? location.href : undefined;
  const target = new URL(String(url), base);
  const origin = typeof location !== 'undefined' ? location.origin : target.origin;
  if (!needsTrampoline(target, origin)) return new NativeWorker(target, options);
  const blobUrl = URL.createObjectURL(new Blob([trampolineSource(target, options?.type)], { type: 'text/javascript' }));
  const worker = new NativeWorker(blobUrl, options);
  // The blob is only needed until the worker has fetched it.
  const revoke = (): void => URL.revokeObjectURL(blobUrl);
  worker.addEventListener('message', revoke, { once: true });
  worker.addEventListener('error', revoke, { once: true });
  setTimeout(revoke, 60_000);
  return worker;
} as unknown as typeof Worker;
