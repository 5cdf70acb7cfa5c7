// Starts the explainer worker for the embed, from wherever because-embed.js was loaded (the page's
// origin or a CDN), through the API's factory (one validation of options, one place that picks).
import { pickExplainer } from '../explainer.ts';
import type { Explainer, ExplainerOptions } from '../types.ts';
// Shadows the global on purpose: vite rewrites the literal `new Worker(new URL(…))` below.
import { CrossOriginWorker as Worker } from './cross-origin-worker.ts';

export function startWorkerExplainer(options: ExplainerOptions): Explainer {
  return pickExplainer({ ...options, worker: true }, () => new Worker(new URL('../../workers/explainer.worker.ts', import.meta.url), { type: 'module', name: 'because-explainer' }));
}
