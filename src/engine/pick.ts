// Which of a row's accepted candidates a visitor sees. The engine (attempts.ts) and the eval's raw
// model run (scripts/eval/model-runner.ts) pick the same way, so the eval scores what would be shown.
import type { CitedFact } from '../types.ts';

/** Whether a filled reason names a history title. */
export function namesHistory(facts: readonly CitedFact[]): boolean {
  return facts.some((f) => f.kind === 'title' && f.from === 'history');
}

/**
 * Of `accepted` (most probable first): the first that names what the visitor did ("like Rust"), the
 * personal reason being the product's point, and, next, the first whose wording the page does not
 * show yet (`repeated`: the same sentence under every card reads as boilerplate); else the most
 * probable. Reads `accepted` lazily, so a caller that checks as it yields checks no more than it must.
 */
export function pickShown<T extends { facts: readonly CitedFact[] }>(accepted: Iterable<T>, hasHistory: boolean, repeated: (candidate: T) => boolean = () => false): T | undefined {
  const top = hasHistory ? 3 : 1;
  let best: T | undefined;
  let bestRank = -1;
  for (const candidate of accepted) {
    const rank = (hasHistory && namesHistory(candidate.facts) ? 2 : 0) + (repeated(candidate) ? 0 : 1);
    if (rank > bestRank) [best, bestRank] = [candidate, rank];
    if (bestRank === top) break;
  }
  return best;
}
