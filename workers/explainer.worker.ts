// The Web Worker: exposes the in-thread engine through comlink, nothing else (see worker-api.ts).
import * as Comlink from 'comlink';
import { mark } from './trace.ts';
import { createWorkerApi } from './worker-api.ts';

mark('worker-evaluated'); // the worker's script and its static imports ran (its timeOrigin is the worker's start)
Comlink.expose(createWorkerApi(undefined, Comlink.releaseProxy));
