// Everything the audit counts about one shown reason (model or fallback text, as a visitor sees it).
import { keyedAttributeFacts } from '../../src/core/prompt.ts';
import type { FactMatcher } from '../../src/core/facts.ts';
import { termKey } from '../../src/core/facts.ts';
import type { Item, Reason, UserContext } from '../../src/types.ts';
import { historyClaims } from './claims.ts';
import { offDomainWords } from './domain-words.ts';
import { nonWords, pageTexts } from './lexicon.ts';
import type { Lexicon } from './lexicon.ts';
import { foreignTitles, unlistedQuotes, unsupportedNames } from './names.ts';
import { omittedPlanned } from './plan-omission.ts';
import type { PlannedCitations } from './plan-omission.ts';
import { skeleton, titlePhrases } from './skeleton.ts';

export interface AuditResources {
  /** Every title of every catalog we have (catalogs.ts allTitles), compiled. */
  allTitles: FactMatcher;
  /** termKey of every such title. */
  allTitleKeys: ReadonlySet<string>;
  /** null: no dictionary available, non-words are not counted. */
  lexicon: Lexicon | null;
}

export interface PageContext {
  item: Item;
  context: UserContext;
  domain: string;
  /** The other cards' titles on the same page, compiled (names.ts titleMatcher). */
  pageTitles: FactMatcher;
  /** The plan behind the reason, when there is one (v2). */
  plan?: PlannedCitations;
}

export interface Findings {
  /** Claims about the visitor's past although the history is empty ([] when there is a history). */
  history_claims: string[];
  /** Titles of a catalog we know, not the item's, not the history's, not another card's. */
  foreign_titles: string[];
  other_card_titles: string[];
  quoted_not_titles: string[];
  /** Capitalized multi-word names that are no title, fact or description text of the item or history (issue 7's open check; not a target counter). */
  unsupported_names: string[];
  /** null when no dictionary was available. */
  non_words: string[] | null;
  /** Cut by the token limit (the engine marks it with a final '…'). */
  cut: boolean;
  off_domain_words: string[];
  /** null when the reason has no plan. */
  planned_omitted: string[] | null;
  planned: number;
  skeleton: string;
}

/** The counters of one shown reason. Pure given its inputs. */
export function findingsOf(text: string, page: PageContext, r: AuditResources): Findings {
  const { item, context } = page;
  const hasHistory = (context.history ?? []).some((h) => h.title.trim() !== '');
  const others = page.pageTitles.citedFacts(text, item, context).ungrounded.filter((t) => termKey(t) !== termKey(item.title));
  const otherKeys = new Set(others.map(termKey));
  const foreign = foreignTitles(text, item, context, r.allTitles).filter((t) => !otherKeys.has(termKey(t)));
  const texts = pageTexts(item, context);
  const facts = [item, ...(context.history ?? [])].flatMap((e) => keyedAttributeFacts(e.attributes, 64).map((f) => f.value));
  const planned = page.plan ? (page.plan.history?.length ?? 0) + (page.plan.facts?.length ?? 0) : 0;
  return {
    history_claims: hasHistory ? [] : historyClaims(text),
    foreign_titles: foreign,
    other_card_titles: others,
    quoted_not_titles: unlistedQuotes(text, item, context, r.allTitleKeys),
    unsupported_names: unsupportedNames(text, item, context).filter((n) => !r.allTitleKeys.has(termKey(n))),
    non_words: r.lexicon ? nonWords(text, r.lexicon, texts) : null,
    cut: /…\s*$/u.test(text),
    off_domain_words: offDomainWords(text, page.domain, texts),
    planned_omitted: page.plan ? omittedPlanned(text, page.plan, item, context) : null,
    planned,
    skeleton: skeleton(text, [
      { placeholder: 'ITEMSLOT', phrases: titlePhrases([item.title]) },
      { placeholder: 'HISTSLOT', phrases: titlePhrases((context.history ?? []).map((h) => h.title)) },
      { placeholder: 'TITLESLOT', phrases: [...foreign, ...others] },
      { placeholder: 'FACTSLOT', phrases: facts },
    ]),
  };
}

/** A shown reason with what the audit found in it. */
export interface AuditedReason {
  scenario: string;
  itemId: string;
  title: string;
  text: string;
  source: Reason['source'];
  fallbackReason?: string;
  findings: Findings;
}
