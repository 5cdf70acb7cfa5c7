// The two baselines every model result is compared with, scored by the same code on the same pairs.
// *template*: the engine's own fallback text (src/core/grounding.ts `templateReason`), built only
//   from facts the item shares with the history.
// *retrieval*: the reason of the nearest training pair with its titles substituted (retrieval.ts).
import { templateReason as templateWording } from '../../src/core/grounding.ts';
import type { EvalPair } from './data.ts';
import { RetrievalIndex } from './retrieval.ts';

export { RetrievalIndex, substituteTitles } from './retrieval.ts';

/** The template baseline's reason for a pair: exactly what the engine shows as its fallback. */
export function templateReason(pair: EvalPair): string {
  return templateWording(pair.item, pair.context).text;
}

/** Both baselines over a training split. */
export function createBaselines(train: readonly EvalPair[]): { template: (p: EvalPair) => string; retrieval: (p: EvalPair) => string } {
  const index = new RetrievalIndex(train);
  return { template: templateReason, retrieval: (p) => index.reasonFor(p) };
}
