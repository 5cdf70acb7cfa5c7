// Starts the explainer worker for the embed, from wherever because-embed.js was loaded (the page's
// origin or a CDN), and wraps it in the engine's page-side client.
import { WorkerExplainer } from '../worker-client.ts';
import type { Explainer, ExplainerOptions } from '../types.ts';
// Shadows the global on purpose: vite rewrites the literal `new Worker(new URL(…))` below.
import { CrossOriginWorker as Worker } from './cross-origin-worker.ts';

export function startWorkerExplainer(options: ExplainerOptions): Explainer {
  const worker = new Worker(new URL('../../workers/explainer.worker.ts', import.meta.url), { type: 'module', name: 'because-explainer' });
  return new WorkerExplainer(worker, options);
}
