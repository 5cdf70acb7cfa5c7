// One error class per failure, each with a stable `code` and a message that says what to do.
// Errors cross the worker boundary as plain objects (serializeError) and are rebuilt as the same
// classes on the page side (reviveError), so `instanceof` and `code` work for integrators.

/** Extra, structured details of an error (all JSON-safe). */
export type ErrorDetails = Record<string, string | number | boolean | null | undefined>;

export interface BecauseErrorOptions {
  cause?: unknown;
  details?: ErrorDetails;
}

/** Base class of every error Because throws. `code` is stable; match on it (or instanceof), not on messages. */
export class BecauseError extends Error {
  readonly code: string = 'BECAUSE_ERROR';
  readonly details: ErrorDetails | undefined;

  constructor(message: string, options: BecauseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // `name` comes from the prototype (set below from CLASSES), so it survives minification.
    this.details = options.details;
  }
}

/**
 * The model (or the runtime, or a model file) could not be loaded. `details.file` names the file/URL
 * when known. Check the `model` option and that the server serves that folder (and the ORT .wasm files).
 * Reasons keep coming as `source: 'fallback'` while the model is unavailable.
 */
export class ModelLoadError extends BecauseError {
  override readonly code = 'MODEL_LOAD_FAILED';

  constructor(message: string, options: BecauseErrorOptions & { file?: string } = {}) {
    super(message, { ...options, details: { ...options.details, ...(options.file ? { file: options.file } : {}) } });
  }

  get file(): string | undefined {
    return typeof this.details?.file === 'string' ? this.details.file : undefined;
  }
}

/** The environment lacks something required (Web Workers, WebAssembly, WebGPU when `device: 'webgpu'`). */
export class UnsupportedEnvironmentError extends BecauseError {
  override readonly code = 'UNSUPPORTED_ENVIRONMENT';
}

/** A call's arguments have the wrong shape (e.g. `items` is not an array, `context` is not an object). */
export class InvalidInputError extends BecauseError {
  override readonly code = 'INVALID_INPUT';
}

/**
 * One item cannot be explained (e.g. no usable title). It is reported per item and never fails the
 * batch: `explain` returns a `source: 'fallback'` reason with `fallbackReason: 'invalid-item'` for it.
 */
export class InvalidItemError extends BecauseError {
  override readonly code = 'INVALID_ITEM';

  constructor(message: string, options: BecauseErrorOptions & { index?: number; itemId?: string } = {}) {
    super(message, {
      ...options,
      details: { ...options.details, ...(options.index !== undefined ? { index: options.index } : {}), ...(options.itemId !== undefined ? { itemId: options.itemId } : {}) },
    });
  }
}

/** More items in one call than MAX_ITEMS_PER_CALL. Split the list into pages and call once per page. */
export class TooManyItemsError extends BecauseError {
  override readonly code = 'TOO_MANY_ITEMS';
}

/** An option of `createExplainer` (or a call) is invalid; the message names the option and the allowed values. */
export class InvalidOptionsError extends BecauseError {
  override readonly code = 'INVALID_OPTIONS';
}

/** The request was aborted through its AbortSignal. `name` is 'AbortError', like DOM aborts. */
export class AbortError extends BecauseError {
  override readonly code = 'ABORTED';

  constructor(message = 'The request was aborted.', options: BecauseErrorOptions = {}) {
    super(message, options);
  }
}

/** The explainer was disposed. Create a new one with createExplainer(). */
export class DisposedError extends BecauseError {
  override readonly code = 'DISPOSED';
}

/** The worker died (crash, out of memory, blocked script). Create a new explainer. */
export class WorkerCrashedError extends BecauseError {
  override readonly code = 'WORKER_CRASHED';
}

const CLASSES = {
  BecauseError,
  ModelLoadError,
  UnsupportedEnvironmentError,
  InvalidInputError,
  InvalidItemError,
  TooManyItemsError,
  InvalidOptionsError,
  AbortError,
  DisposedError,
  WorkerCrashedError,
} as const;

// Explicit names: a minifier renames classes, and `name` is what crosses the worker boundary.
for (const [name, cls] of Object.entries(CLASSES)) {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true, enumerable: false });
}

/** An error as plain, structured-clonable data. */
export interface SerializedError {
  __because_error: true;
  name: string;
  code: string;
  message: string;
  stack?: string;
  details?: ErrorDetails;
  cause?: SerializedError;
}

export function isSerializedError(value: unknown): value is SerializedError {
  return typeof value === 'object' && value !== null && (value as SerializedError).__because_error === true;
}

/** Any thrown value as plain data (safe for postMessage). Causes are kept 3 levels deep. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (isSerializedError(error)) return error;
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as Error & { code?: unknown; details?: unknown; cause?: unknown };
    const out: SerializedError = {
      __because_error: true,
      name: typeof e.name === 'string' ? e.name : 'Error',
      code: typeof e.code === 'string' ? e.code : 'ERROR',
      message: String(e.message),
    };
    if (typeof e.stack === 'string') out.stack = e.stack;
    if (e.details && typeof e.details === 'object') out.details = { ...(e.details as ErrorDetails) };
    if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
    return out;
  }
  return { __because_error: true, name: 'Error', code: 'ERROR', message: String(error) };
}

function isClassName(name: string): name is keyof typeof CLASSES {
  return Object.prototype.hasOwnProperty.call(CLASSES, name);
}

/**
 * Rebuilds an error from serializeError's data, or from any `{ name, message }` (comlink's plain
 * error data, an Error of another realm): our classes by name, else a plain Error with that name.
 * A DOMException-style `AbortError` becomes our AbortError. An existing BecauseError is returned as is.
 */
export function reviveError(value: unknown): Error {
  if (value instanceof BecauseError) return value;
  const data = serializeError(value);
  const cause = data.cause ? reviveError(data.cause) : undefined;
  const options: BecauseErrorOptions = { ...(cause ? { cause } : {}), ...(data.details ? { details: data.details } : {}) };
  let error: Error;
  if (isClassName(data.name)) {
    error = new CLASSES[data.name](data.message, options);
  } else {
    error = new Error(data.message, cause ? { cause } : undefined);
    error.name = data.name;
    if (data.code !== 'ERROR') (error as Error & { code: string }).code = data.code;
  }
  if (data.stack) error.stack = data.stack;
  return error;
}

/** Same as reviveError (the name the comlink transfer handler uses). */
export const deserializeError = reviveError;

/** True for an abort from any source: our AbortError, a DOMException 'AbortError', or its serialized form. */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Error).name === 'AbortError';
}
