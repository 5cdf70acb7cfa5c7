// What a row of a slot model (reason model v2, docs/plan-and-slots.md) may emit: only the slots its
// plan defines (titles and facts once each), never a prompt-structure token, never a literal catalog
// title, vocabulary fact or another domain's word (those must come through a slot, or not at all).
// A model without slot tokens (v1, any transformers.js LM) gets no slot rules; the check protects it.
import { isGenericTerm } from '../core/generic-words.ts';
import type { Lexicon } from '../core/dictionary.ts';
import { foreignVerbWords } from '../core/domains.ts';
import type { ContentPlan } from '../core/plan.ts';
import { mostSpecificFirst, restrictPlan, sharedByAll } from '../core/plan.ts';
import type { ItemLike } from '../core/facts.ts';
import { SPECIAL_TOKENS } from '../core/prompt.ts';
import { PLAN_PROMPT_TOKENS, planSlotTokens, slotToken, slotTokens } from '../core/slots.ts';
import type { RowConstraints } from './constraints.ts';
import { slotRules } from './constraints.ts';
import { TokenTrie } from './token-trie.ts';
import { DECODING } from '../defaults.ts';
import { seedOf } from './sampling.ts';
import type { Sampling } from './sampling.ts';

/** What this module needs of the runtime. */
export interface Encoder {
  encode(text: string): number[];
}

/** The spellings a banned term may be generated in: as is, lower-cased, Title-cased; with and without a leading space. */
export function termVariants(term: string): string[] {
  const lower = term.toLowerCase();
  const title = lower.replace(/(^|[\s-])(\p{L})/gu, (_, a: string, b: string) => a + b.toUpperCase());
  const out = new Set<string>();
  for (const v of [term, lower, title]) {
    out.add(v);
    out.add(` ${v}`);
  }
  return [...out];
}

/** Token sequences of every spelling variant of the terms (empty encodings skipped). */
export function encodeVariants(rt: Encoder, terms: Iterable<string>): number[][] {
  const out: number[][] = [];
  for (const term of terms) for (const v of termVariants(term)) {
    const ids = rt.encode(v);
    if (ids.length > 0) out.push(ids);
  }
  return out;
}

/**
 * The id of a string the tokenizer holds as ONE added token, else undefined: it must stay one token
 * even inside other text (a plain vocabulary entry would merge with its neighbours).
 */
export function singleTokenId(rt: Encoder, token: string): number | undefined {
  const alone = rt.encode(token);
  if (alone.length !== 1) return undefined;
  const inside = rt.encode(`a${token}a`);
  return inside.length === 3 && inside[1] === alone[0] ? alone[0] : undefined;
}

/** A slot model's tokenizer has the slot tokens as single tokens. */
export function isSlotModel(rt: Encoder): boolean {
  return singleTokenId(rt, slotToken('item')) !== undefined;
}

/** The prompt's structure tokens: a reason never writes them. */
const STRUCTURE = [...Object.entries(SPECIAL_TOKENS).filter(([k]) => k !== 'end' && k !== 'pad').map(([, v]) => v), ...Object.values(PLAN_PROMPT_TOKENS)];
/** Title and fact slots appear at most once in a reason; the domain words may repeat. */
const ONCE = slotTokens().filter((t) => !/@(noun|nouns|did)\|/.test(t));
/** Row constraints hold the same no-repeat size as the decode loop's default. */
const NO_REPEAT_NGRAM = 3;

/**
 * Literal phrases a slot model may never write, per domain: the closed vocabulary's titles and
 * non-generic facts, and the words the lexicon ties to the other training domains. Compiled into one
 * trie per domain, once per runtime (the vocabulary is fixed).
 */
export class SlotDecoding {
  private readonly tries = new Map<string, TokenTrie>();
  private readonly ids = new Map<string, number | undefined>();

  constructor(
    private readonly rt: Encoder,
    private readonly vocabulary: { facts: readonly string[]; titles: readonly string[] },
    private readonly lexicon: Lexicon | null,
    /** The training domain a page domain speaks like ('' for none: every training domain is foreign). */
    private readonly homeOf: (domain: string) => string,
  ) {}

  private tokenId = (token: string): number | undefined => {
    if (!this.ids.has(token)) this.ids.set(token, singleTokenId(this.rt, token));
    return this.ids.get(token);
  };

  private trie(domain: string): TokenTrie {
    let trie = this.tries.get(domain);
    if (!trie) {
      // The other domains' strong words: one alone fails the check. Weaker tied words fail it only in
      // pairs (check.ts, docs/grounding.md), so banning them here would only force odd wording.
      const home = this.homeOf(domain);
      // On a domain training does not have, also the words everyday shop English never uses ('storyline').
      const foreign = [
        ...Object.entries(this.lexicon?.strongWords ?? {}).flatMap(([d, words]) => (d === home ? [] : words)),
        ...(home ? [] : (this.lexicon?.foreignWords ?? [])),
        ...foreignVerbWords(domain), // 'watch', 'viewing' where visitors do not watch
      ];
      const facts = this.vocabulary.facts.filter((f) => !isGenericTerm(f));
      trie = new TokenTrie(encodeVariants(this.rt, [...this.vocabulary.titles, ...facts, ...foreign]));
      this.tries.set(domain, trie);
    }
    return trie;
  }

  /** The constraints of one row written for `plan`. */
  constraints(plan: ContentPlan): RowConstraints {
    const { banned, once } = slotRules(this.tokenId, { slots: slotTokens(), defined: planSlotTokens(plan), once: ONCE, never: STRUCTURE });
    return { banned, once, trie: this.trie(plan.domain), noRepeatNgram: NO_REPEAT_NGRAM };
  }
}

/**
 * How much of the content plan each attempt asks the model to say. The training plans hold at most
 * 1 history entry (20 of 4,464 rows have 2) and mostly 1–2 facts (docs/training.md), so a plan of
 * 2 entries and 3 facts is one the model leaves half unsaid; the regeneration asks for less.
 */
const ATTEMPT_PLANS: readonly { history: number; facts: number }[] = [
  { history: 1, facts: 2 },
  { history: 1, facts: 1 },
];

/** Generation attempts of a slot model: the first, then one regeneration. */
export const ATTEMPTS = ATTEMPT_PLANS.length;

/**
 * What attempt `attempt` asks the model to say: the plan cut to that attempt's size (strongest entries
 * and facts first; only facts the kept entries share). The regeneration keeps a category path's most
 * specific value (with the `item`): cut to the broadest, every card of a shop got "It falls under the
 * board games category".
 */
export function attemptPlan(plan: ContentPlan, attempt: number, item?: ItemLike): ContentPlan {
  const limits = ATTEMPT_PLANS[Math.min(attempt, ATTEMPT_PLANS.length - 1)] as { history: number; facts: number };
  const history = plan.history.slice(0, limits.history);
  // Only facts the kept entries share: one only a dropped entry shares would be credited to a kept one.
  const facts = (attempt > 0 && item ? mostSpecificFirst(plan, item) : plan.facts).filter((f) => sharedByAll(f, history));
  return restrictPlan(plan, history.map((h) => h.title), facts.slice(0, limits.facts).map((f) => f.value));
}

/**
 * The first attempt's sampling for one row: DECODING's settings, seeded by the model, the prompt and
 * the plan (titles and facts the slots are filled with), so a plan always gets the same candidates.
 */
export function firstAttemptSampling(modelId: string, prompt: string, plan: ContentPlan): Sampling {
  return { temperature: DECODING.temperature, topP: DECODING.topP, topK: DECODING.topK, seed: seedOf(modelId, prompt, JSON.stringify(plan)) };
}
