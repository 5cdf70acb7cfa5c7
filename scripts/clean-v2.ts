// Cleans and augments the v2 training rows of scripts/prepare-v2.ts (issue 7, training item 6):
// 1. Clean: a target is kept only if, filled with its plan's values as if the page's domain were one
//    training never saw ('product'), the engine's own open-vocabulary check (checkFilledReason)
//    accepts it with the plan's facts as the item's only facts, and its free text (the words that
//    are not slots) has no word or word pair bound to one training domain. Domain-boundness is
//    counted from every training reference (XRec's too, although their rows are dropped): a term
//    whose size-normalized frequency is ≥ --bound-share in one domain, seen ≥ --bound-count times.
// 1b. Neutral rewrite (--neutral, default yes): a rejected target whose domain words are only a verb
//    of doing ('You should watch/play/read <item>') or a history noun ('your gaming/viewing history')
//    is rewritten to the neutral word ('try', 'your history') and checked again; the rest of the
//    wording stays the reference's. The words it writes are exempt from the domain-bound terms
//    ('give it a try' is everyday English in any shop, though game references use it most).
// 2. Augment (train only): each kept target with facts is copied with its facts re-filled by other
//    values of the same kind (Steam catalog tags/genres, MovieLens genres, MIND categories), at most
//    --copies per target, each copy checked again. The wording stays the reference's own.
//
//   npx tsx scripts/clean-v2.ts --rows training/out/v2 --data training/out/data --out training/out/v3/rows
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { checkFilledReason } from '../src/core/check.ts';
import { lexiconWords, parseLexicon } from '../src/core/dictionary.ts';
import { domainPatterns } from '../src/core/domains.ts';
import { termKey } from '../src/core/facts.ts';
import type { ContentPlan } from '../src/core/plan.ts';
import { buildPlanPrompt } from '../src/core/plan-prompt.ts';
import { fillSlots } from '../src/core/slots.ts';
import type { V2Row } from './prepare-v2.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: 'training/out/v2' },
    data: { type: 'string', default: 'training/out/data' },
    out: { type: 'string', default: 'training/out/v3/rows' },
    lexicon: { type: 'string', default: 'public/models/because-reason-v2/lexicon.json' },
    catalog: { type: 'string', default: '../shared/data/llmxrec-rec-reasons/catalog/steam_games.jsonl.gz' },
    'bound-share': { type: 'string', default: '0.8' },
    'bound-count': { type: 'string', default: '5' },
    copies: { type: 'string', default: '3' },
    // Valid copies: the cleaned valid split alone is a few dozen targets, too few to pick a checkpoint.
    'valid-copies': { type: 'string', default: '3' },
    // A fact value needs this many uses in its pool to be a filler (rare Steam tags read oddly).
    'pool-min': { type: 'string', default: '30' },
    seed: { type: 'string', default: '11' },
    trim: { type: 'string', default: 'yes' },
    'kind-words': { type: 'string', default: 'yes' },
    sample: { type: 'string', default: '0' },
    // Rewrite a rejected target's domain verbs and history nouns to neutral ones ('You should watch' →
    // 'You should try', 'your gaming history' → 'your history'), then check it again.
    neutral: { type: 'string', default: 'yes' },
    // Re-filled copies are dropped where one opening (a target's first three words) would be more than
    // this share of a split's rows (1 = off, the shipped v2's rows; 0.08 was tried: docs/training.md).
    'opening-cap': { type: 'string', default: '1' },
  },
});

/** The domain the check pretends the page has: none of training's, so every training domain's words are foreign. */
const UNTRAINED = 'product';
const SPLITS = ['train', 'valid', 'test'] as const;
const boundShare = Number(args['bound-share']);
const boundCount = Number(args['bound-count']);
const copies = Math.max(0, Number(args.copies));
const validCopies = Math.max(0, Number(args['valid-copies']));
const poolMin = Number(args['pool-min']);
const trim = args.trim !== 'no';
const kindExempt = args['kind-words'] !== 'no';
const neutral = args.neutral !== 'no';
const openingCap = Number(args['opening-cap']);
/** The words the neutral rewrite writes. */
const NEUTRAL_WORDS = new Set(['try', 'history']);

function jsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}
function count(map: Map<string, number> | Record<string, number>, key: string, n = 1): void {
  if (map instanceof Map) map.set(key, (map.get(key) ?? 0) + n);
  else map[key] = (map[key] ?? 0) + n;
}

// Terms of free text: words (as the check's dictionary splits them), hyphenated compounds as one
// term ('must-read', whose parts 'must' and 'read' are everyday words) and adjacent word pairs
// ('engaging story'). A slot breaks a pair.
const COMPOUND = /[\p{L}\p{N}]+(?:[-\u2010\u2011][\p{L}\p{N}]+)+/gu;
function terms(text: string): Set<string> {
  const out = new Set<string>();
  for (const piece of text.split(/<\|[^|]*\|>/)) {
    const ws = lexiconWords(piece).map((w) => w.word);
    ws.forEach((w, i) => {
      out.add(w);
      if (i > 0) out.add(`${ws[i - 1]} ${w}`);
    });
    for (const m of piece.matchAll(COMPOUND)) out.add(m[0].toLowerCase().replace(/[\u2010\u2011]/g, '-'));
  }
  return out;
}

// --- 1. Domain-bound terms, from every training reference (train split only).
interface V1Row {
  domain: string;
  source: string;
  reason: string;
  augmented?: string;
  item: { attributes?: Record<string, unknown> };
}
const v1Train = jsonl<V1Row>(join(args.data as string, 'train.jsonl'));
const perDomain = new Map<string, Map<string, number>>();
const termsPerDomain = new Map<string, number>();
for (const r of v1Train) {
  if (r.augmented) continue; // title-swap copies repeat their reference's words
  const m = perDomain.get(r.domain) ?? new Map<string, number>();
  perDomain.set(r.domain, m);
  for (const t of terms(r.reason)) count(m, t);
  count(termsPerDomain, r.domain, lexiconWords(r.reason).length);
}
// Slot-able domain words ('game', 'played') become slots in the targets; they are not free text.
const slotWords = new Set<string>();
for (const d of perDomain.keys()) {
  const p = domainPatterns(d);
  if (p) for (const w of [...p.nouns, ...p.noun, ...p.did]) slotWords.add(w.toLowerCase());
}
// Words naming a kind of fact ('category', 'genres', 'tags': the attribute keys of the data) describe
// the plan's facts, not a domain: "falls under the <|@f1|> category" is right in any shop.
const kindWords = new Set<string>();
for (const r of v1Train) for (const k of Object.keys(r.item.attributes ?? {})) for (const w of k.split(/[_\s]+/)) for (const f of [w, w.replace(/s$/, ''), `${w.replace(/s$/, '')}s`, w.replace(/y$/, 'ies')]) kindWords.add(f.toLowerCase());
const bound = new Map<string, { domain: string; share: number; n: number }>();
const allTerms = new Map<string, number>();
for (const m of perDomain.values()) for (const [t, n] of m) count(allTerms, t, n);
for (const [t, n] of allTerms) {
  if (n < boundCount || slotWords.has(t) || (kindExempt && t.split(/[ -]/).some((w) => kindWords.has(w)))) continue;
  let best = '';
  let bestRate = 0;
  let sum = 0;
  for (const [d, m] of perDomain) {
    const rate = (m.get(t) ?? 0) / (termsPerDomain.get(d) as number);
    sum += rate;
    if (rate > bestRate) [best, bestRate] = [d, rate];
  }
  if (bestRate / sum >= boundShare) bound.set(t, { domain: best, share: bestRate / sum, n });
}
if (neutral) for (const t of [...bound.keys()]) if (t.split(/[ -]/).some((w) => NEUTRAL_WORDS.has(w))) bound.delete(t);

