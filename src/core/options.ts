// createExplainer's options: the one validation, used by the factory (src/explainer.ts, which throws)
// and, key by key, by the embed's data-* attributes (src/embed/config.ts, which leaves a bad one out).
// Small on purpose: the embed's page script carries it.
import { DTYPES } from '../defaults.ts';
import { InvalidOptionsError } from '../errors.ts';
import type { ExplainerOptions } from '../types.ts';

export const DEVICES = ['auto', 'webgpu', 'wasm'] as const;
/** Largest maxNewTokens accepted (reasons are ≤ 75 words; this bounds a runaway request). */
export const MAX_NEW_TOKENS_LIMIT = 512;

const OPTION_KEYS = ['model', 'device', 'dtype', 'maxNewTokens', 'onProgress', 'worker', 'wasmPaths', 'persistentCache'] as const;
export type OptionKey = (typeof OPTION_KEYS)[number];

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A property, or undefined when reading it throws (a hostile getter or proxy). */
export function read(obj: Record<string, unknown>, key: string): unknown {
  try {
    return obj[key];
  } catch {
    return undefined;
  }
}

const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
const nonEmpty = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';
const boolean = (v: unknown): boolean => typeof v === 'boolean';

/** Per option: whether a value is allowed, and what is wanted (the error message says it). */
const RULES: Record<OptionKey, readonly [(v: unknown) => boolean, string]> = {
  model: [nonEmpty, 'a non-empty URL or path of a model folder'],
  device: [(v) => (DEVICES as readonly unknown[]).includes(v), `one of ${list(DEVICES)}`],
  dtype: [(v) => (DTYPES as readonly unknown[]).includes(v), `one of ${list(DTYPES)}`],
  maxNewTokens: [(v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_NEW_TOKENS_LIMIT, `an integer from 1 to ${MAX_NEW_TOKENS_LIMIT}`],
  onProgress: [(v) => typeof v === 'function', 'a function (event) => void'],
  worker: [boolean, 'true or false'],
  persistentCache: [boolean, 'true or false'],
  wasmPaths: [nonEmpty, "a non-empty base URL of onnxruntime-web's .wasm/.mjs files"],
};
/** The order options are checked in (the first bad one is reported). */
const CHECK_ORDER = Object.keys(RULES) as OptionKey[];

/** One option's value as given, or InvalidOptionsError naming the option and what it must be. */
export function checkOption<K extends OptionKey>(key: K, value: unknown): NonNullable<ExplainerOptions[K]> {
  const [ok, want] = RULES[key];
  if (!ok(value)) {
    const got = typeof value === 'string' ? `'${value.slice(0, 80)}'` : String(value);
    throw new InvalidOptionsError(`Option '${key}' must be ${want}; got ${got}.`, { details: { option: key } });
  }
  return value as NonNullable<ExplainerOptions[K]>;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0] as number;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j] as number;
      d[j] = Math.min(cur + 1, (d[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length] as number;
}

/**
 * Checks createExplainer's options and returns a copy with only the known keys. Throws
 * InvalidOptionsError naming the option and the allowed values: `options` not an object; `model` /
 * `wasmPaths` not a non-empty string; `device` not 'auto' | 'webgpu' | 'wasm'; `dtype` not a known
 * dtype; `maxNewTokens` not an integer in 1..512; `onProgress` not a function; `worker` /
 * `persistentCache` not a boolean; an unknown key that looks like a typo of a known one
 * ('devcie' → "did you mean 'device'?"). Other unknown keys are ignored (forward compatibility).
 * undefined values count as absent.
 */
export function validateOptions(options: unknown): ExplainerOptions {
  if (options === undefined || options === null) return {};
  if (!isRecord(options)) throw new InvalidOptionsError(`createExplainer(options): options must be an object, got ${typeof options}.`);
  for (const key of Object.keys(options)) {
    if ((OPTION_KEYS as readonly string[]).includes(key)) continue;
    const near = OPTION_KEYS.find((k) => editDistance(key.toLowerCase(), k.toLowerCase()) <= 2);
    if (near) throw new InvalidOptionsError(`Unknown option '${key}': did you mean '${near}'?`, { details: { option: key } });
  }
  const out: Record<string, unknown> = {};
  for (const key of CHECK_ORDER) {
    const value = read(options, key);
    if (value !== undefined) out[key] = checkOption(key, value);
  }
  return out as ExplainerOptions;
}
