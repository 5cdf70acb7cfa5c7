// How many real GPT-4 Steam reasons (LLMXRec) would the grounding check flag as ungrounded?
// Usage: npx tsx scripts/measure-ungrounded.ts [--data ../shared/data] [--llm GPT4] [--dataset steam] [--show 20] [--term X]
// Vocabulary: every attribute value in the LLMXRec prompts (all datasets) plus the Steam catalog's
// tags/genres/specs (what facts_vocab.json holds); a second pass adds every Steam title as
// "titles of other items"; a third pass gives items and history their catalog tags/specs (as a real
// storefront would). Prints counts, the most flagged terms and a few flagged examples.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createFactMatcher } from '../src/core/facts.ts';
import type { Vocabulary } from '../src/core/facts.ts';
import type { Item, UserContext } from '../src/types.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const dataDir = arg('data', join(import.meta.dirname, '../../shared/data'));
const llm = arg('llm', 'GPT4');
const dataset = arg('dataset', 'steam');
const show = Number(arg('show', '12'));
// Only show examples flagging this term (e.g. --term Assassin).
const onlyTerm = arg('term', '');

function jsonl<T>(path: string): T[] {
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

// The source export keeps Python escapes in some titles ('South Park\u2122', u"Sid Meiers Civilization\xae V").
function cleanTitle(t: string): string {
  return t
    .replace(/^u"(.*)"$/, '$1')
    .replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

type Entry = { title: string; [k: string]: unknown };
interface Prompt {
  prompt_id: string;
  dataset: string;
  parsed: { domain: string; history: Entry[] | null; candidate: Entry };
}
interface ReasonRow {
  dataset: string;
  llm: string;
  prompt_id: string;
  response: string;
}

const root = join(dataDir, 'llmxrec-rec-reasons');
const prompts = new Map(jsonl<Prompt>(join(root, 'prompts.jsonl.gz')).map((p) => [p.prompt_id, p]));
const toItem = (e: Entry): Item => {
  const { title, ...rest } = e;
  return { id: title, title: cleanTitle(title), attributes: rest as Item['attributes'] };
};

const facts = new Set<string>();
const titles = new Set<string>();
for (const p of prompts.values()) {
  for (const e of [...(p.parsed.history ?? []), p.parsed.candidate]) {
    if (!e || typeof e !== 'object') continue;
    for (const [k, v] of Object.entries(e)) {
      if (k === 'title') {
        if (p.dataset === 'steam') titles.add(cleanTitle(v as string));
      } else for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') facts.add(x);
    }
  }
}
// Catalog facts by title, for the third pass (what a real storefront would pass as attributes).
const catalog = new Map<string, Record<string, string[]>>();
for (const g of jsonl<Record<string, unknown>>(join(root, 'catalog/steam_games.jsonl.gz'))) {
  const attrs: Record<string, string[]> = {};
  for (const k of ['genres', 'tags', 'specs']) {
    attrs[k] = (g[k] as string[] | null) ?? [];
    for (const x of attrs[k]) facts.add(x);
  }
  for (const t of [g.title, g.app_name]) {
    if (typeof t !== 'string') continue;
    titles.add(t);
    if (!catalog.has(t.toLowerCase())) catalog.set(t.toLowerCase(), attrs);
  }
}

const rows = jsonl<ReasonRow>(join(root, 'reasons.jsonl.gz')).filter((r) => r.llm === llm && r.dataset === dataset);

function enrich(item: Item): Item {
  const extra = catalog.get(item.title.toLowerCase());
  return extra ? { ...item, attributes: { ...item.attributes, ...extra, tags: [...((item.attributes?.tags as string[]) ?? []), ...(extra.tags ?? [])] } } : item;
}

function measure(label: string, vocabulary: Vocabulary, withCatalog = false): void {
  const t0 = performance.now();
  const matcher = createFactMatcher(vocabulary);
  const compileMs = performance.now() - t0;
  const counts = new Map<string, number>();
  const examples: string[] = [];
  let flagged = 0;
  let citedTotal = 0;
  const t1 = performance.now();
  for (const r of rows) {
    const p = prompts.get(r.prompt_id);
    if (!p) continue;
    const e = (x: Item): Item => (withCatalog ? enrich(x) : x);
    const item = e(toItem(p.parsed.candidate));
    const context: UserContext = { domain: p.parsed.domain, history: (p.parsed.history ?? []).map(toItem).map(e) };
    const { cited, ungrounded } = matcher.citedFacts(r.response, item, context);
    citedTotal += cited.length;
    if (ungrounded.length > 0) {
      flagged++;
      for (const u of ungrounded) counts.set(u, (counts.get(u) ?? 0) + 1);
      if (examples.length < show && (!onlyTerm || ungrounded.includes(onlyTerm))) examples.push(`[${ungrounded.join(' | ')}] ${item.title}: ${r.response}`);
    }
  }
  const ms = performance.now() - t1;
  console.log(`\n== ${label}: vocabulary ${matcher.size} terms (compiled in ${compileMs.toFixed(0)} ms)`);
  console.log(`${llm} ${dataset} reasons: ${rows.length}; flagged ungrounded: ${flagged} (${((100 * flagged) / rows.length).toFixed(1)}%); mean cited facts ${(citedTotal / rows.length).toFixed(2)}; ${((1000 * ms) / rows.length).toFixed(0)} µs/reason`);
  console.log('most flagged:', [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([t, c]) => `${t}×${c}`).join(', '));
  for (const e of examples) console.log('  -', e.slice(0, 400));
}

measure('facts vocabulary', facts);
measure('facts + all Steam titles', { facts, titles });
measure('facts + titles, item/history attributes enriched from the Steam catalog', { facts, titles }, true);
