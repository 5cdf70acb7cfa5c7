// The Web Worker: exposes the engine through comlink (src/engine-host.ts, the wire: src/protocol.ts), nothing else.
import * as Comlink from 'comlink';
import { mark } from '../src/trace.ts';
import { createWorkerApi } from '../src/engine-host.ts';

mark('worker-evaluated'); // the worker's script and its static imports ran (its timeOrigin is the worker's start)
Comlink.expose(createWorkerApi(undefined, Comlink.releaseProxy));
