// The shown-reason audit's counters (scripts/audit/*): each one finds what it is for and stays quiet
// on honest text, including the engine's own fallback sentences.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { templateReason } from '../../../src/core/grounding.ts';
import { termKey } from '../../../src/core/facts.ts';
import type { Item, UserContext } from '../../../src/types.ts';
import { allTitles, demoCatalog, schemaOrgCatalog, testCatalogs } from '../../../scripts/audit/catalogs.ts';
import { historyClaims } from '../../../scripts/audit/claims.ts';
import { offDomainWords } from '../../../scripts/audit/domain-words.ts';
import { findingsOf } from '../../../scripts/audit/findings.ts';
import type { AuditedReason, AuditResources } from '../../../scripts/audit/findings.ts';
import { lexiconOf, nonWords } from '../../../scripts/audit/lexicon.ts';
import { foreignTitles, misnamedItems, quotedSpans, titleMatcher, unlistedQuotes, unsupportedNames } from '../../../scripts/audit/names.ts';
import { omittedPlanned, planOf } from '../../../scripts/audit/plan-omission.ts';
import { buildScenario, shuffled } from '../../../scripts/audit/scenarios.ts';
import { distinctShare, skeleton, titlePhrases } from '../../../scripts/audit/skeleton.ts';
import { tally, targetFailures } from '../../../scripts/audit/tally.ts';
import { ensurePreparedData } from '../../../scripts/eval/prepare.ts';
import type { EvalPair } from '../../../scripts/eval/data.ts';
import { buildVocabularies, createFactChecker } from '../../../scripts/eval/factuality.ts';
import { openScores } from '../../../scripts/eval/metrics.ts';
import { createOpenChecker, pairSkeleton } from '../../../scripts/eval/open-check.ts';

const root = new URL('../../../', import.meta.url).pathname;

const portal: Item = { id: 'p2', title: 'Portal 2', attributes: { genres: ['Action', 'Adventure'], tags: ['Puzzle', 'Co-op', 'First-Person'] } };
const talos: Item = { id: 'tp', title: 'The Talos Principle', attributes: { genres: ['Adventure'], tags: ['Puzzle', 'First-Person', 'Philosophical'] } };
const newVisitor: UserContext = { domain: 'game', history: [] };
const played: UserContext = { domain: 'game', history: [{ title: 'Portal 2', attributes: portal.attributes }] };

describe('history claims', () => {
  it('finds the phrases that speak of a past the visitor may not have', () => {
    expect(historyClaims('Based on your history, you enjoy action games like "DARK SOULS III".')).not.toEqual([]);
    expect(historyClaims('Based on your previous news viewing history, it seems …')).not.toEqual([]);
    expect(historyClaims('Because you played Portal 2, try this.')).not.toEqual([]);
    expect(historyClaims("Since you've enjoyed puzzle games, this fits.")).not.toEqual([]);
    expect(historyClaims('Something different from your usual picks: a Puzzle game.')).not.toEqual([]);
    expect(historyClaims('The user has shown interest in strategy.')).not.toEqual([]);
  });
  it('stays quiet on reasons about the item alone', () => {
    expect(historyClaims('A first-person puzzle game with a philosophical story.')).toEqual([]);
    expect(historyClaims('You will enjoy its co-op puzzles.')).toEqual([]);
    expect(historyClaims('If you like jazz, Kind of Blue is a classic.')).toEqual([]);
    expect(historyClaims(templateReason(talos, newVisitor).text)).toEqual([]);
    expect(historyClaims('A reverb pedal from their classic range.')).toEqual([]);
  });
});

