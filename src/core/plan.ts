// The content plan: what a reason may cite, decided by the engine from the item and the history
// (docs/plan-and-slots.md section 1). The model only chooses how to say it. Pure, deterministic;
// training reads rows prepared with this code (scripts/prepare-v2.ts), so it has one implementation.
import type { UserContext } from '../types.ts';
import { singularize } from './domains.ts';
import { historyEntryFacts, termKey, type ItemLike } from './facts.ts';
import { DEFAULT_DOMAIN, keyedAttributeFacts, LIMITS, sanitizeText, sanitizeTitle, type KeyedFact } from './prompt.ts';

export type HistorySlot = 'h1' | 'h2';
export type FactSlot = 'f1' | 'f2' | 'f3';

export interface PlanEntry {
  slot: HistorySlot;
  title: string;
  /** The item's fact values this entry shares (item spelling, item order). */
  shared: string[];
}

export interface PlanFact {
  slot: FactSlot;
  value: string;
  /** The attribute key the value came from ('tags', 'genres', 'brand', 'category', ...). */
  kind: string;
  from: 'shared' | 'item';
}

export interface ContentPlan {
  /** Sanitized, lower-cased; DEFAULT_DOMAIN when absent (as the v1 prompt). */
  domain: string;
  /** 'history': at least one history entry shares a fact with the item; 'new' otherwise. */
  mode: 'history' | 'new';
  /** The visitor has at least one valid history entry (whatever the mode). */
  hasHistory: boolean;
  item: { title: string };
  history: PlanEntry[];
  facts: PlanFact[];
}

export const PLAN_LIMITS = { history: 2, facts: 3, historyFacts: 32, categoryFacts: 2 } as const;

const HISTORY_SLOTS: readonly HistorySlot[] = ['h1', 'h2'];
const FACT_SLOTS: readonly FactSlot[] = ['f1', 'f2', 'f3'];

/** Attribute keys that hold a category path, broad → specific (schema-org.ts splits 'A > B > C'). */
const CATEGORY_KEY = /^(categor(y|ies)|breadcrumbs?|category[ _-]?path)$/i;

/** Whether an attribute key holds a category path (its values are nouns: 'Electric Guitars'). */
export function isCategoryKind(kind: string): boolean {
  return CATEGORY_KEY.test(kind);
}

export function planDomain(context: UserContext | undefined | null): string {
  return sanitizeText(context?.domain, LIMITS.domain).toLowerCase() || DEFAULT_DOMAIN;
}

/** A value's words, lower-cased and singular: 'Guitar Amplifiers' → ['guitar', 'amplifier']. */
function singularWords(value: string): string[] {
  return termKey(value)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map(singularize);
}

/** Whether `inner`'s words occur, in order and as whole words, in `outer` ('Guitars' in 'Classical Guitars'). */
function saysAlready(outer: string, inner: string): boolean {
  const o = ` ${singularWords(outer).join(' ')} `;
  const i = singularWords(inner).join(' ');
  return i !== '' && o.trim() !== i && o.includes(` ${i} `);
}

/**
 * Drops a category value that another chosen value of the same key already says ("classical guitars
 * and guitars" reads as a stutter); one that adds something stays ('Guitar Pedals' + 'Effects').
 */
function withoutRedundantCategories(facts: readonly KeyedFact[]): KeyedFact[] {
  return facts.filter((f) => !isCategoryKind(f.kind) || !facts.some((g) => g !== f && g.kind === f.kind && saysAlready(g.value, f.value)));
}

/** The item's salient facts for a new visitor: keys in order, a category path giving at most 2 values, most specific first. */
function salientFacts(facts: readonly KeyedFact[]): KeyedFact[] {
  const out: KeyedFact[] = [];
  const done = new Set<string>();
  for (const fact of facts) {
    if (!isCategoryKind(fact.kind)) {
      out.push(fact);
      continue;
    }
    if (done.has(fact.kind)) continue;
    done.add(fact.kind);
    const path = facts.filter((f) => f.kind === fact.kind);
    out.push(...withoutRedundantCategories(path.slice(-PLAN_LIMITS.categoryFacts)).reverse());
  }
  return out.slice(0, PLAN_LIMITS.facts);
}

/**
 * The content plan for one item and one visitor (docs/plan-and-slots.md section 1): at most 2 history
 * entries sharing the most facts with the item (most recent first on a tie), the shared facts (at
 * most 3); with nothing shared or no history, the item's salient facts.
 */
