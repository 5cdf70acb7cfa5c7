// The labelled fallback Reason, in one place: never model text, `source: 'fallback'`, why in
// `fallbackReason`. The engine uses it when a reason fails its check or an item is invalid; the page
// side (worker-client.ts, the embed) when the worker cannot start or dies, so the page still gets
// honest reasons (`fallbackReason: 'model-unavailable'`). Loaded lazily there, only in that case.
import type { ContentPlan } from './plan.ts';
import { templateReason } from './grounding.ts';
import type { ProperWords } from './casing.ts';
import { validateContext, validateItems } from './validate.ts';
import type { Backend, CitedFact, Item, Reason, UserContext } from '../types.ts';

const NO_WORDING: { text: string; facts: CitedFact[] } = { text: '', facts: [] };

/** A fallback Reason with the given wording (none: an invalid item gets empty text). */
export function fallbackResult(itemId: string, why: string, backend: Backend, wording = NO_WORDING, ms = 0): Reason {
  return { itemId, text: wording.text, facts: [...wording.facts], source: 'fallback', backend, tokens: 0, ms, fallbackReason: why };
}

/** The template wording of the item's plan (docs/grounding.md) as a fallback Reason. */
export function templateFallback(item: Item, context: UserContext, why: string, backend: Backend, ms = 0, plan?: ContentPlan, proper?: ProperWords): Reason {
  return fallbackResult(item.id, why, backend, templateReason(item, context, plan, proper), ms);
}

/** One reason per input position; invalid items get `fallbackReason: 'invalid-item'` and empty text. */
export function offlineReasons(items: readonly Item[], context: UserContext, backend: Backend): Reason[] {
  const checked = validateItems(items);
  const ctx = validateContext(context);
  const out = new Array<Reason>(items.length);
  for (const r of checked.rejected) out[r.index] = fallbackResult(r.id, 'invalid-item', backend);
  checked.valid.forEach((item, k) => {
    out[checked.indices[k] as number] = templateFallback(item, ctx, 'model-unavailable', backend);
  });
  return out;
}
