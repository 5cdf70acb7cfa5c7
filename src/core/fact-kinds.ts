// Words that name a fact's kind must name the right one, and a/an must not stand before a plural
// noun value: "the guitar pedals and effects genre" (a category path), "the U2 category" (an
// artist), "a microphones recording". Two findings of the open check (check.ts); their bans make
// the one regeneration avoid the word. Pure; no DOM.
import type { UserContext } from '../types.ts';
import { regExpFor } from './word-regexp.ts';
import { pluralize, singularize } from './domains.ts';
import { termKey, type ItemLike } from './facts.ts';
import { phrasePattern } from './term-index.ts';
import { isCategoryKind, type ContentPlan } from './plan.ts';
import { keyedAttributeFacts } from './prompt.ts';
import { ARTICLE_RUN, hasPluralHead, isNameKind } from './slots.ts';

/**
 * The attribute keys of the training rows (training/out/data, train split: item and history
 * attributes): the kind nouns the model learned to write, whatever the page's keys are.
 * test/unit/core/fact-kinds.test.ts checks this list against the prepared data when it is present.
 */
export const TRAINED_KIND_KEYS: readonly string[] = ['category', 'genres', 'steam_tags', 'subcategory', 'tags'];

const MANY = 1_000;

/** The kind family of an attribute key: 'category' for a category path, else its last word, singular ('steam_tags' → 'tag'). */
export function kindFamily(key: string): string {
  if (isCategoryKind(key)) return 'category';
  const words = key
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return singularize(words[words.length - 1] ?? '');
}

export interface FactKindProblem {
  kind: 'fact-kind' | 'article-plural';
  /** The phrase as found ("guitar pedals and effects genre"). */
  text: string;
  /** What the regeneration should not write (the kind noun in both numbers; the phrase). */
  bans: string[];
}

interface Span {
  start: number;
  end: number;
  families: ReadonlySet<string>;
}

const escape = phrasePattern;

/** The families of every key on the page that holds a value: one value may be a genre and a tag. */
function familiesByValue(item: ItemLike, context: UserContext | undefined | null): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (attributes: ItemLike['attributes'] | undefined): void => {
    if (!attributes || typeof attributes !== 'object') return;
    for (const key of Object.keys(attributes)) {
      for (const f of keyedAttributeFacts({ [key]: attributes[key] }, MANY)) {
        const k = termKey(f.value);
        const set = out.get(k) ?? new Set<string>();
        set.add(kindFamily(key));
        out.set(k, set);
      }
    }
  };
  add(item?.attributes);
  if (Array.isArray(context?.history)) for (const h of context.history) add(h?.attributes);
  return out;
}

/** Kind nouns (singular and plural) → family: the trained keys and every key on the page. */
function kindNouns(item: ItemLike, context: UserContext | undefined | null): Map<string, string> {
  const keys = new Set<string>(TRAINED_KIND_KEYS);
  for (const a of [item?.attributes, ...(Array.isArray(context?.history) ? context.history.map((h) => h?.attributes) : [])]) {
    if (a && typeof a === 'object') for (const key of Object.keys(a)) if (keyedAttributeFacts({ [key]: a[key] }, 1).length > 0) keys.add(key);
  }
  const out = new Map<string, string>();
  for (const key of keys) {
    // A name's key is no kind noun: "a punk rock artist" is right whatever the facts' keys are.
    if (isNameKind(key)) continue;
    const family = kindFamily(key);
    if (family.length < 3) continue;
    out.set(family, family);
    out.set(pluralize(family), family);
  }
  return out;
}

