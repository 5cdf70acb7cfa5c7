// Which of a row's accepted candidates a visitor sees. The engine (attempts.ts) and the eval's raw
// model run (scripts/eval/model-runner.ts) pick the same way, so the eval scores what would be shown.
import type { CitedFact } from '../types.ts';

/** Whether a filled reason names a history title. */
export function namesHistory(facts: readonly CitedFact[]): boolean {
  return facts.some((f) => f.kind === 'title' && f.from === 'history');
}

/** Whether a filled reason names a title at all (the item's or a history entry's). */
function namesTitle(facts: readonly CitedFact[]): boolean {
  return facts.some((f) => f.kind === 'title');
}

/**
 * Of `accepted` (most probable first): the first that names what the visitor did ("like Rust"), the
 * personal reason being the product's point; next, the first whose wording the page does not show
 * yet (`repeated`: the same sentence under every card reads as boilerplate); next, the first that
 * names a title ("Borderlands 2 is …" over "It is …": a sentence that names nothing reads the same
 * under any card); else the most probable. Reads `accepted` lazily, so a caller that checks as it
 * yields checks no more than it must.
 */
export function pickShown<T extends { facts: readonly CitedFact[] }>(accepted: Iterable<T>, hasHistory: boolean, repeated: (candidate: T) => boolean = () => false): T | undefined {
  // Each preference outweighs all those after it; a history title is a title too.
  const PERSONAL = 4;
  const FRESH = 2;
  const NAMED = 1;
  const top = (hasHistory ? PERSONAL : 0) + FRESH + NAMED; // the best rank a candidate can reach: read no further once one has it
  let best: T | undefined;
  let bestRank = -1;
  for (const candidate of accepted) {
    const rank = (hasHistory && namesHistory(candidate.facts) ? PERSONAL : 0) + (repeated(candidate) ? 0 : FRESH) + (namesTitle(candidate.facts) ? NAMED : 0);
    if (rank > bestRank) [best, bestRank] = [candidate, rank];
    if (bestRank === top) break;
  }
  return best;
}
