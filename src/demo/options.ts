// Demo settings read from the page URL. Every option is optional; bad values fall back to defaults.
//   ?device=wasm|webgpu|auto   backend to ask the engine for (default auto)
//   ?limit=N                   show only the first N games (tests use few items on slow SwiftShader WebGPU)
//   ?tokens=N                  maxNewTokens per reason
//   ?catalog=/path.json        another catalog file, same origin only (tests load a hostile fixture)
//   ?model=/models/x/          another model folder, same origin only
export type DeviceChoice = 'auto' | 'wasm' | 'webgpu';

export interface DemoOptions {
  device: DeviceChoice;
  limit: number | null;
  maxNewTokens: number | null;
  catalogUrl: string;
  modelUrl: string | null;
}

export const DEFAULT_CATALOG = '/demo/catalog.json';

function positiveInt(raw: string | null, max: number): number | null {
  if (raw === null || !/^\d+$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 ? Math.min(n, max) : null;
}

/** A same-origin URL for `raw`, or null: the demo never fetches from another origin. */
export function sameOrigin(raw: string | null, base: string): string | null {
  if (!raw) return null;
  try {
    const url = new URL(raw, base);
    return url.origin === new URL(base).origin ? url.href : null;
  } catch {
    return null;
  }
}

export function readOptions(href: string): DemoOptions {
  const params = new URL(href).searchParams;
  const device = params.get('device');
  return {
    device: device === 'wasm' || device === 'webgpu' ? device : 'auto',
    limit: positiveInt(params.get('limit'), 1000),
    maxNewTokens: positiveInt(params.get('tokens'), 256),
    catalogUrl: sameOrigin(params.get('catalog'), href) ?? new URL(DEFAULT_CATALOG, href).href,
    modelUrl: sameOrigin(params.get('model'), href),
  };
}

/** The current URL with `device` replaced (the device toggle reloads the page with it). */
export function withDevice(href: string, device: DeviceChoice): string {
  const url = new URL(href);
  url.searchParams.set('device', device);
  return url.href;
}
