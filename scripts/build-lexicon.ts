// Builds lexicon.json, the open-vocabulary check's word lists (src/core/check.ts), from the prepared
// training rows (python3 -m training.data … --out training/out/data):
// - `words`: every word of the training corpus (references and prompts: titles, facts, profiles,
//   descriptions), lower-cased, seen at least --min-count times, plus the background's words seen
//   at least 5 times; the check's dictionary;
// - `foreignWords`: reference words everyday shop English (the background) does not use;
// - `domainWords`, `strongWords`: per domain, the reference words tied to it (src/core/off-domain.ts), less the
//   words of everyday shop English (--background: product reviews, by default the Amazon
//   musical-instrument reviews of ../shared/data, which training does not use; `--background none`);
// - `properWords`: words the references and the background write Capitalized mid-sentence, titles
//   aside (src/core/casing.ts; --titles: the Steam catalog, whose titles references name unquoted).
// Only the train split is read, so eval/test text never shapes the check.
// Usage: npx tsx scripts/build-lexicon.ts --data training/out/data --out public/models/because-reason-v1/lexicon.json [--min-count 2] [--background FILE.json.gz|none] [--titles CATALOG.jsonl.gz|none]
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { createGunzip } from 'node:zlib';
import { LEXICON_VERSION, lexiconWords, type Lexicon } from '../src/core/dictionary.ts';
import { DOMAIN_WORD_RULE, domainWordLists, foreignWordList } from '../src/core/off-domain.ts';
import { countCasing, newCasingCounts, properWordList, type CasingCounts } from '../src/core/casing.ts';

interface Entry {
  title?: unknown;
  attributes?: Record<string, unknown>;
  description?: unknown;
}
interface Row {
  domain?: string;
  reason?: string;
  item?: Entry;
  user?: { history?: Entry[]; profile?: unknown };
}

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (value === undefined) throw new Error(`missing --${name} (usage: npx tsx scripts/build-lexicon.ts --data training/out/data --out <modelDir>/lexicon.json)`);
  return value;
}

/** Every string of a prompt entry: title, attribute values, description. */
function entryTexts(e: Entry | undefined, out: string[]): void {
  if (!e) return;
  if (typeof e.title === 'string') out.push(e.title);
  if (typeof e.description === 'string') out.push(e.description);
  for (const v of Object.values(e.attributes ?? {})) for (const s of Array.isArray(v) ? v : [v]) if (typeof s === 'string') out.push(s);
}

/** Words longer than this are not words (URLs, hashes, glued garbage); they never enter the dictionary. */
const MAX_WORD = 24;

/** A background word enters the dictionary at this count. */
const BACKGROUND_MIN_COUNT = 5;

const DEFAULT_BACKGROUND = '../shared/data/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz';

/** A catalog whose titles the references name unquoted; they are no evidence of how a word is cased. */
const DEFAULT_TITLES = '../shared/data/llmxrec-rec-reasons/catalog/steam_games.jsonl.gz';

/** A title as references write it: lower-cased, without ™ ® ©. */
function titleKey(title: string): string {
  return title.replace(/[™®©]/gu, '').replace(/\s+/gu, ' ').trim().toLowerCase();
}

/** The `title`/`app_name` (titleKey) of each line of a gzipped JSON-lines catalog. */
async function catalogTitles(file: string): Promise<Set<string>> {
  const titles = new Set<string>();
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    for (const key of ['title', 'app_name']) if (typeof r[key] === 'string' && (r[key] as string).trim()) titles.add(titleKey(r[key] as string));
  }
  return titles;
}

/**
 * Word counts of a background corpus: gzipped JSON lines with `reviewText`/`summary` (Amazon reviews)
 * or `text`; its running text (not the summaries, often in title case) also adds to `casing`.
 */
async function backgroundCounts(file: string, casing: CasingCounts): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const input = createReadStream(file).pipe(createGunzip());
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    for (const key of ['reviewText', 'summary', 'text']) {
      const t = r[key];
      if (typeof t === 'string') for (const { word } of lexiconWords(t)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    for (const key of ['reviewText', 'text']) if (typeof r[key] === 'string') countCasing(r[key] as string, [], casing);
  }
  return counts;
}