/** Where the plan's facts stand in the text (as filled: any case, a plural head also singular), longest first, no overlaps. */
function factSpans(text: string, plan: ContentPlan, families: Map<string, Set<string>>): Span[] {
  const facts = [...plan.facts].sort((a, b) => b.value.length - a.value.length);
  const spans: Span[] = [];
  for (const f of facts) {
    const fam = new Set(families.get(termKey(f.value)) ?? []);
    fam.add(kindFamily(f.kind));
    const forms = new Set([f.value]);
    const words = f.value.trim().split(/\s+/);
    const last = words.pop() ?? '';
    forms.add([...words, singularize(last)].join(' '));
    for (const form of forms) {
      const re = regExpFor(text, `(?<![\\p{L}\\p{N}])${escape(form)}(?![\\p{L}\\p{N}])`, 'giu');
      for (const m of text.matchAll(re)) {
        const start = m.index ?? 0;
        const end = start + m[0].length;
        if (!spans.some((s) => s.start < end && start < s.end)) spans.push({ start, end, families: fam });
      }
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

// Between facts of one run: a list ("A, B and C") or stacked values ("folk rock blues rock").
const JOIN = /^(\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+|\s+)$/iu;

/**
 * Kind nouns next to the plan's facts that do not name their kind: after a fact or a run of them
 * ("<fact> genre", "A and B category") or before it ("genres of A and B", "the category of A",
 * "genres, including A").
 */
export function factKindProblems(text: string, item: ItemLike, context: UserContext | undefined | null, plan: ContentPlan | null | undefined): FactKindProblem[] {
  if (!plan || plan.facts.length === 0) return [];
  const nouns = kindNouns(item, context);
  const spans = factSpans(text, plan, familiesByValue(item, context));
  const runs: Span[][] = [];
  for (const s of spans) {
    const run = runs[runs.length - 1];
    const prev = run?.[run.length - 1];
    if (run && prev && JOIN.test(text.slice(prev.end, s.start))) run.push(s);
    else runs.push([s]);
  }
  const out: FactKindProblem[] = [];
  const report = (noun: string, phrase: string, run: Span[]): void => {
    const family = nouns.get(noun.toLowerCase());
    if (family === undefined || run.every((s) => s.families.has(family))) return;
    // "category" is the one kind noun any fact may take ("the rock category", "the action and
    // multiplayer category"), except a name: "the U2 category".
    if (family === 'category' && run.every((s) => ![...s.families].some(isNameKind))) return;
    const singular = singularize(noun.toLowerCase());
    const other = noun.toLowerCase() === singular ? pluralize(singular) : singular;
    out.push({ kind: 'fact-kind', text: phrase, bans: [noun, other] });
  };
  for (const run of runs) {
    const first = run[0] as Span;
    const last = run[run.length - 1] as Span;
    const after = /^\s+(\p{L}+)/u.exec(text.slice(last.end));
    if (after) report(after[1] as string, text.slice(first.start, last.end + after[0].length), run);
    // "genres of A", "the category of A", "genres, including A", "tags such as A".
    const before = /(?<![\p{L}\p{N}])(\p{L}+)(?:\s+of|,?\s+(?:including|such\s+as|like))\s+(?:the\s+)?$/iu.exec(text.slice(0, first.start));
    if (before) report(before[1] as string, text.slice(before.index, last.end), run);
  }
  return out;
}

/**
 * "a microphones", "an engaging microphones", "your next board games": a/an (or another, your next)
 * before a plural category value of the plan (filling writes a heading one singular).
 */
export function articlePluralProblems(text: string, plan: ContentPlan | null | undefined): FactKindProblem[] {
  if (!plan) return [];
  const out: FactKindProblem[] = [];
  for (const f of plan.facts) {
    if (!isCategoryKind(f.kind) || !hasPluralHead(f.value)) continue;
    const m = regExpFor(text, `(?:${ARTICLE_RUN}|(?<![\\p{L}\\p{N}])(?:another|your\\s+next)\\s+)${escape(f.value)}(?![\\p{L}\\p{N}])`, 'iu').exec(text);
    if (m) out.push({ kind: 'article-plural', text: m[0], bans: [m[0]] });
  }
  return out;
}
