// Factual precision plumbing: the vocabulary of known catalog facts and the per-reason fact counts.
// Fact matching itself is the engine's own (src/core/facts.ts), so the eval scores exactly what the
// grounding check would see.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFactMatcher, termKey } from '../../src/core/facts.ts';
import type { FactMatcher } from '../../src/core/facts.ts';
import type { AttributeValue } from '../../src/types.ts';
import type { EvalPair } from './data.ts';
import type { FactCount } from './metrics.ts';

export interface EvalVocabulary {
  /** Every attribute value (tag, genre, category) seen in the data, plus facts_vocab.json. */
  facts: string[];
  /** Every item and history title seen in the data. */
  titles: string[];
}

function attributeStrings(attributes: Record<string, AttributeValue> | undefined, out: Set<string>): void {
  for (const value of Object.values(attributes ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string' && v.trim()) out.add(v);
  }
}

/** Reads `facts` from a model folder's facts_vocab.json; [] when there is none. */
export function readFactsVocab(modelDir: string): string[] {
  const file = join(modelDir, 'facts_vocab.json');
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { facts?: unknown };
  return Array.isArray(parsed.facts) ? parsed.facts.filter((f): f is string => typeof f === 'string') : [];
}

/**
 * The vocabulary a reason's facts are looked up in, one per domain (one storefront's catalog): the
 * titles and attribute values of every pair of that domain given (all splits, so naming a real
 * title or tag from elsewhere in the catalog counts as a claim), plus the model's facts_vocab.json
 * (global, as in the engine). Titles of other domains are left out: "the friendly staff" in a
 * restaurant review is no claim about a book titled "The Friendly".
 */
export function buildVocabularies(pairs: Iterable<EvalPair>, factsVocab: readonly string[] = []): Map<string, EvalVocabulary> {
  const byDomain = new Map<string, { facts: Set<string>; titles: Set<string> }>();
  for (const p of pairs) {
    const domain = p.domain.toLowerCase();
    let v = byDomain.get(domain);
    if (!v) byDomain.set(domain, (v = { facts: new Set(factsVocab), titles: new Set() }));
    v.titles.add(p.item.title);
    attributeStrings(p.item.attributes, v.facts);
    for (const h of p.context.history ?? []) {
      v.titles.add(h.title);
      attributeStrings(h.attributes, v.facts);
    }
  }
  return new Map([...byDomain].map(([d, v]) => [d, { facts: [...v.facts], titles: [...v.titles] }]));
}

export interface FactCheck extends FactCount {
  /** Distinct facts the text mentions (grounded and not), as match keys: the features of PETER's DIV. */
  features: string[];
  /** The ungrounded terms, as spelled in the vocabulary (for examples in reports). */
  ungroundedTerms: string[];
}

export interface FactChecker {
  /** Compiled terms per domain. */
  sizes: Record<string, number>;
  check(text: string, pair: EvalPair): FactCheck;
  /** The compiled vocabulary of a domain (the open-vocabulary check takes it as its closed part). */
  matcher(domain: string): FactMatcher;
}

/** A checker over per-domain vocabularies: for a text and its pair, grounded and ungrounded fact mentions. */
export function createFactChecker(vocabularies: Map<string, EvalVocabulary>, factsVocab: readonly string[] = []): FactChecker {
  const matchers = new Map<string, FactMatcher>([...vocabularies].map(([d, v]) => [d, createFactMatcher(v)]));
  const fallback = createFactMatcher({ facts: factsVocab, titles: [] });
  return {
    sizes: Object.fromEntries([...matchers].map(([d, m]) => [d, m.size])),
    matcher: (domain) => matchers.get(domain.toLowerCase()) ?? fallback,
    check(text, pair) {
      const matcher = matchers.get(pair.domain.toLowerCase()) ?? fallback;
      const { cited, ungrounded } = matcher.citedFacts(text, pair.item, pair.context);
      return {
        grounded: cited.length,
        ungrounded: ungrounded.length,
        features: [...cited.map((f) => termKey(f.value)), ...ungrounded.map((u) => termKey(u))],
        ungroundedTerms: ungrounded,
      };
    },
  };
}
