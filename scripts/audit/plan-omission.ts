// Planned facts a reason leaves out. A v2 engine plans what a reason may cite (docs/plan-and-slots.md);
// a reason that drops a planned fact says less than the "Why this?" panel shows. v1 has no plan.
import { createFactMatcher, termKey } from '../../src/core/facts.ts';
import type { Item, UserContext } from '../../src/types.ts';

/** What the audit needs of a content plan: the history titles and facts it planned. */
export interface PlannedCitations {
  history?: readonly { title: string }[];
  facts?: readonly { value: string }[];
}

const noVocabulary = createFactMatcher([]);

/** The planned titles and facts that `text` does not mention (the engine's matcher: case, plurals, aliases). */
export function omittedPlanned(text: string, plan: PlannedCitations, item: Item, context: UserContext): string[] {
  const cited = new Set(noVocabulary.citedFacts(text, item, context).cited.map((f) => termKey(f.value)));
  const planned = [...(plan.history ?? []).map((h) => h.title), ...(plan.facts ?? []).map((f) => f.value)];
  return planned.filter((v) => !cited.has(termKey(v)));
}

/** A plan carried on a Reason (v2 engines may attach one), duck-typed; undefined for v1 reasons. */
export function planOf(reason: unknown): PlannedCitations | undefined {
  const plan = (reason as { plan?: unknown } | null)?.plan;
  if (!plan || typeof plan !== 'object') return undefined;
  const p = plan as PlannedCitations;
  return Array.isArray(p.facts) || Array.isArray(p.history) ? p : undefined;
}
