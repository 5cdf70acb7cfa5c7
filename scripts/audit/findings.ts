// Everything the audit counts about one shown reason (model or fallback text, as a visitor sees it).
import { keyedAttributeFacts } from '../../src/core/prompt.ts';
import type { FactMatcher } from '../../src/core/facts.ts';
import { termKey } from '../../src/core/facts.ts';
import type { Item, Reason, UserContext } from '../../src/types.ts';
import { historyClaims } from './claims.ts';
import { WORD_PROBLEMS } from './engine-check.ts';
import type { EngineCheck } from './engine-check.ts';
import { offDomainWords } from './domain-words.ts';
import { nonWords, pageTexts } from './lexicon.ts';
import type { Lexicon } from './lexicon.ts';
import { foreignTitles, misnamedItems, unlistedQuotes, unsupportedNames } from './names.ts';
import { omittedPlanned } from './plan-omission.ts';
import type { PlannedCitations } from './plan-omission.ts';
import { skeleton, titlePhrases } from './skeleton.ts';

export interface AuditResources {
  /** Every title of every catalog we have (catalogs.ts allTitles), compiled. */
  allTitles: FactMatcher;
  /** termKey of every such title. */
  allTitleKeys: ReadonlySet<string>;
  /** The training references' words; used for non-words unless the engine's check brings a dictionary. null: none. */
  lexicon: Lexicon | null;
  /** The engine's open-vocabulary check, when this tree has one (engine-check.ts). */
  engineCheck?: EngineCheck | null;
}

export interface PageContext {
  item: Item;
  context: UserContext;
  domain: string;
  /** The other cards' titles on the same page, compiled (names.ts titleMatcher). */
  pageTitles: FactMatcher;
  /** The same titles as a list (one array per page: the engine's check caches by it). */
  pageTitleList?: readonly string[];
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
  /** Names the reason tells the visitor to play/watch/try that are not the item (informational, not a target counter). */
  misnamed_item: string[];
  /** null when no dictionary was available. */
  non_words: string[] | null;
  /** Cut by the token limit (the engine marks it with a final '…'). */
  cut: boolean;
  off_domain_words: string[];
  /** null when the reason has no plan. */
  planned_omitted: string[] | null;
  planned: number;
  skeleton: string;
  /** The engine's own check on the shown text, as 'kind: text' (null without it): a cross-check. */
  engine_check: string[] | null;
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
  const engine = r.engineCheck
    ? r.engineCheck.check(text, { item, context, plan: page.plan ?? null, pageTitles: page.pageTitleList ?? [], domain: page.domain })
    : null;
  const engineWords = engine && r.engineCheck?.hasLexicon ? engine.problems.filter((p) => WORD_PROBLEMS.has(p.kind)).map((p) => p.text ?? p.kind) : null;
  const planned = page.plan ? (page.plan.history?.length ?? 0) + (page.plan.facts?.length ?? 0) : 0;
  return {
    history_claims: hasHistory ? [] : historyClaims(text),
    foreign_titles: foreign,
    other_card_titles: others,
    quoted_not_titles: unlistedQuotes(text, item, context, r.allTitleKeys),
    unsupported_names: unsupportedNames(text, item, context).filter((n) => !r.allTitleKeys.has(termKey(n))),
    misnamed_item: misnamedItems(text, item),
    non_words: engineWords ?? (r.lexicon ? nonWords(text, r.lexicon, texts) : null),
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
    engine_check: engine ? engine.problems.map((p) => (p.text ? `${p.kind}: ${p.text}` : p.kind)) : null,
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
  /** The reason names one of the visitor's history titles ("like Rust"): the personal part. */
  namesHistory: boolean;
  findings: Findings;
}