export async function buildLexicon(dataDir: string, minCount: number, backgroundFile?: string, titlesFile?: string): Promise<{ lexicon: Lexicon; rows: number }> {
  const file = join(dataDir, 'train.jsonl');
  if (!existsSync(file)) throw new Error(`${file} not found: run /usr/bin/python3 -m training.data --data ../shared/data --out ${dataDir} first`);
  const counts = new Map<string, number>();
  const byDomain: Record<string, Map<string, number>> = {};
  const count = (map: Map<string, number>, w: string): void => {
    map.set(w, (map.get(w) ?? 0) + 1);
  };
  // How the references write words mid-sentence, their rows' titles aside: lexicon.properWords.
  const casing = newCasingCounts();
  const catalog = titlesFile ? await catalogTitles(titlesFile) : new Set<string>();
  const isTitle = (lowered: string): boolean => catalog.has(titleKey(lowered));
  let rows = 0;
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Row;
    rows++;
    const texts: string[] = [];
    entryTexts(row.item, texts);
    for (const h of row.user?.history ?? []) entryTexts(h, texts);
    if (typeof row.user?.profile === 'string') texts.push(row.user.profile);
    for (const t of texts) for (const { word } of lexiconWords(t)) if (word.length <= MAX_WORD) count(counts, word);
    if (typeof row.reason !== 'string') continue;
    const titles = [row.item, ...(row.user?.history ?? [])].map((e) => e?.title).filter((t): t is string => typeof t === 'string');
    countCasing(row.reason, titles, casing, isTitle);
    const domain = typeof row.domain === 'string' && row.domain ? row.domain : 'product';
    const mine = (byDomain[domain] ??= new Map());
    for (const { word } of lexiconWords(row.reason)) {
      if (word.length > MAX_WORD) continue;
      count(counts, word);
      count(mine, word);
    }
  }
  const background = backgroundFile ? await backgroundCounts(backgroundFile, casing) : new Map<string, number>();
  // Everyday English the corpus lacks ('neck', 'tune' in product reviews) is no non-word either;
  // a background word needs more occurrences than a corpus word, so its typos stay out.
  const known = new Set([...counts].filter(([, n]) => n >= minCount).map(([w]) => w));
  for (const [w, n] of background) if (n >= BACKGROUND_MIN_COUNT && w.length <= MAX_WORD) known.add(w);
  const words = [...known].sort();
  const foreignWords = foreignWordList(byDomain, background);
  return { lexicon: { version: LEXICON_VERSION, minCount, words, ...domainWordLists(byDomain, background, DOMAIN_WORD_RULE), foreignWords, properWords: properWordList(casing) }, rows };
}

async function main(): Promise<void> {
  const dataDir = arg('data', 'training/out/data');
  const out = arg('out');
  const minCount = Number(arg('min-count', '2'));
  const bg = arg('background', DEFAULT_BACKGROUND);
  const backgroundFile = bg === 'none' ? undefined : bg;
  if (backgroundFile && !existsSync(backgroundFile)) throw new Error(`${backgroundFile} not found (pass --background none to build without one)`);
  const titlesArg = arg('titles', DEFAULT_TITLES);
  const titlesFile = titlesArg === 'none' ? undefined : titlesArg;
  if (titlesFile && !existsSync(titlesFile)) throw new Error(`${titlesFile} not found (pass --titles none to build without a catalog's titles)`);
  const { lexicon, rows } = await buildLexicon(dataDir, minCount, backgroundFile, titlesFile);
  const json = `${JSON.stringify(lexicon)}\n`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, json);
  const domains = Object.entries(lexicon.domainWords).map(([d, w]) => `${d} ${w.length} (${lexicon.strongWords?.[d]?.length ?? 0} strong)`).join(', ');
  console.log(`${out}: ${lexicon.words.length} words (count ≥ ${minCount}) from ${rows} train rows; domain words: ${domains}; ${lexicon.foreignWords?.length ?? 0} foreign words; ${lexicon.properWords?.length ?? 0} proper words; background ${backgroundFile ?? 'none'}; ${(json.length / 1024).toFixed(0)} KB raw`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
