// Hands verified model bytes to transformers.js without its process-global model path.
// transformers.js resolves a model id against `env.localModelPath` (one value per process), so two
// explainers loading two folders at once used to read each other's files. Instead every load gets
// its own id under a made-up scheme (`because-verified:<n>/<name>`): not a Hub id, not a URL, not a
// path that exists, so transformers.js asks its cache first, and the cache installed here answers
// with the bytes of that load only. A file the load did not register is a miss, which transformers.js
// reports as missing (Node: no such file; browser: the fetch below answers 404 without a request), so
// nothing unverified is ever read through this route.
import type { env as TjsEnv } from '@huggingface/transformers';

export const STORE_SCHEME = 'because-verified:';

type Env = typeof TjsEnv;

interface Load {
  files: Map<string, Uint8Array>;
}

const loads = new Map<string, Load>();
let serial = 0;
let installedOn: Env | null = null;

/** The load id and file of a key transformers.js asks for (its local path or its hub-style cache key). */
function lookup(key: string): Uint8Array | undefined {
  const at = key.indexOf(STORE_SCHEME);
  if (at < 0) return undefined;
  const rest = key.slice(at + STORE_SCHEME.length); // "<n>/<name>/<file…>"
  const cut = rest.indexOf('/', rest.indexOf('/') + 1);
  if (cut < 0) return undefined;
  const file = rest.slice(cut + 1).replace(/^resolve\/[^/]+\//, ''); // the hub path template, if any
  return loads.get(STORE_SCHEME + rest.slice(0, cut))?.files.get(file);
}

/** Points transformers.js at this store (idempotent; the settings are the same for every load). */
export function installStore(env: Env): void {
  if (installedOn === env) return;
  installedOn = env;
  env.allowLocalModels = true;
  env.allowRemoteModels = false; // the Hugging Face hub is never contacted
  env.useCustomCache = true;
  env.customCache = {
    async match(key: string) {
      const bytes = lookup(key);
      return bytes ? new Response(bytes as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-length': String(bytes.byteLength) } }) : undefined;
    },
    async put() {
      // verified bytes are kept by model-files.ts (Cache Storage); nothing to store twice
    },
  } as unknown as Env['customCache'];
  const fetchNext = env.fetch;
  env.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith(STORE_SCHEME)) return Promise.resolve(new Response(null, { status: 404 }));
    return fetchNext(input as never, init as never);
  }) as Env['fetch'];
}

/** Registers one load's verified files; returns the model id to pass to transformers.js and a release. */
export function registerLoad(name: string, files: Map<string, Uint8Array>): { id: string; release(): void } {
  const id = `${STORE_SCHEME}${++serial}/${name}`;
  loads.set(id, { files });
  return { id, release: () => void loads.delete(id) };
}

/** Loads registered and not released (tests: a finished load keeps no bytes). */
export function pendingLoads(): number {
  return loads.size;
}
