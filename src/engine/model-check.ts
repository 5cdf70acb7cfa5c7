// What the engine knows of its loaded model for checking and constraining reasons, built once per
// runtime: its lexicon (lexicon.json), its slot rules (a slot model's tokenizer), its closed
// vocabulary matcher (facts_vocab.json); and the open-vocabulary check over them (docs/grounding.md).
import { checkFilledReason, trainingDomainOf, type ReasonCheck } from '../core/check.ts';
import { parseLexicon, type Lexicon } from '../core/dictionary.ts';
import type { ProperWords } from '../core/casing.ts';
import { createFactMatcher, type FactMatcher } from '../core/facts.ts';
import type { ContentPlan } from '../core/plan.ts';
import type { Item, UserContext } from '../types.ts';
import { EncodeMemo } from '../generation/encode-memo.ts';
import { isSlotModel, SlotDecoding } from '../generation/slot-decoding.ts';
import type { RuntimeTokenizer } from '../runtime/runtime.ts';

export class ModelCheck {
  private lexicon: Lexicon | null | undefined;
  private slotDecoding: SlotDecoding | null | undefined;
  private factsMatcher: FactMatcher | null = null;
  private proper: ProperWords | undefined;
  private memo: EncodeMemo | undefined;

  lexiconOf(rt: Pick<RuntimeTokenizer, 'lexicon'>): Lexicon | null {
    if (this.lexicon === undefined) {
      try {
        this.lexicon = rt.lexicon ? parseLexicon(rt.lexicon) : null;
      } catch {
        this.lexicon = null; // a malformed lexicon.json: the check runs without dictionary and domain words
      }
    }
    return this.lexicon;
  }

  /** The lexicon's proper words (facts holding one keep their casing, casing.ts); without `rt`, those of the lexicon read so far, if any. */
  properOf(rt?: Pick<RuntimeTokenizer, 'lexicon'>): ProperWords | undefined {
    if (this.proper === undefined && (rt || this.lexicon !== undefined)) {
      const lexicon = rt ? this.lexiconOf(rt) : this.lexicon;
      this.proper = new Set(lexicon?.properWords ?? []);
    }
    return this.proper;
  }

  /** The encoder the slot rules compile their banned phrases with: the engine stores and seeds its encodings. */
  memoOf(rt: RuntimeTokenizer): EncodeMemo {
    this.memo ??= new EncodeMemo(rt);
    return this.memo;
  }

  /** The slot rules of this runtime's model; null for a model without slot tokens. Needs only the tokenizer (planning and cache lookups run before the session exists). */
  slotsOf(rt: RuntimeTokenizer): SlotDecoding | null {
    if (this.slotDecoding === undefined) {
      const lexicon = this.lexiconOf(rt);
      const trained = Object.keys(lexicon?.domainWords ?? {});
      this.slotDecoding = isSlotModel(rt) ? new SlotDecoding(this.memoOf(rt), { facts: rt.factsVocab, titles: rt.titleVocab }, lexicon, (d) => trainingDomainOf(d, trained)) : null;
    }
    return this.slotDecoding;
  }

  /** The open-vocabulary check of a shown text; the closed vocabulary is one input. */
  check(text: string, item: Item, ctx: UserContext, rt: RuntimeTokenizer, plan: ContentPlan | null, pageTitles: string[]): ReasonCheck {
    this.factsMatcher ??= createFactMatcher({ facts: rt.factsVocab, titles: rt.titleVocab });
    return checkFilledReason(text, { item, context: ctx, plan, lexicon: this.lexiconOf(rt), vocabulary: this.factsMatcher, pageTitles });
  }
}
