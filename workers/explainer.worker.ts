// The Web Worker: exposes the in-thread engine through comlink, nothing else (see worker-api.ts).
import * as Comlink from 'comlink';
import { createWorkerApi } from './worker-api.ts';

Comlink.expose(createWorkerApi(undefined, Comlink.releaseProxy));
