// The *retrieval* baseline: the reason of the most similar training example (TF-IDF cosine over the
// same item and visitor facts the prompt carries), with its titles replaced by this pair's titles.
import { attributeFacts, LIMITS, promptHistory, sanitizeText, sanitizeTitle } from '../../src/core/prompt.ts';
import type { EvalPair } from './data.ts';
import { tokenize } from './metrics.ts';

type Vector = Map<number, number>;

/**
 * Features of a pair, in separate namespaces so that item and visitor similarity both count:
 * `i:` words of the item title/facts/description, `if:` whole item facts, `u:` words of the
 * history titles/facts and profile, `uf:` whole history facts. Only what reaches the prompt is used.
 */
export function pairFeatures(pair: EvalPair): string[] {
  const features: string[] = [];
  const itemFacts = attributeFacts(pair.item.attributes, LIMITS.itemFacts);
  const itemText = [sanitizeTitle(pair.item.title), ...itemFacts, sanitizeText(pair.item.description, LIMITS.description)].join(' ');
  for (const w of tokenize(itemText)) features.push(`i:${w}`);
  for (const f of itemFacts) features.push(`if:${f.toLowerCase()}`);
  for (const h of promptHistory(pair.context.history)) {
    for (const w of tokenize(`${h.title} ${h.facts.join(' ')}`)) features.push(`u:${w}`);
    for (const f of h.facts) features.push(`uf:${f.toLowerCase()}`);
  }
  for (const w of tokenize(sanitizeText(pair.context.profile, LIMITS.profile))) features.push(`u:${w}`);
  return features;
}

function domainOf(pair: EvalPair): string {
  return (pair.context.domain ?? pair.domain).toLowerCase();
}

/** Nearest-neighbour index over training pairs: sublinear TF × smoothed IDF, L2-normalized, cosine. */
export class RetrievalIndex {
  private readonly ids = new Map<string, number>();
  private readonly idf: number[] = [];
  private readonly postings: { doc: number; weight: number }[][] = [];
  private readonly train: readonly EvalPair[];
  private readonly domains: string[];

  constructor(train: readonly EvalPair[]) {
    if (train.length === 0) throw new Error('RetrievalIndex: no training pairs');
    this.train = train;
    this.domains = train.map(domainOf);
    const docs = train.map((p) => this.count(pairFeatures(p), true));
    const df: number[] = [];
    for (const doc of docs) for (const id of doc.keys()) df[id] = (df[id] ?? 0) + 1;
    // idf = ln((N + 1) / (df + 1)) + 1 (scikit-learn's smooth_idf).
    for (let id = 0; id < df.length; id++) this.idf[id] = Math.log((train.length + 1) / ((df[id] ?? 0) + 1)) + 1;
    docs.forEach((doc, index) => {
      for (const [id, weight] of this.weigh(doc)) (this.postings[id] ??= []).push({ doc: index, weight });
    });
  }

