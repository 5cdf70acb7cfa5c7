// Which of a row's accepted candidates a visitor sees. The engine (attempts.ts) and the eval's raw
// model run (scripts/eval/model-runner.ts) pick the same way, so the eval scores what would be shown.
import type { CitedFact } from '../types.ts';

/** Whether a filled reason names a history title. */
export function namesHistory(facts: readonly CitedFact[]): boolean {
  return facts.some((f) => f.kind === 'title' && f.from === 'history');
}

/**
 * The first of `accepted` (most probable first), unless a later one names what the visitor did
 * ("like Rust") where the first does not: the personal reason is the product's point. Reads
 * `accepted` lazily, so a caller that checks as it yields checks no more than it must.
 */
export function pickShown<T extends { facts: readonly CitedFact[] }>(accepted: Iterable<T>, hasHistory: boolean): T | undefined {
  let first: T | undefined;
  for (const candidate of accepted) {
    if (!hasHistory) return candidate;
    if (namesHistory(candidate.facts)) return candidate;
    first ??= candidate;
  }
  return first;
}
