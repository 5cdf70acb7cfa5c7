import { describe, expect, it } from 'vitest';
import { pickShown } from '../../../src/engine/pick.ts';
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

  it('with a history and no candidate naming it, shows the most probable one', () => {
    expect(pickShown([c('a', tag), c('b', item)], true)?.name).toBe('a');
    expect(pickShown([], true)).toBeUndefined();
  });

  it('reads no further than it must (the engine checks candidates as they are read)', () => {
    const read: string[] = [];
    function* lazy() {
      for (const x of [c('a', tag), c('b', history), c('c', history)]) {
        read.push(x.name);
        yield x;
      }
    }
    expect(pickShown(lazy(), true)?.name).toBe('b');
    expect(read).toEqual(['a', 'b']);
  });
});
