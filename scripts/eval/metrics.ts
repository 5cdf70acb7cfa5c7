// Text-quality metrics for generated reasons. Pure functions, no I/O; definitions in docs/quality.md.
//
// All scores are fractions in [0, 1] (papers usually print BLEU/ROUGE ×100).
// Tokenization (one for every metric): NFKC, lower-case, word-level. A token is a maximal run of
// Unicode letters/digits; an apostrophe between two such runs stays inside the word ("don't").
// Punctuation and whitespace only separate tokens (as in Google's rouge_score; PETER also counts
// punctuation tokens, which inflates BLEU-1 for every system alike).

const WORD = /[\p{L}\p{N}\p{M}]+(?:'[\p{L}\p{N}\p{M}]+)*/gu;

/** Lower-cased word tokens of a text (see the header for the exact rule). */
export function tokenize(text: string): string[] {
  const normalized = text.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019\u02BC]/g, "'");
  return normalized.match(WORD) ?? [];
}

/** Splits a text into sentences at `.`, `!` or `?` followed by whitespace or the end. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/u)
    .map((s) => s.trim())
    .filter((s) => tokenize(s).length > 0);
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    // U+0001 cannot occur inside a token, so joined keys are unambiguous.
    const key = tokens.slice(i, i + n).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function clippedOverlap(candidate: Map<string, number>, reference: Map<string, number>): number {
  let overlap = 0;
  for (const [gram, count] of candidate) overlap += Math.min(count, reference.get(gram) ?? 0);
  return overlap;
}

export interface BleuOptions {
  /**
   * Add-one smoothing of every n-gram precision, (matches + 1) / (possible + 1) (Lin & Och 2004;
   * `smooth=True` of the tensorflow/nmt `compute_bleu` that PETER uses). Default false: plain
   * corpus BLEU, where a zero precision at any order makes the score 0.
   */
  smooth?: boolean;
}

/** One pair's BLEU sufficient statistics: clipped matches and candidate n-grams per order, lengths. */
export interface BleuStats {
  matches: number[];
  possible: number[];
  candidateLength: number;
  referenceLength: number;
}

export function bleuStats(candidate: readonly string[], reference: readonly string[], maxOrder: number): BleuStats {
  const matches: number[] = [];
  const possible: number[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    matches.push(clippedOverlap(ngramCounts(candidate, n), ngramCounts(reference, n)));
    possible.push(Math.max(candidate.length - n + 1, 0));
  }
  return { matches, possible, candidateLength: candidate.length, referenceLength: reference.length };
}

/** Corpus BLEU from per-pair statistics; `indices` selects (and may repeat) pairs, for bootstrapping. */
export function bleuFromStats(stats: readonly BleuStats[], maxOrder: number, options: BleuOptions = {}, indices?: readonly number[]): number {
  const matches = new Array<number>(maxOrder).fill(0);
  const possible = new Array<number>(maxOrder).fill(0);
  let candidateLength = 0;
  let referenceLength = 0;
  const count = indices ? indices.length : stats.length;
  for (let k = 0; k < count; k++) {
    const s = stats[indices ? indices[k]! : k]!;
    candidateLength += s.candidateLength;
    referenceLength += s.referenceLength;
    for (let i = 0; i < maxOrder; i++) {
      matches[i]! += s.matches[i] ?? 0;
      possible[i]! += s.possible[i] ?? 0;
    }
  }
  if (candidateLength === 0) return 0;
  let logSum = 0;
  for (let i = 0; i < maxOrder; i++) {
    const precision = options.smooth ? (matches[i]! + 1) / (possible[i]! + 1) : possible[i]! > 0 ? matches[i]! / possible[i]! : 0;
    if (precision === 0) return 0;
    logSum += Math.log(precision) / maxOrder;
  }
  const ratio = candidateLength / referenceLength;
  const brevity = ratio > 1 ? 1 : Math.exp(1 - 1 / ratio);
  return brevity * Math.exp(logSum);
}

/**
 * Corpus-level BLEU-N with one reference per candidate (Papineni et al. 2002): clipped n-gram
 * matches and candidate n-gram counts are summed over the corpus before dividing, orders 1..N
 * are combined by a uniform geometric mean, and the brevity penalty is exp(1 − r/c) when the
 * total candidate length c is not longer than the total reference length r (else 1).
 */
