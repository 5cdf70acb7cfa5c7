import { describe, expect, it } from 'vitest';
import { pickShown } from '../../../src/engine/pick.ts';
import { RecentWording } from '../../../src/engine/recent-wording.ts';
import type { CitedFact } from '../../../src/types.ts';

const item: CitedFact = { value: 'Portal 2', from: 'item', kind: 'title' };
const history: CitedFact = { value: 'Portal', from: 'history', kind: 'title' };
const tag: CitedFact = { value: 'Puzzle', from: 'item', kind: 'tags' };
const c = (name: string, ...facts: CitedFact[]) => ({ name, facts });

describe('pickShown', () => {
  it('shows the most probable candidate when there is no history', () => {
    expect(pickShown([c('a', item), c('b', history)], false)?.name).toBe('a');
  });

  it('with a history, shows the first candidate that names a history title', () => {
    expect(pickShown([c('a', item, tag), c('b', tag), c('c', history), c('d', history)], true)?.name).toBe('c');
  });

  it('with no candidate naming the history, shows the first that names the item, else the most probable', () => {
    expect(pickShown([c('a', tag), c('b', item)], true)?.name).toBe('b');
    expect(pickShown([c('a', tag), c('b', item)], false)?.name).toBe('b');
    expect(pickShown([c('a', tag), c('b', tag)], true)?.name).toBe('a');
    expect(pickShown([], true)).toBeUndefined();
  });

  it('reads no further than it must (the engine checks candidates as they are read)', () => {
    const read: string[] = [];
    function* lazily(list: ReturnType<typeof c>[]) {
      for (const x of list) {
        read.push(x.name);
        yield x;
      }
    }
    expect(pickShown(lazily([c('a', tag), c('b', history), c('c', history)]), true)?.name).toBe('b');
    expect(read).toEqual(['a', 'b']);
    // No history: a fresh wording that names the item is the best there is.
    read.length = 0;
    expect(pickShown(lazily([c('a', tag), c('b', item), c('c', item)]), false)?.name).toBe('b');
    expect(read).toEqual(['a', 'b']);
  });

  it('prefers a wording the page does not show yet, after naming the history', () => {
    const shown = new Set(['a', 'c']);
    const repeated = (x: { name: string }) => shown.has(x.name);
    expect(pickShown([c('a', tag), c('b', tag)], false, repeated)?.name).toBe('b');
    expect(pickShown([c('a', tag), c('c', tag)], false, repeated)?.name).toBe('a');
    // History first: a repeated history reason beats a fresh one that does not name it...
    expect(pickShown([c('b', tag), c('c', history)], true, repeated)?.name).toBe('c');
    // A fresh wording beats a repeated one that names the item...
    expect(pickShown([c('a', item), c('b', tag)], false, repeated)?.name).toBe('b');
    // ...and a fresh history reason beats both.
    expect(pickShown([c('b', tag), c('c', history), c('d', history)], true, repeated)?.name).toBe('d');
  });
});

describe('RecentWording', () => {
  it('remembers the last `size` wordings, forgetting the oldest first (repeats counted)', () => {
    const recent = new RecentWording(3);
    for (const w of ['x', 'y', 'x']) recent.add(w);
    expect([recent.has('x'), recent.has('y'), recent.has('z')]).toEqual([true, true, false]);
    recent.add('z'); // drops the first 'x'; the second is still there
    expect([recent.has('x'), recent.has('y'), recent.has('z')]).toEqual([true, true, true]);
    recent.add('w'); // drops 'y'
    expect(recent.has('y')).toBe(false);
    recent.add('v'); // drops the second 'x'
    expect(recent.has('x')).toBe(false);
  });
});