export function contentPlan(item: ItemLike, context?: UserContext | null): ContentPlan {
  const title = sanitizeTitle(item?.title);
  const titleKey = termKey(title);
  const facts = keyedAttributeFacts(item?.attributes, LIMITS.itemFacts);
  const factKeys = facts.map((f) => termKey(f.value));
  const entries = historyEntryFacts(context, { scope: 'all' }).slice(-LIMITS.historyEntries);

  const scored = entries
    .map((entry, index) => {
      const theirs = new Set(entry.facts.slice(0, PLAN_LIMITS.historyFacts).map((f) => termKey(f.value)));
      const shared = facts.filter((_f, k) => theirs.has(factKeys[k] as string));
      return { entry, index, shared };
    })
    .filter((s) => s.shared.length > 0 && termKey(s.entry.title) !== titleKey)
    // Most shared facts first; on a tie the most recent (latest in the history array).
    .sort((a, b) => b.shared.length - a.shared.length || b.index - a.index)
    .slice(0, PLAN_LIMITS.history);

  const history: PlanEntry[] = scored.map((s, k) => ({
    slot: HISTORY_SLOTS[k] as HistorySlot,
    title: s.entry.title,
    shared: s.shared.map((f) => f.value),
  }));

  let chosen: { fact: KeyedFact; from: PlanFact['from'] }[];
  if (scored.length > 0) {
    const first = new Set(scored[0]?.shared);
    const second = new Set(scored[1]?.shared ?? []);
    const ordered = [...facts.filter((f) => first.has(f)), ...facts.filter((f) => !first.has(f) && second.has(f))];
    chosen = withoutRedundantCategories(ordered).slice(0, PLAN_LIMITS.facts).map((fact) => ({ fact, from: 'shared' }));
  } else {
    chosen = salientFacts(facts).map((fact) => ({ fact, from: 'item' }));
  }

  return {
    domain: planDomain(context),
    mode: history.length > 0 ? 'history' : 'new',
    hasHistory: entries.length > 0,
    item: { title },
    history,
    facts: chosen.map(({ fact, from }, k) => ({ slot: FACT_SLOTS[k] as FactSlot, value: fact.value, kind: fact.kind, from })),
  };
}

/**
 * The plan's facts in the order a shorter plan should keep them: a category path's values deepest
 * first (the item's own path gives the depth: "Strategy Games" says more than "Board Games", which
 * every card of a board-game shop shares), other facts where they were.
 */
export function mostSpecificFirst(plan: ContentPlan, item: ItemLike): PlanFact[] {
  const depth = new Map<string, number>();
  const level = new Map<string, number>();
  for (const f of keyedAttributeFacts(item?.attributes, LIMITS.itemFacts)) {
    if (!isCategoryKind(f.kind)) continue;
    const k = level.get(f.kind) ?? 0;
    level.set(f.kind, k + 1);
    depth.set(termKey(f.value), k);
  }
  const deepest = plan.facts.filter((f) => isCategoryKind(f.kind)).sort((a, b) => (depth.get(termKey(b.value)) ?? -1) - (depth.get(termKey(a.value)) ?? -1));
  let k = 0;
  return plan.facts.map((f) => (isCategoryKind(f.kind) ? (deepest[k++] as PlanFact) : f));
}

/**
 * Whether every entry of `entries` shares `fact` (a fact of the item's own, in a 'new' plan, needs no
 * entry). A plan's facts are shared with *some* entry; a reason that names one entry and a fact only
 * another shares says something false: "Since you watched The Shining, here is another science
 * fiction movie by Stanley Kubrick" (The Shining shares the director, Alien the genre).
 */
export function sharedByAll(fact: PlanFact, entries: readonly PlanEntry[]): boolean {
  const key = termKey(fact.value);
  return fact.from !== 'shared' || entries.every((h) => h.shared.some((v) => termKey(v) === key));
}

/**
 * The plan cut so that its words are true together: the facts its first entry shares, and the entries
 * that share all of them (what "another <facts> movie, like <titles>" says). A 'new' plan as it is.
 */
export function jointlyShared(plan: ContentPlan): ContentPlan {
  const first = plan.history[0];
  if (!first) return plan;
  const facts = plan.facts.filter((f) => sharedByAll(f, [first]));
  const entries = plan.history.filter((h) => facts.every((f) => sharedByAll(f, [h])));
  return restrictPlan(plan, entries.map((h) => h.title), facts.map((f) => f.value));
}

/**
 * A plan keeping only the given history titles and fact values (by termKey), renumbered in the order
 * given: the training row's plan is the slots its text uses, in order of first use. Mode follows
 * (no entry left → 'new').
 */
export function restrictPlan(plan: ContentPlan, titles: readonly string[], values: readonly string[]): ContentPlan {
  const history: PlanEntry[] = [];
  for (const t of titles) {
    const entry = plan.history.find((h) => termKey(h.title) === termKey(t));
    if (entry && !history.some((h) => h.title === entry.title) && history.length < PLAN_LIMITS.history) {
      history.push({ ...entry, slot: HISTORY_SLOTS[history.length] as HistorySlot });
    }
  }
  const facts: PlanFact[] = [];
  for (const v of values) {
    const fact = plan.facts.find((f) => termKey(f.value) === termKey(v));
    if (fact && !facts.some((f) => f.value === fact.value) && facts.length < PLAN_LIMITS.facts) {
      facts.push({ ...fact, slot: FACT_SLOTS[facts.length] as FactSlot });
    }
  }
  return { ...plan, mode: history.length > 0 ? 'history' : 'new', history, facts };
}
