// Regenerates test/fixtures/plan-vectors.json (inputs → content plan → prompt v2 → filled examples)
// from the TypeScript implementation. Run only when docs/plan-and-slots.md changes:
// `npx tsx scripts/make-plan-vectors.ts`. test/unit/core/plan.test.ts checks the file; training reads
// prompts prepared by scripts/prepare-v2.ts, so no second implementation has to match it.
import { writeFileSync } from 'node:fs';
import { contentPlan } from '../src/core/plan.ts';
import { buildPlanPrompt } from '../src/core/plan-prompt.ts';
import { fillSlots } from '../src/core/slots.ts';
import type { Item, UserContext } from '../src/types.ts';

interface Case {
  name: string;
  item: Pick<Item, 'title' | 'attributes'>;
  context: UserContext;
  /** Slot texts a model might write, filled with this plan. */
  slotTexts: string[];
}

const cases: Case[] = [
  {
    name: 'game, two entries share facts, most shared first',
    item: { title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op', 'First-Person', 'Sci-fi'] } },
    context: {
      domain: 'game',
      history: [
        { title: 'The Talos Principle', attributes: { tags: ['Puzzle', 'First-Person', 'Philosophical'] } },
        { title: 'Borderlands 2', attributes: { tags: ['Co-op', 'FPS'] } },
      ],
    },
    slotTexts: [
      'Because you <|@did|> <|@h1|>, <|@item|> is another <|@f1|> <|@noun|> with <|@f2|> <|@nouns|> in mind.',
      'Like <|@h1|> and <|@h2|>, it is a <|@f1|><|@f2|><|@f3|> <|@noun|>.',
    ],
  },
  {
    name: 'recency breaks a tie; the item itself in the history is skipped',
    item: { title: 'Half-Life 2', attributes: { genres: ['Action'], tags: ['FPS', 'Sci-fi'] } },
    context: {
      domain: 'game',
      history: [
        { title: 'Half-Life', attributes: { tags: ['FPS'] } },
        { title: 'half-life 2', attributes: { tags: ['FPS', 'Sci-fi', 'Action'] } },
        { title: 'DOOM', attributes: { tags: ['Action'] } },
      ],
    },
    slotTexts: ['<|@item|> is an <|@f1|> <|@noun|>, just like <|@h1|>.'],
  },
  {
    name: 'history without shared facts → mode new',
    item: { title: 'Stardew Valley', attributes: { tags: ['Farming Sim', 'Pixel Graphics', 'Relaxing', 'Indie'] } },
    context: { domain: 'game', history: [{ title: 'DOOM', attributes: { tags: ['FPS', 'Gore'] } }] },
    slotTexts: ['A <|@f1|> <|@noun|> with <|@f2|>, and <|@f3|> too.'],
  },
  {
    name: 'no history, schema.org product with category path and brand',
    item: { title: 'TS9 Tube Screamer', attributes: { category: ['Musical Instruments', 'Effects', 'Guitar Pedals'], brand: 'Ibanez', color: 'Green' } },
    context: { domain: 'guitar' },
    slotTexts: ['<|@item|> is a <|@f1|> from <|@f3|>, filed under <|@f2|>.', 'a <|@f1|> you can take anywhere.'],
  },
  {
    name: 'category path whose ancestor the specific value already says: the ancestor is dropped',
    item: { title: 'Player Stratocaster HSS', attributes: { category: ['Musical Instruments', 'Guitars', 'Electric Guitars'], brand: 'Fender', color: 'Tidepool' } },
    context: { domain: 'guitar' },
    slotTexts: ['<|@item|> is an <|@f1|> <|@noun|> from <|@f2|>.', 'a <|@f1|> <|@noun|> you can take anywhere.'],
  },
  {
    name: 'movie, acronym-like and article agreement',
    item: { title: 'Contact', attributes: { genres: ['Drama', 'Sci-Fi'] } },
    context: { domain: 'movie', history: [{ title: 'Gattaca', attributes: { genres: ['Drama', 'Sci-Fi', 'Thriller'] } }] },
    slotTexts: ['Since you <|@did|> <|@h1|>, try <|@item|>: an <|@f1|> with a <|@f2|> twist.'],
  },
  {
    name: 'no facts at all, unknown domain default',
    item: { title: 'Mystery Box' },
    context: {},
    slotTexts: ['<|@item|> is a <|@noun|> worth a look.'],
  },
];

const vectors = cases.map((c) => {
  const plan = contentPlan(c.item, c.context);
  return {
    name: c.name,
    item: c.item,
    context: c.context,
    plan,
    prompt: buildPlanPrompt(plan),
    fills: c.slotTexts.map((slotText) => ({ slotText, ...fillSlots(slotText, plan) })),
  };
});

writeFileSync(new URL('../test/fixtures/plan-vectors.json', import.meta.url), JSON.stringify({ format: 2, vectors }, null, 2) + '\n');
console.log(`wrote ${vectors.length} plan vectors`);