describe('titles and names', () => {
  const catalog = titleMatcher(['Portal 2', 'The Talos Principle', 'Counter-Strike: Global Offensive', 'Rust', 'Team Fortress 2']);
  it('finds titles of any catalog that are neither the item nor the history', () => {
    expect(foreignTitles('Like Counter-Strike: Global Offensive and Rust, it is fun.', talos, played, catalog).sort()).toEqual(['Counter-Strike: Global Offensive', 'Rust']);
    expect(foreignTitles('Because you played Portal 2, The Talos Principle is a puzzle.', talos, played, catalog)).toEqual([]);
    // A sentence that starts like a Title-Cased title is not that title.
    const another = titleMatcher(['Another Adventure', 'Rust']);
    expect(foreignTitles('Another adventure, indie and singleplayer game, like Rust.', talos, played, another)).toEqual(['Rust']);
    expect(foreignTitles('Try Another Adventure next.', talos, played, another)).toEqual(['Another Adventure']);
    // The engine's own fallback never names a foreign title.
    expect(foreignTitles(templateReason(talos, played).text, talos, played, catalog)).toEqual([]);
  });
  it('finds quoted spans that are no title', () => {
    expect(quotedSpans('try "The Passinball & Trid-Life" or “Rust” or \'Portal 2\' (don\'t)')).toEqual(['The Passinball & Trid-Life', 'Rust', 'Portal 2']);
    const known = new Set(['rust'].map(termKey));
    expect(unlistedQuotes('You should try "The Passinball & Trid-Life" and "Rust".', talos, played, known)).toEqual(['The Passinball & Trid-Life']);
    expect(unlistedQuotes('Because you played "Portal 2", try "The Talos Principle".', talos, played, known)).toEqual([]);
    // A title that ends in its own punctuation, quoted whole.
    const sushi = { id: 's', title: 'Sushi Go!', attributes: { category: ['Card Games'] } };
    expect(unlistedQuotes('You should try "Sushi Go!" because it is a card game.', sushi, played, known)).toEqual([]);
    expect(unlistedQuotes('It is a card game, similar to "Sushi Go!".', talos, { ...played, history: [sushi] }, known)).toEqual([]);
  });
  it('finds capitalized multi-word names the page does not have, but not page titles at a sentence start', () => {
    expect(unsupportedNames('You should play Beatp Moon because it aligns with your record.', talos, played)).toEqual(['Beatp Moon']);
    expect(unsupportedNames('Counter-Strike: Global Global Offensive is great.', talos, played)).toEqual(['Global Global Offensive']);
    expect(unsupportedNames('The Talos Principle is a puzzle like Portal 2.', talos, played)).toEqual([]);
    expect(unsupportedNames(templateReason(talos, played).text, talos, played)).toEqual([]);
    const big: Item = { id: 'b', title: 'Ready to Die', attributes: { artist: ['The Notorious B.I.G.'] } };
    expect(unsupportedNames('A hip hop album by The Notorious B.I.G.', big, { domain: 'music' })).toEqual([]);
  });
});

describe('recommended names', () => {
  const factorio: Item = { id: 'f', title: 'Factorio' };
  it('finds a reason that tells the visitor to play something other than the item', () => {
    expect(misnamedItems('Dear customer, you should play the game Rust because it aligns with your record.', factorio)).toEqual(['Rust']);
    expect(misnamedItems('You should play Mount & Digitalist because it is fun.', factorio)).toEqual(['Mount & Digitalist']);
    expect(misnamedItems('You should watch "Rumbel" because it is music.', factorio)).toEqual(['Rumbel']);
  });
  it('accepts the item, by its full title or a part of it', () => {
    expect(misnamedItems('You should play Factorio because it is a factory game.', factorio)).toEqual([]);
    const cs: Item = { id: 'c', title: 'Counter-Strike: Global Offensive' };
    expect(misnamedItems('You should play Counter-Strike because it is tactical.', cs)).toEqual([]);
    expect(misnamedItems('You will enjoy its co-op puzzles.', cs)).toEqual([]);
  });
});