// --- 1b. Neutral rewrite: the words of one domain's doing and history, in another's words.
const NEUTRAL_RULES: readonly [RegExp, string][] = [
  // "You should watch <item>", "to play", "definitely read": the verb of doing → 'try'.
  [/\b(should|must|to|can|will|could|might|would|definitely|also)\s+(?:definitely\s+)?(?:play|watch|read|listen to|check out)\b/gi, '$1 try'],
  [/(^|[.!?]\s+|"\s*)(?:Play|Watch|Read|Check out)\b/g, '$1Try'],
  // "your gaming history", "your historical play record", "news viewing history" → "your history".
  [/\b(?:historical\s+)?(?:news\s+)?(?:gaming|viewing|watching|reading|playing|play|movie[- ]watching|historical play|game play)\s+(?:history|record|records|histories)\b/gi, 'history'],
  [/\b(?:gaming|viewing|watching|reading)\s+(preferences?|habits?|tastes?|interests?)\b/gi, '$1'],
];
function neutralized(target: string): string | null {
  let out = target;
  for (const [re, to] of NEUTRAL_RULES) out = out.replace(re, to);
  return out === target ? null : out;
}

// --- The check, as if the domain were untrained.
const lexicon = parseLexicon(JSON.parse(readFileSync(args.lexicon as string, 'utf8')));
function asUntrained(plan: ContentPlan): ContentPlan {
  return { ...plan, domain: UNTRAINED };
}
// A later sentence of a reference that leans on the one before ("It also…", "fits this realm"):
// a reason shown alone has no sentence before it.
const CONTINUATION = /\b(also|further|furthermore|moreover|additionally|besides|too)\b|\b(this|that|the same) (genre|realm|blend|category|theme|vein)\b|^(so|and|but|plus)\b/i;

/** Why a target is not kept, or null. */
function rejection(target: string, plan: ContentPlan, why: Record<string, number>, boundHits: Map<string, number>): string | null {
  const p = asUntrained(plan);
  const filled = fillSlots(target, p);
  if (filled.unknown.length > 0) return 'unknown-slot';
  const attributes: Record<string, string[]> = {};
  for (const f of plan.facts) (attributes[f.kind] ??= []).push(f.value);
  const check = checkFilledReason(filled.text, {
    item: { title: plan.item.title, attributes },
    context: { domain: UNTRAINED, history: plan.history.map((h) => ({ title: h.title })) },
    plan: p,
    lexicon,
    domain: UNTRAINED,
  });
  const found = [...terms(target)].filter((t) => bound.has(t));
  for (const t of found) count(boundHits, t);
  if (!check.ok) {
    const kinds = [...new Set(check.problems.map((q) => q.kind))];
    for (const k of kinds) count(why, `check: ${k}`);
    return `check: ${kinds[0]}`;
  }
  if (CONTINUATION.test(target.replace(/<\|[^|]*\|>/g, 'X').replace(/^["'\s]+/, ''))) {
    count(why, 'continuation');
    return 'continuation';
  }
  if (found.length > 0) {
    count(why, 'domain-bound words');
    return 'domain-bound words';
  }
  return null;
}

const SLOT = /<\|@[a-z0-9]+\|>/g;
function trimmed(target: string, plan: ContentPlan): string | null {
  const slots = new Set(target.match(SLOT) ?? []);
  const cuts = [...target.matchAll(/,\s/g)].map((m) => m.index as number).reverse();
  for (const at of cuts) {
    const head = target.slice(0, at).trim();
    if (lexiconWords(head.replace(SLOT, ' x ')).length < 6) break;
    if (!/<\|@(item|h1|h2|f1|f2|f3)\|>/.test(head) || (head.match(/"/g) ?? []).length % 2 === 1) continue;
    if (new Set(head.match(SLOT) ?? []).size !== new Set([...slots].filter((s) => head.includes(s))).size) continue;
    if ([...slots].some((s) => /@(item|h1|h2|f1|f2|f3)/.test(s) && !head.includes(s))) continue;
    // A clause cut off its main clause is no sentence ("With its <|@f1|> status.", "<|@item|>, an <|@f1|> <|@noun|>.").
    const bare = head.replace(/^["'\s]+/, '');
    if (!head.includes(',', 0) && /^(with|as|because|since|given|while|if|being|although|though|considering|based|for|from|like|to)\b/i.test(bare)) continue;
    if (/^<\|@item\|>,/.test(bare) && bare.indexOf(',', 10) < 0) continue;
    const t = `${head}.`;
    if (rejection(t, plan, {}, new Map()) === null) return t;
  }
  return null;
}

// --- 2. Filler pools per domain and fact kind.
const pools = new Map<string, Map<string, number>>();
const pool = (domain: string, kind: string): Map<string, number> => {
  const key = `${domain}\u0001${kind}`;
  let m = pools.get(key);
  if (!m) pools.set(key, (m = new Map()));
  return m;
};
for (const line of gunzipSync(readFileSync(args.catalog as string)).toString('utf8').split('\n')) {
  if (!line.trim()) continue;
  const g = JSON.parse(line) as { tags?: string[]; genres?: string[] };
  for (const t of g.tags ?? []) {
    count(pool('game', 'tags'), t);
    count(pool('game', 'steam_tags'), t);
  }
  for (const t of g.genres ?? []) count(pool('game', 'genres'), t);
}
for (const r of v1Train) {
  if (r.domain === 'game') continue; // the catalog is the games' pool
  for (const [k, v] of Object.entries(r.item.attributes ?? {})) for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string') count(pool(r.domain, k), s);
}
const fillers = new Map<string, { values: string[]; weights: number[]; total: number }>();
for (const [key, m] of pools) {
  const entries = [...m].filter(([, n]) => n >= poolMin).sort((a, b) => b[1] - a[1]);
  fillers.set(key, { values: entries.map((e) => e[0]), weights: entries.map((e) => e[1]), total: entries.reduce((s, e) => s + e[1], 0) });
}

let seed = Number(args.seed);
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
function draw(domain: string, kind: string, not: Set<string>): string | null {
  const f = fillers.get(`${domain}\u0001${kind}`);
  if (!f || f.values.length === 0) return null;
  for (let tries = 0; tries < 20; tries++) {
    let x = rand() * f.total;
    let i = 0;
    while (x >= (f.weights[i] as number) && i < f.values.length - 1) x -= f.weights[i++] as number;
    const v = f.values[i] as string;
    if (!not.has(termKey(v))) return v;
  }
  return null;
}

/** Whether the free text echoes a fact's words ('thrilling' with Thriller): then the wording is tied to that value. */
function echoes(target: string, value: string): boolean {
  const free = [...terms(target)].filter((t) => !t.includes(' '));
  return lexiconWords(value).some((v) => v.word.length >= 4 && free.some((w) => w.slice(0, 5) === v.word.slice(0, 5)));
}

function refill(row: V2Row): V2Row | null {
  if (row.plan.facts.length === 0) return null;
  if (row.plan.facts.some((f) => echoes(row.target, f.value))) return null;
  const used = new Set(row.plan.facts.map((f) => termKey(f.value)));
  const map = new Map<string, string>();
  for (const f of row.plan.facts) {
    const v = draw(row.domain, f.kind, used);
    if (v === null) return null;
    used.add(termKey(v));
    map.set(f.value, v);
  }
  const plan: ContentPlan = {
    ...row.plan,
    facts: row.plan.facts.map((f) => ({ ...f, value: map.get(f.value) as string })),
    history: row.plan.history.map((h) => ({ ...h, shared: h.shared.map((s) => map.get(s) ?? s) })),
  };
  return { ...row, plan, prompt: buildPlanPrompt(plan) };
}

// --- Run.
mkdirSync(args.out as string, { recursive: true });
const stats: Record<string, unknown> = {
  rule: { boundShare, boundCount, copies, validCopies, poolMin, trim, kindExempt, neutral, openingCap, kindWords: [...kindWords].sort(), checkDomain: UNTRAINED, lexicon: args.lexicon },
  boundTerms: Object.fromEntries([...perDomain.keys()].sort().map((d) => [d, [...bound.values()].filter((b) => b.domain === d).length])),
  pools: Object.fromEntries([...fillers].map(([k, f]) => [k.replace('\u0001', ' '), f.values.length])),
};
const kept: V2Row[] = [];
for (const split of SPLITS) {
  const rows = jsonl<V2Row>(join(args.rows as string, `${split}.jsonl`));
  const why: Record<string, number> = {};
  const boundHits = new Map<string, number>();
  const out: V2Row[] = [];
  const before = { rows: rows.length, prompts: new Set(rows.map((r) => r.prompt)).size, bySourceMode: {} as Record<string, number> };
  for (const r of rows) count(before.bySourceMode, `${r.source} ${r.mode}`);
  const keys = new Set<string>();
  for (const r of rows) {
    if (rejection(r.target, r.plan, why, boundHits) === null) {
      out.push(r);
      keys.add(`${r.prompt}\u0001${r.target}`);
    } else {
      // Neutral rewrite, then trim: the longest clause-prefix (cut at a comma) that keeps every slot and passes.
      const n = neutral ? neutralized(r.target) : null;
      const tries: { how: string; kept: string; target: () => string | null }[] = [];
      if (n !== null) tries.push({ how: 'neutral', kept: 'rewritten neutral', target: () => (rejection(n, r.plan, {}, new Map()) === null ? n : null) });
      if (trim) tries.push({ how: 'trim', kept: 'trimmed', target: () => trimmed(r.target, r.plan) });
      if (trim && n !== null) tries.push({ how: 'neutral-trim', kept: 'rewritten neutral and trimmed', target: () => trimmed(n, r.plan) });
      for (const { how, kept, target } of tries) {
        const t = target();
        if (t === null || keys.has(`${r.prompt}\u0001${t}`)) continue;
        out.push({ ...r, id: `${r.id}-${how}`, target: t });
        keys.add(`${r.prompt}\u0001${t}`);
        count(why, `of those: ${kept} and kept`);
        break;
      }
    }
  }
  const cleaned = { rows: out.length, prompts: new Set(out.map((r) => r.prompt)).size, targets: new Set(out.map((r) => r.target)).size, bySourceMode: {} as Record<string, number> };
  for (const r of out) count(cleaned.bySourceMode, `${r.source} ${r.mode}`);
  const augmented: Record<string, number> = {};
  const n = split === 'train' ? copies : split === 'valid' ? validCopies : 0;
  if (n > 0) {
    const seen = new Set(out.map((r) => `${r.prompt}\u0001${r.target}`));
    const base = [...out];
    for (const r of base) {
      let made = 0;
      for (let tries = 0; tries < n * 3 && made < n; tries++) {
        const c = refill(r);
        if (!c) {
          count(augmented, 'not re-fillable');
          break;
        }
        const key = `${c.prompt}\u0001${c.target}`;
        if (seen.has(key)) continue;
        if (rejection(c.target, c.plan, {}, new Map()) !== null) {
          count(augmented, 'copy rejected by the check');
          continue;
        }
        seen.add(key);
        made++;
        out.push({ ...c, id: `${r.id}-fill${made}` });
        count(augmented, `copies ${r.mode}`);
      }
    }
  }
  // Balance openings: drop re-filled copies (never a reference's own row) of over-represented openings.
  const opening = (t: string): string => t.split(/\s+/).slice(0, 3).join(' ');
  const byOpening = new Map<string, number>();
  for (const r of out) count(byOpening, opening(r.target));
  for (let i = out.length - 1; i >= 0; i--) {
    const r = out[i] as V2Row;
    const o = opening(r.target);
    if (!/-fill\d+$/.test(r.id) || (byOpening.get(o) as number) <= openingCap * out.length) continue;
    out.splice(i, 1);
    count(byOpening, o, -1);
    count(augmented, 'copies dropped: opening over the cap');
  }
  const after = { rows: out.length, prompts: new Set(out.map((r) => r.prompt)).size, bySourceMode: {} as Record<string, number> };
  for (const r of out) count(after.bySourceMode, `${r.source} ${r.mode}`);
  const topBound = [...boundHits].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([t, n]) => `${t} (${bound.get(t)?.domain} ${n})`);
  stats[split] = { before, dropped: why, cleaned, augmented, after, topBoundTerms: topBound };
  writeFileSync(join(args.out as string, `${split}.jsonl`), out.map((r) => JSON.stringify(r)).join('\n') + '\n');
  kept.push(...out);
}
writeFileSync(join(args.out as string, 'stats.json'), JSON.stringify(stats, null, 2) + '\n');
console.log(JSON.stringify(stats, null, 2));
const samples = Number(args.sample);
for (let k = 0; k < samples && kept.length > 0; k++) {
  const r = kept[Math.floor(rand() * kept.length)] as V2Row;
  console.log(`\n[${r.source} ${r.mode}] ${r.prompt}\n  ${r.target}\n  → ${fillSlots(r.target, asUntrained(r.plan)).text}`);
}
