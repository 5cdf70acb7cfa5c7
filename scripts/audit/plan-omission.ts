// Planned facts a reason leaves out. A v2 engine plans what a reason may cite (docs/plan-and-slots.md);
// a reason that drops a planned fact says less than the "Why this?" panel shows. v1 has no plan.
import { writesOut } from '../../src/core/check.ts';
import { domainWords } from '../../src/core/domains.ts';
import { createFactMatcher, termKey } from '../../src/core/facts.ts';
import { planDomain } from '../../src/core/plan.ts';
import type { Item, UserContext } from '../../src/types.ts';

/** What the audit needs of a content plan: the history titles and facts it planned. */
export interface PlannedCitations {
  history?: readonly { title: string }[];
  facts?: readonly { value: string }[];
}

const noVocabulary = createFactMatcher([]);

/**
 * The planned facts that `text` does not mention (the engine's matcher: case, plurals, aliases; or the
 * value written out, `writesOut`: the matcher reads "action adventure" as a tag 'Action-Adventure'). A
 * planned history title may stay unnamed ("Based on your gaming history, …" is true of the plan), as
 * in the engine's check (docs/plan-and-slots.md section 5); whether a history is claimed at all is the
 * history-claim counter's business.
 */
export function omittedPlanned(text: string, plan: PlannedCitations, item: Item, context: UserContext): string[] {
  const cited = new Set(noVocabulary.citedFacts(text, item, context).cited.map((f) => termKey(f.value)));
  const planned = (plan.facts ?? []).map((f) => f.value);
  const { noun } = domainWords(planDomain(context));
  return planned.filter((v) => !cited.has(termKey(v)) && !writesOut(text, v, noun));
}

/** A plan carried on a Reason (v2 engines may attach one), duck-typed; undefined for v1 reasons. */
export function planOf(reason: unknown): PlannedCitations | undefined {
  const plan = (reason as { plan?: unknown } | null)?.plan;
  if (!plan || typeof plan !== 'object') return undefined;
  const p = plan as PlannedCitations;
  return Array.isArray(p.facts) || Array.isArray(p.history) ? p : undefined;
}
