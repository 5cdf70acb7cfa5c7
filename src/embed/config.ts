// Reads the embed's settings from its own <script> tag. Module scripts have no
// document.currentScript, so the tag is found by its resolved src = import.meta.url.
import { parseConsentMode, type ConsentMode } from '../profile/consent.ts';
import type { Backend, DType } from '../types.ts';
import { DEFAULT_MODEL_ID } from '../defaults.ts';
// The API's own option checks (small: part of the page script), key by key.
import { checkOption, type OptionKey } from '../core/options.ts';

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

/** A data-* value as createExplainer would take it, or undefined (with a console warning) when it would refuse it. */
function option<K extends OptionKey>(key: K, value: unknown, attribute: string): ReturnType<typeof checkOption<K>> | undefined {
  if (value === undefined) return undefined;
  try {
    return checkOption(key, value);
  } catch (error) {
    console.warn(`Because: ${attribute} ignored. ${(error as Error).message}`);
    return undefined;
  }
}

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
  const device = option('device', get('device'), 'data-device');
  if (device) config.device = device;
  const dtype = option('dtype', get('dtype'), 'data-dtype');
  if (dtype) config.dtype = dtype;
  const tokens = get('max-new-tokens');
  const maxNewTokens = option('maxNewTokens', tokens === undefined ? undefined : Number(tokens), 'data-max-new-tokens');
  if (maxNewTokens) config.maxNewTokens = maxNewTokens;
  const wasm = get('wasm-paths');
  if (wasm) config.wasmPaths = resolveAgainst(wasm, scriptUrl);
  return config;
}
