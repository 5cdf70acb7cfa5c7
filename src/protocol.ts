// The worker wire, the one file both sides import: what the worker exposes (WorkerApi, implemented by
// engine-host.ts, called by worker-client.ts) and how errors cross it. Like comlink's own
// `transferHandlers`, errors are customised in ONE place: the 'throw' handler below sends a thrown
// value as serializeError's plain data and rethrows it on the other side as the same typed class.
import * as Comlink from 'comlink';
import { reviveError, serializeError, type SerializedError } from './errors.ts';
import type { ExplainerInfo, ExplainerOptions, Item, ProgressEvent, RankedItem, Reason, StreamChunk, UserContext } from './types.ts';

/** Options that can cross to the worker (no callbacks). */
export type WorkerInitOptions = Omit<ExplainerOptions, 'onProgress' | 'worker'>;

/** What explainer.worker.ts exposes. Every call that can take long carries a request id for abort. */
export interface WorkerApi {
  init(options: WorkerInitOptions, onProgress?: (event: ProgressEvent) => void): Promise<void>;
  explain(id: number, items: Item[], context: UserContext): Promise<Reason[]>;
  stream(id: number, item: Item, context: UserContext, onChunk: (chunk: StreamChunk) => void): Promise<void>;
  abort(id: number): void;
  rank(items: Item[], context: UserContext): Promise<RankedItem[]>;
  info(): Promise<ExplainerInfo>;
  dispose(): Promise<void>;
}

type Thrown = { value: unknown };
let installed = false;

/**
 * Replaces comlink's 'throw' transfer handler (which keeps only name, message and stack) with ours.
 * Both sides call it before their first message; it is idempotent. A call, not an import side
 * effect: the package is `sideEffects: false`, so a bundler may drop side-effect-only imports.
 */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const builtin = Comlink.transferHandlers.get('throw') as Comlink.TransferHandler<Thrown, SerializedError>;
  Comlink.transferHandlers.set('throw', {
    canHandle: builtin.canHandle,
    serialize: ({ value }: Thrown) => [serializeError(value), []],
    deserialize: (data: SerializedError) => {
      throw reviveError(data);
    },
  } satisfies Comlink.TransferHandler<Thrown, SerializedError>);
}
