// Training rows for reason model v2 (docs/plan-and-slots.md section 5): reads the v1-prepared rows
// (training/out/data/{train,valid,test}.jsonl from `python3 -m training.data`), plans each row with
// the engine's contentPlan, delexicalizes and cleans the reference, and writes
// {id, domain, source, mode, prompt, target, plan} rows plus stats.json. Training (Python) reads the
// prompts and targets as they are, so the plan and the delexicalizer have one implementation.
//
//   npx tsx scripts/prepare-v2.ts --data training/out/data --out training/out/v2 [--xrec drop|rewrite] [--sample 30]
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ALL_FACTS_LIMITS, createFactMatcher, keyedAttributeFacts } from '../src/core/index.ts';
import { contentPlan, type ContentPlan } from '../src/core/plan.ts';
import { buildPlanPrompt } from '../src/core/plan-prompt.ts';
import { delexicalizeDetailed, type DelexResult } from '../src/core/delex.ts';
import { fillSlots } from '../src/core/slots.ts';
import type { HistoryEntry, UserContext } from '../src/types.ts';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'training/out/data' },
    out: { type: 'string', default: 'training/out/v2' },
    vocab: { type: 'string', default: 'public/models/because-reason-v1/facts_vocab.json' },
    xrec: { type: 'string', default: 'drop' },
    sample: { type: 'string', default: '30' },
    // Targets per reference and plan: the first kept sentence, then later ones as their own rows.
    'per-reference': { type: 'string', default: '2' },
    // The Steam data has 2 candidate games: without a cap, their own details ("character classes")
    // would become the model's idea of every game.
    'max-per-item': { type: 'string', default: '400' },
  },
});

interface V1Row {
  id: string;
  domain: string;
  source: string;
  augmented?: string;
  user: { history: HistoryEntry[]; profile?: string };
  item: { title: string; attributes?: Record<string, unknown>; description?: string };
  reason: string;
}

export interface V2Row {
  id: string;
  domain: string;
  source: string;
  mode: 'history' | 'new';
  prompt: string;
  target: string;
  plan: ContentPlan;
}

const SPLITS = ['train', 'valid', 'test'] as const;
const maxTargets = Math.max(1, Number(args['per-reference']));
const maxPerItem = Math.max(1, Number(args['max-per-item']));

function readRows(path: string): V1Row[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as V1Row);
}

/**
 * XRec's third-person references ("The user would enjoy the business because…") in the second
 * person, where that is safe: "the user's" → "your", "the user" + modal/past verb → "you …".
 * Returns null when a pronoun or a present-tense verb makes the rewrite unsafe.
 */
