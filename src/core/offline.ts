// Reasons without the model, on the page side: used when the worker cannot start or dies, so the
// page still gets honest, labelled reasons (`source: 'fallback'`, `fallbackReason: 'model-unavailable'`).
// Loaded lazily by worker-client.ts only in that case.
import { fallbackReason } from './grounding.ts';
import { validateContext, validateItems } from './validate.ts';
import type { Backend, Item, Reason, UserContext } from '../types.ts';

/** One reason per input position; invalid items get `fallbackReason: 'invalid-item'` and empty text. */
export function offlineReasons(items: readonly Item[], context: UserContext, backend: Backend): Reason[] {
  const checked = validateItems(items);
  const ctx = validateContext(context);
  const out = new Array<Reason>(items.length);
  for (const r of checked.rejected) {
    out[r.index] = { itemId: r.id, text: '', facts: [], source: 'fallback', backend, tokens: 0, ms: 0, fallbackReason: 'invalid-item' };
  }
  checked.valid.forEach((item, k) => {
    const { text, facts } = fallbackReason(item, ctx);
    out[checked.indices[k] as number] = { itemId: item.id, text, facts, source: 'fallback', backend, tokens: 0, ms: 0, fallbackReason: 'model-unavailable' };
  });
  return out;
}