export function corpusBleu(
  candidates: readonly (readonly string[])[],
  references: readonly (readonly string[])[],
  maxOrder: number,
  options: BleuOptions = {},
): number {
  if (candidates.length !== references.length) throw new Error('corpusBleu: candidates and references differ in length');
  if (!Number.isInteger(maxOrder) || maxOrder < 1) throw new Error('corpusBleu: maxOrder must be a positive integer');
  return bleuFromStats(
    candidates.map((c, i) => bleuStats(c, references[i] ?? [], maxOrder)),
    maxOrder,
    options,
  );
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
}

function prf(overlap: number, candidateCount: number, referenceCount: number): PRF {
  const precision = candidateCount > 0 ? overlap / candidateCount : 0;
  const recall = referenceCount > 0 ? overlap / referenceCount : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** ROUGE-N of one pair (Lin 2004): clipped n-gram overlap over candidate (P) and reference (R) n-grams. */
export function rougeN(candidate: readonly string[], reference: readonly string[], n: number): PRF {
  const overlap = clippedOverlap(ngramCounts(candidate, n), ngramCounts(reference, n));
  return prf(overlap, Math.max(candidate.length - n + 1, 0), Math.max(reference.length - n + 1, 0));
}

/** Length of the longest common subsequence of two token lists (two-row dynamic programme). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

/** Sentence-level ROUGE-L of one pair: LCS length over candidate (P) and reference (R) length. */
export function rougeL(candidate: readonly string[], reference: readonly string[]): PRF {
  return prf(lcsLength(candidate, reference), candidate.length, reference.length);
}

export interface RougeScores {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

/** ROUGE-1/2/L F1 computed per pair, then averaged over pairs (macro), as PETER and rouge_score do. */
export function meanRouge(candidates: readonly (readonly string[])[], references: readonly (readonly string[])[]): RougeScores {
  if (candidates.length !== references.length) throw new Error('meanRouge: candidates and references differ in length');
  if (candidates.length === 0) return { rouge1: 0, rouge2: 0, rougeL: 0 };
  let r1 = 0;
  let r2 = 0;
  let rl = 0;
  candidates.forEach((candidate, index) => {
    const reference = references[index] ?? [];
    r1 += rougeN(candidate, reference, 1).f1;
    r2 += rougeN(candidate, reference, 2).f1;
    rl += rougeL(candidate, reference).f1;
  });
  const n = candidates.length;
  return { rouge1: r1 / n, rouge2: r2 / n, rougeL: rl / n };
}

/**
 * USR, unique-sentence ratio (PETER, Li et al. 2021): distinct generated texts (compared as token
 * sequences) over all generated texts. Each generated reason counts as one "sentence", as in
 * PETER and XRec, whose explanations are single sentences.
 */
export function uniqueSentenceRatio(texts: readonly (readonly string[])[]): number {
  if (texts.length === 0) return 0;
  return new Set(texts.map((t) => t.join(' '))).size / texts.length;
}

/** Stricter USR: every sentence of every reason counts; distinct sentences over all sentences. */
export function uniqueSentenceRatioBySentence(texts: readonly string[]): number {
  const all = texts.flatMap((t) => sentences(t).map((s) => tokenize(s).join(' ')));
  return all.length === 0 ? 0 : new Set(all).size / all.length;
}

/**
 * distinct-n (Li et al. 2016): distinct n-grams over all n-grams of all generated texts.
 * Higher is more diverse. It shrinks as the corpus grows, so compare systems on the same pairs only.
 */
export function distinctN(texts: readonly (readonly string[])[], n: number): number {
  const seen = new Set<string>();
  let total = 0;
  for (const tokens of texts) {
    for (const [gram, count] of ngramCounts(tokens, n)) {
      seen.add(gram);
      total += count;
    }
  }
  return total === 0 ? 0 : seen.size / total;
}

/**
 * PETER's DIV (feature diversity): the mean, over all unordered pairs of generated texts, of the
 * number of features both mention, 2/(N(N−1)) · Σ_{i<j} |F_i ∩ F_j|. Lower is more diverse.
 * Computed as Σ_f C(k_f, 2) over features f mentioned by k_f texts (each text's set deduplicated).
 */
export function featureDiversity(featureSets: readonly (readonly string[])[]): number {
  const n = featureSets.length;
  if (n < 2) return 0;
  const mentions = new Map<string, number>();
  for (const set of featureSets) {
    for (const feature of new Set(set)) mentions.set(feature, (mentions.get(feature) ?? 0) + 1);
  }
  let shared = 0;
  for (const k of mentions.values()) shared += (k * (k - 1)) / 2;
  return shared / ((n * (n - 1)) / 2);
}

/** Per reason: how many catalog facts it mentions that are true of the item/history, and how many that are not. */
export interface FactCount {
  grounded: number;
  ungrounded: number;
}

export interface FactualScores {
  /** Micro-average: all grounded mentions over all mentions in the corpus; null when no reason mentions a fact. */
  factual_precision: number | null;
  /** 1 − factual_precision (null alike). */
  hallucination_rate: number | null;
  /** Share of reasons that mention at least one fact that is not true of their item or history. */
  reasons_with_ungrounded: number;
  /** Total fact mentions counted. */
  facts_mentioned: number;
}

/** Factual precision over a corpus from per-reason fact counts (see FactCount). */
export function factualScores(counts: readonly FactCount[]): FactualScores {
  let grounded = 0;
  let ungrounded = 0;
  let withUngrounded = 0;
  for (const c of counts) {
    if (c.grounded < 0 || c.ungrounded < 0) throw new Error('factualScores: negative fact count');
    grounded += c.grounded;
    ungrounded += c.ungrounded;
    if (c.ungrounded > 0) withUngrounded++;
  }
  const total = grounded + ungrounded;
  const precision = total > 0 ? grounded / total : null;
  return {
    factual_precision: precision,
    hallucination_rate: precision === null ? null : 1 - precision,
    reasons_with_ungrounded: counts.length > 0 ? withUngrounded / counts.length : 0,
    facts_mentioned: total,
  };
}

export interface SystemScores extends FactualScores {
  n: number;
  bleu1: number;
  bleu4: number;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  usr: number;
  /** Stricter USR over individual sentences (see uniqueSentenceRatioBySentence). */
  usr_sentence: number;
  /** distinct-2 over the generated texts (our DIV; higher is more diverse). */
  div: number;
  /** PETER's feature DIV over the catalog facts each text cites (lower is more diverse). */
  div_features: number;
  /** Mean generated length in tokens (as tokenized here). */
  mean_words: number;
  /** Factual precision under the open-vocabulary check (scripts/eval/open-check.ts); null without it or without any claim. */
  open_factual_precision?: number | null;
  /** Share of texts with no problem at all under the open-vocabulary check. */
  open_check_pass?: number | null;
  /** Distinct delexicalized skeletons / texts (scripts/audit/skeleton.ts). */
  distinct_skeletons?: number | null;
}

export interface ScoredText {
  generated: string;
  reference: string;
  /** Catalog facts the generated text mentions (for DIV features), lower-cased. */
  features: readonly string[];
  facts: FactCount;
  /** The open-vocabulary check's counts and problems for the generated text, when computed. */
  open?: FactCount & { problems: readonly string[] };
  /** The generated text's delexicalized skeleton, when computed. */
  skeleton?: string;
}

/** All metrics for one system over the same pairs as every other system. */
export function scoreSystem(rows: readonly ScoredText[]): SystemScores {
  const generated = rows.map((r) => tokenize(r.generated));
  const references = rows.map((r) => tokenize(r.reference));
  const words = generated.reduce((sum, t) => sum + t.length, 0);
  return {
    n: rows.length,
    bleu1: corpusBleu(generated, references, 1),
    bleu4: corpusBleu(generated, references, 4),
    ...meanRouge(generated, references),
    usr: uniqueSentenceRatio(generated),
    usr_sentence: uniqueSentenceRatioBySentence(rows.map((r) => r.generated)),
    div: distinctN(generated, 2),
    div_features: featureDiversity(rows.map((r) => r.features)),
    mean_words: rows.length > 0 ? words / rows.length : 0,
    ...factualScores(rows.map((r) => r.facts)),
    ...openScores(rows),
  };
}

/** Open-vocabulary precision, pass share and distinct skeletons, when every row carries them. */
export function openScores(rows: readonly Pick<ScoredText, 'open' | 'skeleton'>[]): Pick<SystemScores, 'open_factual_precision' | 'open_check_pass' | 'distinct_skeletons'> {
  const out: Pick<SystemScores, 'open_factual_precision' | 'open_check_pass' | 'distinct_skeletons'> = {};
  if (rows.length > 0 && rows.every((r) => r.open)) {
    out.open_factual_precision = factualScores(rows.map((r) => r.open!)).factual_precision;
    out.open_check_pass = rows.filter((r) => r.open!.problems.length === 0).length / rows.length;
  }
  if (rows.length > 0 && rows.every((r) => r.skeleton !== undefined)) out.distinct_skeletons = new Set(rows.map((r) => r.skeleton)).size / rows.length;
  return out;
}