export function xrecSecondPerson(text: string): string | null {
  if (/\b(he|she|his|her|him|himself|herself|they|their|them|themselves|theirs)\b/i.test(text)) return null;
  let out = text.replace(/\b([Tt])he user['’]s\b/g, (_m, t: string) => (t === 'T' ? 'Your' : 'your'));
  const modal = String.raw`(would|will|could|can|might|may|should|must|'d|'ll|wants?|wanted|liked|loved|enjoyed|appreciated|found|gave|rated)`;
  out = out.replace(new RegExp(String.raw`\b([Tt])he user\s+${modal}\b`, 'g'), (_m, t: string, verb: string) => `${t === 'T' ? 'You' : 'you'} ${verb === 'wants' ? 'want' : verb}`);
  out = out.replace(/\b(to|for|with|by|at|of) the user\b/g, '$1 you');
  if (/\bthe user\b/i.test(out)) return null;
  return out;
}

function count(map: Record<string, number>, key: string, n = 1): void {
  map[key] = (map[key] ?? 0) + n;
}

const vocabFacts = existsSync(args.vocab as string) ? ((JSON.parse(readFileSync(args.vocab as string, 'utf8')) as { facts: string[] }).facts ?? []) : [];
const splits = Object.fromEntries(SPLITS.map((s) => [s, readRows(join(args.data as string, `${s}.jsonl`))])) as Record<(typeof SPLITS)[number], V1Row[]>;

// Every title the data knows is vocabulary: a reference naming another catalog title is dropped.
const titles = new Set<string>();
for (const rows of Object.values(splits)) for (const r of rows) {
  titles.add(r.item.title);
  for (const h of r.user.history ?? []) titles.add(h.title);
}
const matcher = createFactMatcher({ facts: vocabFacts, titles });

const stats: Record<string, unknown> = { xrec: args.xrec, perReference: maxTargets, maxPerItem, vocabulary: { facts: vocabFacts.length, titles: titles.size } };
mkdirSync(args.out as string, { recursive: true });
const allOut: V2Row[] = [];

for (const split of SPLITS) {
  const rowsIn: Record<string, number> = {};
  const rowsOut: Record<string, number> = {};
  const rowsDropped: Record<string, number> = {};
  const sentences: Record<string, number> = {};
  const out: V2Row[] = [];
  const seen = new Set<string>();
  const perItem: Record<string, number> = {};
  const emit = (r: V1Row, res: DelexResult, suffix: string): void => {
    const prompt = buildPlanPrompt(res.plan);
    const key = `${prompt}\u0001${res.text}`;
    if (seen.has(key)) return count(rowsDropped, 'duplicate');
    if ((perItem[res.plan.item.title] ?? 0) >= maxPerItem) return count(rowsDropped, 'per-item cap');
    count(perItem, res.plan.item.title);
    seen.add(key);
    const filled = fillSlots(res.text, res.plan);
    if (filled.unknown.length > 0) return count(rowsDropped, 'unknown-slot');
    out.push({ id: r.id + suffix, domain: res.plan.domain, source: r.source, mode: res.plan.mode, prompt, target: res.text, plan: res.plan });
    count(rowsOut, `${r.source} ${res.plan.mode}`);
  };
  const tally = (detail: ReturnType<typeof delexicalizeDetailed>, tag: string): void => {
    for (const s of detail.sentences) count(sentences, `${tag} ${s.dropped ?? 'kept'}`);
  };

  for (const r of splits[split]) {
    count(rowsIn, r.source);
    if (r.augmented) {
      count(rowsDropped, `${r.augmented}: redundant with slots`);
      continue;
    }
    const item = { title: r.item.title, attributes: r.item.attributes as Record<string, never> | undefined };
    const history = r.user.history ?? [];
    const context: UserContext = { domain: r.domain, history };
    let reference = r.reason;
    if (r.source.startsWith('xrec')) {
      // XRec items carry no facts (only a summary the plan never shows): every descriptive claim in
      // these references ("delicious burritos") is unplanned, so by default they are not used.
      if (args.xrec !== 'rewrite') {
        count(rowsDropped, 'xrec: no item facts, claims unplanned');
        continue;
      }
      const rewritten = xrecSecondPerson(reference);
      if (rewritten === null) {
        count(rowsDropped, 'xrec: third person not safely rewritable');
        continue;
      }
      reference = rewritten;
    }

    const allFacts = keyedAttributeFacts(item.attributes, ALL_FACTS_LIMITS.itemFacts);
    let kept = false;
    if (history.length > 0) {
      const plan = contentPlan(item, context);
      // Any item fact may be slotted (the row keeps the ≤ 3 it uses): an inference plan holds only
      // shared facts, so a row naming an unshared one teaches wording, never a false claim.
      const extra = allFacts.map((f) => ({ ...f, from: 'item' as const }));
      const detail = delexicalizeDetailed(reference, item, context, plan, { vocabulary: matcher, extraFacts: extra, maxTargets });
      tally(detail, plan.mode);
      detail.results.forEach((res, k) => emit(r, res, k === 0 ? '' : `-s${k + 1}`));
      kept ||= detail.results.length > 0;
    }
    // New-visitor row: the same reference against the plan without history (history titles and
    // facts stay forbidden; history claims are dropped).
    const plan = contentPlan(item, { domain: r.domain });
    const detail = delexicalizeDetailed(reference, item, context, plan, {
      vocabulary: matcher,
      extraFacts: allFacts.map((f) => ({ ...f, from: 'item' as const })),
      maxTargets,
    });
    tally(detail, 'new');
    const tag = history.length > 0 ? '-new' : '';
    detail.results.forEach((res, k) => emit(r, res, k === 0 ? tag : `${tag}-s${k + 1}`));
    kept ||= detail.results.length > 0;
    if (!kept) count(rowsDropped, 'no sentence kept');
  }

  writeFileSync(join(args.out as string, `${split}.jsonl`), out.map((r) => JSON.stringify(r)).join('\n') + '\n');
  stats[split] = { rowsIn, rowsOut, rows: out.length, rowsDropped, sentences };
  allOut.push(...out);
}

writeFileSync(join(args.out as string, 'stats.json'), JSON.stringify(stats, null, 2) + '\n');
console.log(JSON.stringify(stats, null, 2));

// A sample to read: the slot text and how it fills.
const n = Number(args.sample);
if (n > 0) {
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let k = 0; k < n && allOut.length > 0; k++) {
    const r = allOut[Math.floor(rand() * allOut.length)] as V2Row;
    console.log(`\n[${r.source} ${r.mode}] ${r.prompt}\n  ${r.target}\n  → ${fillSlots(r.target, r.plan).text}`);
  }
}
