// The eval's data loading, sampling and retrieval baseline (scripts/eval/data.ts, retrieval.ts).
import { describe, expect, it } from 'vitest';
import { parsePair, samplePairs } from '../../../scripts/eval/data.ts';
import type { EvalPair } from '../../../scripts/eval/data.ts';
import { RetrievalIndex, substituteTitles, titleVariants } from '../../../scripts/eval/retrieval.ts';

function pair(id: string, domain: string, title: string, tags: string[], history: [string, string[]][], reason = 'r'): EvalPair {
  return {
    id,
    domain,
    source: `src-${domain}`,
    item: { id, title, attributes: { tags } },
    context: { domain, history: history.map(([t, f]) => ({ title: t, attributes: { tags: f } })) },
    reason,
  };
}

describe('parsePair', () => {
  const row = {
    id: 'a',
    domain: 'game',
    source: 'llmxrec-steam',
    user: { history: [{ title: 'Portal 2', attributes: { tags: ['Puzzle'] } }], profile: 'likes puzzles' },
    item: { title: 'Rust', attributes: { tags: ['Survival'] }, description: 'd' },
    reason: 'Because.',
    xrec_prediction: 'x',
  };
  it('maps the prepared schema onto the engine types', () => {
    const p = parsePair(JSON.stringify(row));
    expect(p.item).toEqual({ id: 'a', title: 'Rust', attributes: { tags: ['Survival'] }, description: 'd' });
    expect(p.context).toEqual({ domain: 'game', profile: 'likes puzzles', history: [{ title: 'Portal 2', attributes: { tags: ['Puzzle'] } }] });
    expect(p.xrecPrediction).toBe('x');
  });
  it('rejects rows outside the schema with file and line', () => {
    expect(() => parsePair('{', 'f.jsonl', 3)).toThrow('f.jsonl:3: not valid JSON');
    expect(() => parsePair(JSON.stringify({ ...row, reason: ' ' }), 'f', 1)).toThrow('"reason"');
    expect(() => parsePair(JSON.stringify({ ...row, user: { history: [{}] } }), 'f', 1)).toThrow('history[0].title');
    expect(() => parsePair(JSON.stringify({ ...row, item: { title: 'x', attributes: [] } }), 'f', 1)).toThrow('item.attributes');
  });
});

describe('samplePairs', () => {
  const pairs = Array.from({ length: 50 }, (_, i) => pair(`p${i}`, 'game', `T${i}`, [], []));
  it('is deterministic, keeps file order, and nests smaller samples in larger ones', () => {
    const ten = samplePairs(pairs, 10);
    expect(ten).toHaveLength(10);
    expect(samplePairs(pairs, 10)).toEqual(ten);
    expect(ten.map((p) => Number(p.id.slice(1)))).toEqual([...ten.map((p) => Number(p.id.slice(1)))].sort((a, b) => a - b));
    const twenty = new Set(samplePairs(pairs, 20).map((p) => p.id));
    for (const p of ten) expect(twenty.has(p.id)).toBe(true);
    expect(ten.map((p) => p.id)).not.toEqual(pairs.slice(0, 10).map((p) => p.id));
    expect(samplePairs(pairs, undefined)).toHaveLength(50);
  });
});

describe('retrieval baseline', () => {
  const train = [
    pair('t1', 'game', 'Team Fortress 2', ['Action', 'Shooter', 'Free to Play'], [['Counter-Strike', ['Action', 'Shooter']]], 'Play Team Fortress 2: like Counter-Strike it is a shooter.'),
    pair('t2', 'game', 'Stardew Valley', ['Farming Sim', 'RPG'], [['Harvest Moon', ['Farming Sim']]], 'Stardew Valley is a cozy farming RPG.'),
    pair('t3', 'movie', 'Heat', ['Action', 'Crime'], [], 'Heat is a crime film.'),
  ];
  const index = new RetrievalIndex(train);

  it('finds the training pair with the most similar facts, in the same domain', () => {
    const q = pair('q', 'game', 'Overwatch', ['Action', 'Shooter'], [['Quake', ['Shooter']]]);
    expect(index.nearest(q).pair.id).toBe('t1');
    const farm = pair('q2', 'game', 'Story of Seasons', ['Farming Sim'], [['Rune Factory', ['Farming Sim', 'RPG']]]);
    expect(index.nearest(farm).pair.id).toBe('t2');
    // 'Action' + 'Crime' point at the movie, but a game must get a game's reason.
    expect(index.nearest(pair('q3', 'game', 'GTA', ['Action', 'Crime'], [])).pair.domain).toBe('game');
  });

  it('substitutes the item title and mentioned history titles', () => {
    const q = pair('q', 'game', 'Overwatch', ['Action', 'Shooter'], [['Quake', ['Shooter']], ['Myst', ['Puzzle']]]);
    expect(index.reasonFor(q)).toBe('Play Overwatch: like Quake it is a shooter.');
  });

  it('maps a history title to the entry sharing most facts, and leaves it when none is left', () => {
    const neighbor = pair('n', 'game', 'A', [], [['Old One', ['RPG']], ['Old Two', ['Puzzle']]], 'A: Old Two and Old One.');
    const target = pair('t', 'game', 'B', [], [['New Puzzle', ['Puzzle']], ['New RPG', ['RPG']]]);
    expect(substituteTitles(neighbor, target)).toBe('B: New Puzzle and New RPG.');
    const lonely = pair('t', 'game', 'B', [], [['Only', ['RPG']]]);
    expect(substituteTitles(neighbor, lonely)).toBe('B: Only and Old One.');
  });

  it('handles MovieLens "Title, The" and short book titles, on word boundaries only', () => {
    expect(titleVariants('English Patient, The').map((v) => v.text)).toContain('The English Patient');
    const neighbor = pair('n', 'book', 'Crushing on Love (The Bradens, Book 4) (Volume 4)', [], [], 'Read "Crushing on Love" now.');
    const target = pair('t', 'book', 'Claimed by Love (The Ryders) (Volume 2)', [], []);
    expect(substituteTitles(neighbor, target)).toBe('Read "Claimed by Love" now.');
    const heat = pair('n', 'movie', 'Heat', [], [], 'Heat: a heated, preheated story.');
    expect(substituteTitles(heat, pair('t', 'movie', 'Ronin', [], []))).toBe('Ronin: a heated, preheated story.');
  });
});
