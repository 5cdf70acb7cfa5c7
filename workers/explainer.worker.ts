// The Web Worker: exposes the engine through comlink (src/engine-host.ts, the wire: src/protocol.ts), nothing else.
import * as Comlink from 'comlink';
import { createWorkerApi } from '../src/engine-host.ts';

Comlink.expose(createWorkerApi(undefined, Comlink.releaseProxy));