describe('words', () => {
  const lexicon = lexiconOf(['you should play this game because it is a puzzle with a great story']);
  it('flags words in no dictionary and runs of one letter, not page words or compounds', () => {
    expect(nonWords('You should play The andSC-Strike because it is a NecroDDDDDD puzzle.', lexicon, [talos.title])).toEqual(['andsc-strike', 'necrodddddd']);
    expect(nonWords('The Talos Principle is a great-story puzzle.', lexicon, [talos.title])).toEqual([]);
  });
  it("flags another store's words unless the page uses them", () => {
    expect(offDomainWords('The user would enjoy the business for its delicious food.', 'product')).toEqual(['business', 'delicious', 'food']);
    expect(offDomainWords('Based on your news viewing history, a great game.', 'music')).toEqual(['news', 'game']);
    expect(offDomainWords('A great album for your collection.', 'music')).toEqual([]);
    expect(offDomainWords('A game about the book of secrets.', 'game', ['The Book of Unwritten Tales'])).toEqual([]);
    expect(offDomainWords('An electric guitar with two humbuckers.', 'product')).toEqual([]);
  });
});

describe('plans and skeletons', () => {
  it('counts planned facts the text leaves out (a planned history title may stay unnamed)', () => {
    const plan = { history: [{ title: 'Portal 2' }], facts: [{ value: 'Puzzle' }, { value: 'First-Person' }] };
    expect(omittedPlanned('Because you played Portal 2, this is another puzzle.', plan, talos, played)).toEqual(['First-Person']);
    expect(omittedPlanned('Portal 2 fans: more first-person puzzles.', plan, talos, played)).toEqual([]);
    expect(omittedPlanned('Based on your history: more first-person puzzles.', plan, talos, played)).toEqual([]);
    expect(planOf({ text: 'x' })).toBeUndefined();
    expect(planOf({ plan })).toBe(plan);
  });
  it('gives two reasons with the same wording around different names one skeleton', () => {
    const slots = (item: Item, history: string[]) => [
      { placeholder: 'ITEMSLOT', phrases: titlePhrases([item.title]) },
      { placeholder: 'HISTSLOT', phrases: titlePhrases(history) },
      { placeholder: 'FACTSLOT', phrases: ['Puzzle', 'Survival'] },
    ];
    const a = skeleton('Because you played Portal 2, The Talos Principle is another Puzzle game.', slots(talos, ['Portal 2']));
    const b = skeleton('Because you played DayZ, Rust is another survival game.', slots({ id: 'r', title: 'Rust' }, ['DayZ']));
    expect(a).toBe('because you played histslot itemslot is another factslot game');
    expect(b).toBe(a);
    expect(distinctShare([a, b, 'other'])).toBeCloseTo(2 / 3);
    expect(distinctShare([])).toBeNull();
  });
});

