// Delexicalized skeletons: a reason with its titles and facts replaced by placeholders, so that
// "Because you played Portal 2 …" and "Because you played Rust …" are one template. A model that
// writes one skeleton for every card is a one-template model, whatever its USR says.
import { titleAliases } from '../../src/core/facts.ts';
import { tokenize } from '../eval/metrics.ts';

export interface Slot {
  /** Placeholder word, e.g. 'ITEM', 'TITLE', 'FACT' (kept by the tokenizer: letters only). */
  placeholder: string;
  phrases: readonly string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A phrase as a case-insensitive pattern: flexible spaces/hyphens, optional plural or possessive, on word edges. */
function phrasePattern(phrase: string): string {
  const body = phrase
    .trim()
    .split(/[\s-]+/)
    .map(escape)
    .join('[\\s-]+');
  return `(?<![\\p{L}\\p{N}])${body}(?:es|s|['’]s|['’])?(?![\\p{L}\\p{N}])`;
}

/** Replaces every phrase of every slot (longest first) by its placeholder; returns the skeleton's word tokens joined by spaces. */
export function skeleton(text: string, slots: readonly Slot[]): string {
  const all = slots
    .flatMap((s) => s.phrases.filter((p) => p.trim().length >= 2).map((p) => ({ p, placeholder: s.placeholder })))
    .sort((a, b) => b.p.length - a.p.length);
  let out = text;
  for (const { p, placeholder } of all) out = out.replace(new RegExp(phrasePattern(p), 'giu'), ` ${placeholder} `);
  return tokenize(out).join(' ');
}

/** Titles with their aliases ('Batman' for 'Batman: Arkham Asylum'), for a title slot. */
export function titlePhrases(titles: readonly string[]): string[] {
  return titles.flatMap((t) => [t, ...titleAliases(t)]);
}

/** Distinct skeletons / texts (1 when every reason has its own wording); null without texts. */
export function distinctShare(skeletons: readonly string[]): number | null {
  return skeletons.length === 0 ? null : new Set(skeletons).size / skeletons.length;
}
