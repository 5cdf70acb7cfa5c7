import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildPrompt, sanitizeText, truncate } from '../../../src/core/prompt.ts';
import type { Item, UserContext } from '../../../src/types.ts';

const { vectors } = JSON.parse(readFileSync(new URL('../../fixtures/prompt-vectors.json', import.meta.url), 'utf8')) as {
  vectors: { name: string; item: Item; context: UserContext; prompt: string }[];
};

describe('prompt builder', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('matches the shared vector: %s', (_name, v) => {
    expect(buildPrompt(v.item, v.context)).toBe(v.prompt);
  });

  it('builds the documented shape', () => {
    const prompt = buildPrompt(
      { title: 'Rust', attributes: { tags: ['Action', 'Indie'] } },
      { domain: 'game', history: [{ title: 'Portal 2', attributes: { tags: ['Puzzle'] } }] },
    );
    expect(prompt).toBe('<|domain|>game<|history|>Portal 2 [Puzzle]<|item|>Rust [Action, Indie]<|reason|>');
  });

  it('never lets page text form a special token', () => {
    expect(sanitizeText('<<||>>|><|reason|>', 100)).not.toMatch(/<\||\|>/);
  });

  it('truncates by code points without splitting surrogate pairs', () => {
    expect(truncate('ab😀c', 3)).toBe('ab😀');
    expect(truncate('ab ', 3)).toBe('ab ');
    expect(truncate('abc d', 4)).toBe('abc');
  });
});