describe('findings and tally', () => {
  const known = ['Portal 2', 'The Talos Principle', 'Rust', 'DARK SOULS™ III'];
  const resources: AuditResources = {
    allTitles: titleMatcher(known),
    allTitleKeys: new Set(known.map(termKey)),
    lexicon: lexiconOf(['based on your history you enjoy action games like and should try this it is a puzzle game with first person']),
  };
  const page = { item: talos, context: newVisitor, domain: 'game', pageTitles: titleMatcher(['The Talos Principle', 'Portal 2']) };
  const bad = findingsOf('Based on your history, you enjoy action games like "DARK SOULS III" and Portal 2, try "The Passinball", a NecroDDDD…', page, resources);
  const good = findingsOf('The Talos Principle is a first-person puzzle game.', page, resources);
  const fallback = findingsOf(templateReason(talos, newVisitor).text, page, resources);

  it('counts every kind of problem on one bad reason', () => {
    expect(bad.history_claims.length).toBeGreaterThan(0);
    expect(bad.foreign_titles).toEqual(['DARK SOULS™ III']);
    expect(bad.other_card_titles).toEqual(['Portal 2']);
    expect(bad.quoted_not_titles).toEqual(['The Passinball']);
    // 'dark', 'souls', 'iii' are not in this tiny test lexicon either (the audit's is the training references').
    expect(bad.non_words).toEqual(expect.arrayContaining(['passinball', 'necrodddd']));
    expect(bad.non_words).not.toContain('history');
    expect(bad.cut).toBe(true);
    expect(bad.planned_omitted).toBeNull();
  });
  it('finds nothing in an honest reason, nor in the engine fallback (words aside: this test lexicon is tiny)', () => {
    for (const f of [good, fallback]) {
      for (const key of ['history_claims', 'foreign_titles', 'other_card_titles', 'quoted_not_titles', 'unsupported_names', 'off_domain_words'] as const) expect(f[key], key).toEqual([]);
      expect(f.cut).toBe(false);
    }
    expect(good.non_words).toEqual([]);
  });
  it('tallies shown reasons by source and checks the targets', () => {
    const row = (text: string, findings: typeof bad, source: 'model' | 'fallback', namesHistory = false): AuditedReason => ({ scenario: 's', itemId: 'i', title: 't', text, source, namesHistory, findings });
    const t = tally([row('a', bad, 'model'), row('b', good, 'fallback', true), row('c', good, 'model')]);
    expect(t.reasons).toBe(3);
    expect(t.names_history).toBeCloseTo(1 / 3);
    expect(t.model_share).toBeCloseTo(2 / 3);
    expect(t.counts.history_claims).toMatchObject({ reasons: 1, model: 1, fallback: 0 });
    expect(t.counts.cut!.reasons).toBe(1);
    expect(t.usr).toBe(1);
    expect(targetFailures(t, false)).toEqual(expect.arrayContaining(['model share 67% < 80%', 'history_claims: 1']));
    expect(targetFailures(tally([row('c', good, 'model')]), true)).toEqual([]);
    expect(tally([row('x', { ...good, non_words: null }, 'model')]).counts.non_words).toBeNull();
  });
});

describe('catalogs and pages', () => {
  it('reads the test catalogs through the schema.org mapping', () => {
    const catalogs = testCatalogs(root);
    const byName = Object.fromEntries(catalogs.map((c) => [c.name, c]));
    expect(byName['musical-instruments']!.domain).toBe('product');
    expect(byName['musical-instruments']!.items.length).toBeGreaterThanOrEqual(30);
    expect(byName['musical-instruments']!.items[0]!.attributes).toMatchObject({ category: ['Guitars', 'Electric Guitars'], brand: ['Fender'] });
    expect(byName['music-albums']!.domain).toBe('music');
    expect(byName['music-albums']!.items.find((i) => i.title === 'Kind of Blue')!.attributes).toMatchObject({ genres: ['Jazz', 'Modal Jazz'], artist: ['Miles Davis'] });
    // The two trained kinds, as a shop's Movie / Book markup reaches the engine.
    expect(byName['movies']!.domain).toBe('movie');
    expect(byName['movies']!.items.find((i) => i.title === 'Casablanca')!.attributes).toMatchObject({ genres: ['Romance', 'Drama', 'War'], director: ['Michael Curtiz'] });
    expect(byName['books']!.domain).toBe('book');
    expect(byName['books']!.items.find((i) => i.title === 'Dune')!.attributes).toMatchObject({ genres: ['Science Fiction'], author: ['Frank Herbert'] });
    expect(() => schemaOrgCatalog('x', { '@type': 'ItemList', itemListElement: [] }, '')).toThrow(/no schema.org item/);
  });
  it('builds seeded pages whose items are never in their own history', () => {
    const demo = demoCatalog(root);
    const s = buildScenario(demo, 5, 12, 0);
    expect(s.items).toHaveLength(12);
    expect(s.context.history).toHaveLength(5);
    const history = new Set(s.context.history!.map((h) => h.title));
    expect(s.items.some((i) => history.has(i.title))).toBe(false);
    expect(buildScenario(demo, 5, 12, 0)).toEqual(s);
    expect(buildScenario(demo, 5, 12, 1).items).not.toEqual(s.items);
    expect(shuffled([1, 2, 3, 4], 3).sort()).toEqual([1, 2, 3, 4]);
  });
  it('collects titles from every source it has and says which are missing', () => {
    const { titles, counts } = allTitles(root, [demoCatalog(root)], { shared: '/no/such/dir' });
    expect(titles).toContain('Team Fortress 2');
    expect(counts['llmxrec-rec-reasons/catalog']).toBe('missing');
    expect(counts['catalog:steam-demo']).toBe(60);
  });
});