  private count(features: readonly string[], grow: boolean): Map<number, number> {
    const counts = new Map<number, number>();
    for (const feature of features) {
      let id = this.ids.get(feature);
      if (id === undefined) {
        if (!grow) continue;
        id = this.ids.size;
        this.ids.set(feature, id);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  private weigh(counts: Map<number, number>): Vector {
    const vector: Vector = new Map();
    let norm = 0;
    for (const [id, tf] of counts) {
      const w = (1 + Math.log(tf)) * (this.idf[id] ?? 0);
      vector.set(id, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (const [id, w] of vector) vector.set(id, w / norm);
    return vector;
  }

  /**
   * The most similar training pair of the same domain (cosine; ties → earliest in the file);
   * with no training pair of that domain, the most similar pair of any domain.
   */
  nearest(pair: EvalPair): { pair: EvalPair; score: number } {
    const scores = new Float64Array(this.train.length);
    for (const [id, w] of this.weigh(this.count(pairFeatures(pair), false))) {
      for (const posting of this.postings[id] ?? []) scores[posting.doc]! += w * posting.weight;
    }
    const domain = domainOf(pair);
    let best = -1;
    let bestScore = -1;
    for (let doc = 0; doc < scores.length; doc++) {
      if (scores[doc]! > bestScore && this.domains[doc] === domain) [best, bestScore] = [doc, scores[doc]!];
    }
    if (best < 0) {
      // No training pair of this domain: the overall nearest one.
      for (let doc = 0; doc < scores.length; doc++) if (scores[doc]! > bestScore) [best, bestScore] = [doc, scores[doc]!];
    }
    return { pair: this.train[best]!, score: bestScore };
  }

  /** The retrieval baseline's reason for a pair. */
  reasonFor(pair: EvalPair): string {
    return substituteTitles(this.nearest(pair).pair, pair);
  }
}

/**
 * Spellings of a title a reason may use, each with a kind so that a replacement can use the same
 * spelling of the other title: `full` as given, `article` for MovieLens "Title, The" written as
 * "The Title", `short` without trailing "(...)" groups (book series, editions) or a ": subtitle".
 */
export function titleVariants(title: string): { kind: 'full' | 'article' | 'short'; text: string }[] {
  const full = sanitizeTitle(title);
  const out: { kind: 'full' | 'article' | 'short'; text: string }[] = [{ kind: 'full', text: full }];
  const article = /^(.+), (The|A|An)$/i.exec(full);
  if (article) out.push({ kind: 'article', text: `${article[2]} ${article[1]}` });
  let short = full.replace(/(\s*\([^()]*\))+$/u, '');
  const colon = short.indexOf(': ');
  if (colon >= 4) short = short.slice(0, colon);
  if (short !== full && tokenize(short).length >= 2) out.push({ kind: 'short', text: short });
  return out.filter((v) => v.text.length > 0);
}

function spelling(title: string, kind: 'full' | 'article' | 'short'): string {
  return titleVariants(title).find((v) => v.kind === kind)?.text ?? sanitizeTitle(title);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function factSet(facts: readonly string[]): Set<string> {
  return new Set(facts.map((f) => f.toLowerCase()));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  return both / (a.size + b.size - both);
}

/**
 * The neighbour's reason with titles replaced: its item title → this item's title; each history
 * title it mentions → an unused entry of this visitor's prompt history, the one sharing the most
 * facts (ties → the most recent). Mentions with no entry left stay as they are (and then count as
 * ungrounded facts: retrieval is allowed to be wrong). One pass, so inserted titles are never re-replaced.
 */
export function substituteTitles(neighbor: EvalPair, target: EvalPair): string {
  const text = neighbor.reason;
  const replacements = new Map<string, string>();
  for (const v of titleVariants(neighbor.item.title)) replacements.set(v.text.toLowerCase(), spelling(target.item.title, v.kind));

  const targets = promptHistory(target.context.history).map((h, index) => ({ ...h, index, used: false }));
  const mentioned = (neighbor.context.history ?? [])
    .map((h) => {
      const variants = titleVariants(h.title);
      const positions = variants.map((v) => text.toLowerCase().indexOf(v.text.toLowerCase())).filter((p) => p >= 0);
      return { variants, facts: factSet(attributeFacts(h.attributes, LIMITS.historyFacts)), at: positions.length ? Math.min(...positions) : -1 };
    })
    .filter((h) => h.at >= 0 && !h.variants.some((v) => replacements.has(v.text.toLowerCase())))
    .sort((a, b) => a.at - b.at);
  for (const h of mentioned) {
    let choice: (typeof targets)[number] | undefined;
    let choiceScore = -1;
    for (const t of targets) {
      if (t.used) continue;
      const score = jaccard(h.facts, factSet(t.facts));
      if (score > choiceScore || (score === choiceScore && choice !== undefined && t.index > choice.index)) [choice, choiceScore] = [t, score];
    }
    if (!choice) break;
    choice.used = true;
    for (const v of h.variants) replacements.set(v.text.toLowerCase(), spelling(choice.title, v.kind));
  }

  const keys = [...replacements.keys()].sort((a, b) => b.length - a.length);
  if (keys.length === 0) return text;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${keys.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return text.replace(pattern, (match) => replacements.get(match.toLowerCase()) ?? match);
}
