// Where the model is: a model option → the folder transformers.js loads from (same origin, another
// origin, or a Node path), and the default folder.
import { ModelLoadError } from '../errors.ts';
import { DEFAULT_MODEL_ID, isBareModelName } from '../defaults.ts';

export const inNodeJs = (): boolean =>
  typeof process !== 'undefined' && (process as { release?: { name?: string } }).release?.name === 'node';

export interface ModelLocation {
  /**
   * Folder that holds the model folder, with a trailing slash: a filesystem path (Node), a path on
   * this origin ('/models/'), or an absolute http(s) URL when `remote`.
   */
  base: string;
  /** The model folder's name (transformers.js "model id"). */
  id: string;
  /** Fetched from an http(s) URL that is not this page's/worker's origin (or any URL in Node). */
  remote: boolean;
}

// transformers.js' REPO_ID_REGEX, for a single path segment.
const MODEL_ID = /^\b[\w\-.]{1,96}\b$/;
const HTTP = /^https?:\/\//i;

/**
 * Splits a model option into (base folder, id); transformers.js then loads `base + id + '/file'`.
 * Same-origin URLs become paths: transformers.js 4.3.2 only treats a non-URL `localModelPath` as
 * local (its file-existence check skips absolute URLs). Other origins are `remote` and go through
 * `env.remoteHost` = that folder; the Hugging Face hub is never contacted either way.
 */
export function resolveModelLocation(model: string | undefined, where: { node: boolean; defaultBase: string; origin?: string }): ModelLocation {
  const raw = (model ?? '').trim() || DEFAULT_MODEL_ID;
  let full: string;
  if (isBareModelName(raw)) full = where.defaultBase.replace(/\/?$/, '/') + raw;
  else full = raw;
  full = full.replace(/[/\\]+$/, '');
  if (!where.node && where.origin && !HTTP.test(full)) {
    try {
      full = new URL(full, where.origin).href; // relative to the worker/page: make it absolute first
    } catch {
      // left as given; loading reports the problem
    }
  }
  const cut = Math.max(full.lastIndexOf('/'), full.lastIndexOf('\\'));
  let base = full.slice(0, cut + 1);
  const id = full.slice(cut + 1);
  if (!MODEL_ID.test(id) || id.includes('..')) {
    throw new ModelLoadError(
      `The model folder name "${id}" is not usable: name the folder with letters, digits, '-', '_' or '.' (e.g. "${DEFAULT_MODEL_ID}") and pass its URL.`,
      { file: full },
    );
  }
  let remote = false;
  if (HTTP.test(base)) {
    const url = new URL(base);
    if (!where.node && where.origin && url.origin === new URL(where.origin).origin) base = url.pathname;
    else remote = true;
  }
  return { base, id, remote };
}

// Node built-ins are imported by a computed name so that browser bundles never try to include them.
const nodeImport = <T>(name: string): Promise<T> => import(/* @vite-ignore */ name) as Promise<T>;

export async function defaultBase(node: boolean): Promise<string> {
  if (!node) return '/models/';
  const url = await nodeImport<typeof import('node:url')>('node:url');
  const here = import.meta.url; // via a variable: vite must not treat this as an asset reference
  return url.fileURLToPath(new URL('../../public/models/', here));
}
