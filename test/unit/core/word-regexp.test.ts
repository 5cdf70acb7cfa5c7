import { describe, expect, it } from 'vitest';
import { asciiWordText, cheapSource, mayOccur, regExpFor } from '../../../src/core/word-regexp.ts';
import { phrasePattern } from '../../../src/core/term-index.ts';

// What a reason may hold besides ASCII without being a letter, digit or mark.
const NON_WORD = ['\u2019', '\u2018', '\u201C', '\u201D', '\u2013', '\u2014', '\u2026', '\u2122', '\u00AE', '\u00A9', '\u00B0', '\u2022', '\u00B7', '\u00AB', '\u00BB', '\u00A0', '\u2009', '\u3000', '\u24B6', '\u24D0'];
const ASCII = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

describe('cheapSource', () => {
  it('matches what the Unicode class matches on every ASCII and non-word character, class by class', () => {
    for (const prop of ['L', 'N', 'Lu', 'Ll', 'M']) {
      for (const flags of ['u', 'iu']) {
        for (const source of [`[\\p{${prop}}]`, `[^\\p{${prop}}]`, `\\p{${prop}}`, `[x\\p{${prop}}'-]`]) {
          const full = new RegExp(`^${source}$`, flags);
          const cheap = new RegExp(`^${cheapSource(source)}$`, flags);
          for (const ch of [...ASCII, ...NON_WORD]) expect([source, flags, ch, cheap.test(ch)]).toEqual([source, flags, ch, full.test(ch)]);
        }
      }
    }
  });

  it('rewrites only property escapes, not an escaped backslash before "p{L}"', () => {
    expect(cheapSource(String.raw`(?<![\p{L}\p{N}])a\p{Lu}`)).toBe('(?<![A-Za-z0-9])a[A-Z]');
    expect(cheapSource(String.raw`\\p{L}[\]\p{L}]`)).toBe(String.raw`\\p{L}[\]A-Za-z]`);
    expect(cheapSource(String.raw`\p{Script=Latin}`)).toBe(String.raw`\p{Script=Latin}`);
  });
});

describe('asciiWordText', () => {
  it('is true when every non-ASCII character is no letter, digit or mark', () => {
    expect(asciiWordText('It\u2019s \u201CRust\u201D \u2014 Rainbow Six\u00AE Siege\u2122')).toBe(true);
    for (const text of ['Pok\u00E9mon', 'e\u0301', 'Final Fantasy \u216B', '\u0663 stars', '\u017Fome', 'Caf\u00E9']) expect(asciiWordText(text)).toBe(false);
  });
});

describe('regExpFor', () => {
  // The boundary rules of the check, around titles and facts as the rules build them.
  const patterns = [
    String.raw`(?<![\p{L}\p{N}])mon(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])(?:a|an|the)\s+Rust(?=\s*(?:[.,;:!?]|$))`,
    String.raw`(?<![\p{L}\p{N}])with\s+(?:an?\s+)?[\p{L}\p{N}&'’-]+\s+elements(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}])([\p{L}]{3,})\s+(?:and|or|&)\s+\1(?![\p{L}\p{N}])`,
    String.raw`Portal 2["'”’]?\s*(?:,\s*)?(?:and|or|&)\s+[\p{L}\p{N}][\p{L}\p{N}'’-]*`,
  ];
  const texts = [
    'It\u2019s an action game with adventure elements, much like \u201CRust\u201D.',
    'Because you played Portal 2 and Half-Life 2, you may like the Rust.',
    'Pok\u00E9mon fans: mon is not a word here, nor in Pok\u00E9mon.',
    'A fun and fun game with co-op elements \u2014 like Portal 2, and more.',
    'K\u00F6ln mon, \u017Fome fun and \u017Fome, like the Rust!',
    'Sa\u0301mon mon',
  ];

  it('finds what new RegExp finds, on ASCII texts and on texts with non-ASCII letters', () => {
    for (const source of patterns) {
      for (const flags of ['u', 'iu', 'giu']) {
        for (const text of texts) {
          const all = (re: RegExp) => (re.global ? [...text.matchAll(re)].map((m) => [m.index, m[0]]) : [re.exec(text)?.index, re.exec(text)?.[0]]);
          expect([source, flags, text, all(regExpFor(text, source, flags))]).toEqual([source, flags, text, all(new RegExp(source, flags))]);
        }
      }
    }
  });

  it('keeps the Unicode class where the text has a non-ASCII letter (the cheap one would see a word boundary in "Pokémon")', () => {
    const source = String.raw`(?<![\p{L}\p{N}])mon`;
    expect(new RegExp(cheapSource(source), 'iu').test('Pok\u00E9mon')).toBe(true);
    expect(regExpFor('Pok\u00E9mon', source, 'iu').test('Pok\u00E9mon')).toBe(false);
  });

  it('gives a fresh regex each call, so a global one starts at 0', () => {
    const a = regExpFor('x', 'x', 'g');
    a.exec('x');
    expect(regExpFor('x', 'x', 'g').lastIndex).toBe(0);
  });
});

describe('mayOccur', () => {
  const texts = [
    'Because you played TEAM  Fortress\u00A02, it\u2019s a co-op game.',
    'It\u2019s an action game, much like \u201CRust\u201D\u2122.',
    'Pok\u00E9mon Red and \u017Fome fun',
    'A \u24B6 and \u24D0 puzzle',
  ];
  const phrases = ['Team Fortress 2', 'team fortress', 'Rust', 'rust\u201D\u2122', 'co-op game', 'Portal 2', 'some fun', 'Pok\u00E9mon', '\u24D0', 'a puzzle', 'fortress  2'];

  it('is false only where the phrase regex (any case) finds nothing', () => {
    for (const text of texts) {
      for (const phrase of phrases) {
        const found = new RegExp(phrasePattern(phrase), 'iu').test(text);
        if (found) expect([text, phrase, mayOccur(text, phrase)]).toEqual([text, phrase, true]);
        else if (asciiWordText(text) && asciiWordText(phrase)) expect([text, phrase, mayOccur(text, phrase)]).toEqual([text, phrase, false]);
      }
    }
  });

  it('answers true when a text or phrase holds non-ASCII letters (a folded test could miss "\u017F" = "s")', () => {
    expect(new RegExp(phrasePattern('some fun'), 'iu').test('\u017Fome fun')).toBe(true);
    expect(mayOccur('\u017Fome fun', 'some fun')).toBe(true);
    expect(mayOccur('nothing here', 'Portal 2')).toBe(false);
  });
});
