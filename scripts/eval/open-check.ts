// Factual precision under the open-vocabulary check (issue 7): besides the closed vocabulary's
// ungrounded facts and titles, a quoted span or a capitalized multi-word name that is no title or
// fact of the item or history counts as an unsupported claim. With the engine's check
// (src/core/check.ts) available it decides; without it (v1 trees) the audit's own rules do.
import { termKey } from '../../src/core/facts.ts';
import { historyClaims } from '../audit/claims.ts';
import { offDomainWords } from '../audit/domain-words.ts';
import { NAME_PROBLEMS } from '../audit/engine-check.ts';
import type { EngineCheck } from '../audit/engine-check.ts';
import { nonWords, pageTexts } from '../audit/lexicon.ts';
import type { Lexicon } from '../audit/lexicon.ts';
import { unlistedQuotes, unsupportedNames } from '../audit/names.ts';
import { skeleton, titlePhrases } from '../audit/skeleton.ts';
import { keyedAttributeFacts } from '../../src/core/prompt.ts';
import type { EvalPair } from './data.ts';
import type { FactCheck, FactChecker } from './factuality.ts';
import type { FactCount } from './metrics.ts';

export interface OpenCheck extends FactCount {
  /** Every problem found, as 'kind: text' (names, words, claims); [] for a clean reason. */
  problems: string[];
}

export interface OpenChecker {
  source: string;
  check(text: string, pair: EvalPair, closed: FactCheck): OpenCheck;
}

/**
 * `titleKeys`: per domain, termKey of every title of that domain's catalog (a quoted real title of
 * another item is the closed check's 'ungrounded', not a second count).
 */
export function createOpenChecker(checker: FactChecker, engine: EngineCheck | null, lexicon: Lexicon | null, titleKeys: ReadonlyMap<string, ReadonlySet<string>>): OpenChecker {
  if (engine) {
    return {
      source: engine.source,
      check(text, pair, closed) {
        const { problems } = engine.check(text, { item: pair.item, context: pair.context, vocabulary: checker.matcher(pair.domain), domain: pair.domain });
        const names = new Set(problems.filter((p) => NAME_PROBLEMS.has(p.kind) && p.text).map((p) => termKey(p.text!)));
        return { grounded: closed.grounded, ungrounded: names.size, problems: problems.map((p) => (p.text ? `${p.kind}: ${p.text}` : p.kind)) };
      },
    };
  }
  return {
    source: `the audit's rules (scripts/audit/*)${lexicon ? ', dictionary: training references' : ''}`,
    check(text, pair, closed) {
      const { item, context } = pair;
      const known = titleKeys.get(pair.domain.toLowerCase()) ?? new Set<string>();
      const names = new Map<string, string>();
      for (const t of closed.ungroundedTerms) names.set(termKey(t), `ungrounded: ${t}`);
      for (const q of unlistedQuotes(text, item, context, known)) if (!names.has(termKey(q))) names.set(termKey(q), `quoted: ${q}`);
      for (const n of unsupportedNames(text, item, context)) if (!names.has(termKey(n)) && !known.has(termKey(n))) names.set(termKey(n), `unknown-name: ${n}`);
      const texts = pageTexts(item, context);
      const problems = [...names.values()];
      if (!(context.history ?? []).length) for (const c of historyClaims(text)) problems.push(`history-claim: ${c}`);
      if (lexicon) for (const w of nonWords(text, lexicon, texts)) problems.push(`non-word: ${w}`);
      for (const w of offDomainWords(text, pair.domain, texts)) problems.push(`off-domain: ${w}`);
      return { grounded: closed.grounded, ungrounded: names.size, problems };
    },
  };
}

/** The delexicalized skeleton of a text for its pair: item, history titles, facts and named vocabulary terms as placeholders. */
export function pairSkeleton(text: string, pair: EvalPair, closed: FactCheck): string {
  const entries = [pair.item, ...(pair.context.history ?? [])];
  return skeleton(text, [
    { placeholder: 'ITEMSLOT', phrases: titlePhrases([pair.item.title]) },
    { placeholder: 'HISTSLOT', phrases: titlePhrases((pair.context.history ?? []).map((h) => h.title)) },
    { placeholder: 'FACTSLOT', phrases: [...entries.flatMap((e) => keyedAttributeFacts(e.attributes, 64).map((f) => f.value)), ...closed.ungroundedTerms] },
  ]);
}
