// The engine's own open-vocabulary check (src/core/check.ts, with the model folder's lexicon.json),
// loaded when this tree and model have them. The audit uses its dictionary for non-words (the words
// a reason may use are the engine's to define) and reports the check's verdicts on shown reasons as a
// cross-check; its other counters stay independent of the check they audit. Loaded dynamically so
// that the audit and the eval also run on an engine without it (v1), falling back to their own rules.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FactMatcher, Vocabulary } from '../../src/core/facts.ts';
import type { Item, UserContext } from '../../src/types.ts';
import type { PlannedCitations } from './plan-omission.ts';

export interface CheckProblem {
  kind: string;
  text?: string;
}

export interface EngineCheckInput {
  item: Item;
  context?: UserContext | null;
  plan?: PlannedCitations | null;
  vocabulary?: FactMatcher | Vocabulary;
  pageTitles?: readonly string[];
  domain?: string;
}

export interface EngineCheck {
  /** Where it came from, for the report. */
  source: string;
  hasLexicon: boolean;
  check(text: string, input: EngineCheckInput): { ok: boolean; problems: CheckProblem[] };
}

/** The problem kinds that are word problems (the audit's non-words). */
export const WORD_PROBLEMS: ReadonlySet<string> = new Set(['non-word', 'broken-word', 'repeated-chars']);
/** The problem kinds that name something the page does not support (open-vocabulary factual precision). */
export const NAME_PROBLEMS: ReadonlySet<string> = new Set(['ungrounded', 'quoted', 'unknown-name', 'page-title']);

type CheckFn = (text: string, input: Record<string, unknown>) => { ok: boolean; problems: CheckProblem[] };

/** src/core/check.ts' checkFilledReason with `modelDir`'s lexicon.json, or null when either is missing. */
export async function loadEngineCheck(modelDir: string | undefined): Promise<EngineCheck | null> {
  let checkFilledReason: CheckFn | undefined;
  let parseLexicon: ((v: unknown) => unknown) | undefined;
  try {
    const check = (await import(new URL('../../src/core/check.ts', import.meta.url).href)) as { checkFilledReason?: CheckFn };
    const dictionary = (await import(new URL('../../src/core/dictionary.ts', import.meta.url).href)) as { parseLexicon?: (v: unknown) => unknown };
    checkFilledReason = check.checkFilledReason;
    parseLexicon = dictionary.parseLexicon;
  } catch {
    return null;
  }
  if (typeof checkFilledReason !== 'function' || typeof parseLexicon !== 'function') return null;
  const file = modelDir ? join(modelDir, 'lexicon.json') : '';
  const lexicon = file && existsSync(file) ? parseLexicon(JSON.parse(readFileSync(file, 'utf8'))) : null;
  const fn = checkFilledReason;
  return {
    source: `src/core/check.ts checkFilledReason${lexicon ? ` + ${file}` : ' (no lexicon.json: no dictionary, no off-domain words)'}`,
    hasLexicon: lexicon !== null,
    check: (text, input) => fn(text, { ...input, lexicon }),
  };
}
