// The phrasing rules ask a necessary condition before they build a regex around the card's titles and
// facts (src/core/word-regexp.ts, "Prefilters"). A prefilter that is not necessary would hide a finding:
// over reasons the engine really checked, every rule must find the same with and without them.
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ContentPlan } from '../../../src/core/plan.ts';
import { phrasingProblems } from '../../../src/core/phrasing.ts';
import { mayOccurAround, PREFILTERS } from '../../../src/core/word-regexp.ts';

const { rows } = JSON.parse(readFileSync(new URL('../../fixtures/phrasing-inputs.json', import.meta.url), 'utf8')) as { rows: { text: string; plan: ContentPlan }[] };

afterEach(() => {
  PREFILTERS.on = true;
});

describe('phrasing prefilters', () => {
  it('change no finding on reasons the engine checked', () => {
    const fast = rows.map((r) => phrasingProblems(r.text, r.plan));
    PREFILTERS.on = false;
    const full = rows.map((r) => phrasingProblems(r.text, r.plan));
    expect(fast).toEqual(full);
    // Not vacuous: most kinds are found, and most rows are clean.
    expect(new Set(full.flat().map((p) => p.kind)).size).toBeGreaterThanOrEqual(15);
    expect(full.filter((f) => f.length === 0).length).toBeGreaterThanOrEqual(100);
  });

  it('mayOccurAround finds a phrase across case, spaces and quotes, and says no only when nothing fits', () => {
    const list = /^["'”’]?\s*(?:,\s*)?(?:and|or|&)\s+/u;
    expect(mayOccurAround('Like PORTAL   2”,  and Rust.', 'Portal 2', { after: list })).toBe(true);
    expect(mayOccurAround('Like Portal 2 or Rust.', 'portal 2', { after: list })).toBe(true);
    expect(mayOccurAround('Portal 2 is fun, and Rust too.', 'Portal 2', { after: list })).toBe(false);
    expect(mayOccurAround('It is, like "Rust"', 'Rust', { before: /,\s+["'“‘]?$/u })).toBe(false);
    expect(mayOccurAround('Yes, "Rust" is', 'Rust', { before: /,\s+["'“‘]?$/u })).toBe(true);
    // A second occurrence counts too.
    expect(mayOccurAround('Rust is here, and Rust and more', 'rust', { after: list })).toBe(true);
    // Where folding cannot tell (non-ASCII letters), it never says no.
    expect(mayOccurAround('Pokémon is great', 'Pokémon', { after: list })).toBe(true);
  });
});