describe('data preparation for a fresh clone', () => {
  it('runs the training preparation for the default folder only, else names the command', () => {
    const calls: string[][] = [];
    const run = (cmd: string, args: string[]) => (calls.push([cmd, ...args]), 1);
    expect(() => ensurePreparedData('no/such/dir', { root, run })).toThrow(/python3 -m training\.data --data \.\.\/shared\/data --out training\/out\/data/);
    expect(calls).toEqual([]);
    const fresh = `${root}.audit-test-root/`;
    if (existsSync(`${root}../shared/data/llmxrec-rec-reasons`)) {
      expect(() => ensurePreparedData('training/out/data', { root: fresh, shared: `${root}../shared/data`, run })).toThrow(/Data preparation failed/);
      expect(calls[0]!.slice(0, 3)).toEqual(['/usr/bin/python3', '-m', 'training.data']);
    }
    expect(() => ensurePreparedData('training/out/data', { root: fresh, shared: '/no/such/shared', run })).toThrow(/is not there to prepare it from/);
  });
});

describe('eval: open-vocabulary factual precision and skeletons', () => {
  const pair = (id: string, title: string, reason: string, history: string[] = []): EvalPair => ({
    id,
    domain: 'game',
    source: 'x',
    item: { id, title, attributes: { tags: ['Puzzle', 'Co-op'] } },
    context: { domain: 'game', history: history.map((t) => ({ title: t, attributes: { tags: ['Puzzle'] } })) },
    reason,
  });
  const data = [pair('a', 'Portal 2', 'r', ['The Talos Principle']), pair('b', 'Rust', 'r')];
  const checker = createFactChecker(buildVocabularies(data), []);
  const keys = new Map([['game', new Set(['portal 2', 'the talos principle', 'rust'])]]);
  const open = createOpenChecker(checker, null, lexiconOf(['because you played this is another puzzle game with co op']), keys);

  it('counts invented quoted or capitalized names as unsupported claims, as the closed check counts catalog titles', () => {
    const p = data[0]!;
    const text = 'Because you played The Talos Principle, try "Mirierrori" and Rust with Sal Carnage.';
    const closed = checker.check(text, p);
    const r = open.check(text, p, closed);
    expect(closed.ungroundedTerms).toEqual(['Rust']);
    expect(r.grounded).toBe(closed.grounded);
    expect(r.ungrounded).toBe(3); // Rust, "Mirierrori", Sal Carnage
    const clean = 'Because you played The Talos Principle, Portal 2 is another co-op puzzle game.';
    const ok = open.check(clean, p, checker.check(clean, p));
    expect(ok).toMatchObject({ ungrounded: 0, problems: [] });
    const scores = openScores([
      { open: r, skeleton: 'a' },
      { open: ok, skeleton: 'a' },
    ]);
    expect(scores.open_check_pass).toBe(0.5);
    expect(scores.distinct_skeletons).toBe(0.5);
    expect(scores.open_factual_precision).toBeCloseTo((r.grounded + ok.grounded) / (r.grounded + ok.grounded + 3));
  });
  it('flags history claims for a visitor without history', () => {
    const p = data[1]!;
    const text = 'Based on your history, Rust is a co-op puzzle game.';
    expect(open.check(text, p, checker.check(text, p)).problems.some((x) => x.startsWith('history-claim'))).toBe(true);
  });
  it('gives the same wording around different names one skeleton', () => {
    const [a, b] = data as [EvalPair, EvalPair];
    const sa = pairSkeleton('Portal 2 is a Puzzle game.', a, checker.check('Portal 2 is a Puzzle game.', a));
    const sb = pairSkeleton('Rust is a co-op game.', b, checker.check('Rust is a co-op game.', b));
    expect(sa).toBe(sb);
  });
});
