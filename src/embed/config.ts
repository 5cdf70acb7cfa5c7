// Reads the embed's settings from its own <script> tag. Module scripts have no
// document.currentScript, so the tag is found by its resolved src = import.meta.url.
import { parseConsentMode, type ConsentMode } from '../profile/consent.ts';
import type { Backend, DType } from '../types.ts';
// Only the constant: the bundler drops the rest of runtime.ts from the page script (checked by the build's size report).
import { DEFAULT_MODEL_ID } from '../defaults.ts';

export interface EmbedConfig {
  /** Absolute URL of the model folder. */
  model: string;
  consent: ConsentMode;
  device?: 'auto' | Backend;
  dtype?: DType;
  maxNewTokens?: number;
  /** Domain for data-because-item cards that do not say ('product' unless data-domain). */
  domain: string;
  /** Reorder sibling cards by rank once, before the visitor interacts (opt-in). */
  reorder: boolean;
  /** Discover and mount at load (default); "false": only <because-reason> and the JS API. */
  auto: boolean;
  wasmPaths?: string;
  scriptUrl: string;
}

/** Beside the script, where `npm run build` puts the default model. */
export const DEFAULT_MODEL_PATH = `./models/${DEFAULT_MODEL_ID}`;
const DEVICES = ['auto', 'webgpu', 'wasm'];
const DTYPES = ['fp32', 'fp16', 'q8', 'q4', 'int8', 'uint8', 'q4f16', 'bnb4'];

export function findScript(doc: Document, scriptUrl: string): HTMLScriptElement | null {
  for (const script of Array.from(doc.querySelectorAll<HTMLScriptElement>('script[src]'))) {
    try {
      if (new URL(script.getAttribute('src') ?? '', doc.baseURI).href === scriptUrl) return script;
    } catch {
      // an unparsable src is not ours
    }
  }
  return null;
}

/** Resolves `value` against the script URL (so a CDN-hosted script finds its model beside it). */
export function resolveAgainst(value: string, scriptUrl: string): string {
  try {
    return new URL(value, scriptUrl).href;
  } catch {
    return value;
  }
}

export function readConfig(script: Pick<HTMLElement, 'getAttribute'> | null, scriptUrl: string): EmbedConfig {
  const get = (name: string): string | undefined => {
    const value = script?.getAttribute(`data-${name}`);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const config: EmbedConfig = {
    model: resolveAgainst(get('model') ?? DEFAULT_MODEL_PATH, scriptUrl).replace(/\/+$/, ''),
    consent: parseConsentMode(get('consent')),
    domain: (get('domain') ?? 'product').toLowerCase().slice(0, 16),
    reorder: get('reorder') === 'true',
    auto: get('auto') !== 'false',
    scriptUrl,
  };
  const device = get('device');
  if (device && DEVICES.includes(device)) config.device = device as EmbedConfig['device'];
  const dtype = get('dtype');
  if (dtype && DTYPES.includes(dtype)) config.dtype = dtype as DType;
  const tokens = Number(get('max-new-tokens'));
  if (Number.isInteger(tokens) && tokens >= 1 && tokens <= 512) config.maxNewTokens = tokens;
  const wasm = get('wasm-paths');
  if (wasm) config.wasmPaths = resolveAgainst(wasm, scriptUrl);
  return config;
}
