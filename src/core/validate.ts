// Page input → safe, bounded copies. One bad item never fails the batch: it is reported in
// `rejected` (the engine answers it with a labelled fallback). Only a call-level problem (too many
// items, bad options) throws, always a typed BecauseError. Pure; no DOM. Cost is bounded whatever
// the page passes: every string is cut before it is read (prompt.ts cutInput) and a call reads at
// most VALIDATION_LIMITS.bytesPerCall of page text (docs/reliability.md).
import { InvalidInputError, InvalidItemError, InvalidOptionsError, TooManyItemsError } from '../errors.ts';
import type { AttributeValue, DType, ExplainOptions, ExplainerOptions, HistoryEntry, Item, UserContext } from '../types.ts';
import { isRecord, read } from './options.ts';
import { inputBound, LIMITS, sanitizeText, sanitizeTitle } from './prompt.ts';

/**
 * Bounds of one call. Beyond MAX_ITEMS_PER_CALL `validateItems` throws TooManyItemsError (split the
 * page into calls); everything else is cut to size silently, as documented on each constant.
 */
export const VALIDATION_LIMITS = {
  /** Items per explain()/rank() call; 1000 is accepted, 1001 throws TooManyItemsError. */
  itemsPerCall: 1000,
  /** Item ids longer than this are rejected (an id is returned verbatim, so it is never cut). */
  idLength: 1024,
  /** Attribute keys kept per item/history entry (first ones, in order); longer keys are cut. */
  attributeKeys: 32,
  attributeKeyLength: 64,
  /** Values kept per attribute array. */
  attributeValues: 32,
  /** Code points kept per string attribute value (the prompt uses at most 40 per fact). */
  attributeValueLength: 200,
  /** Code points of item.description kept (the prompt uses 160). */
  description: 1000,
  /** Most recent history entries kept (the prompt uses the last 8; ranking uses more). */
  historyEntries: 200,
  /** Code points of context.profile kept (= the prompt's limit). */
  profile: LIMITS.profile,
  /**
   * Bytes of page text one explain()/stream()/rank() call reads from its items, counted as UTF-16
   * (2 bytes per code unit, each string only up to the bound it is cut to) plus 16 bytes per string,
   * key or value read. A page of 1000 typical items reads about 2 MB. The item that crosses it and
   * every later item are rejected with TooManyItemsError (their reasons: `fallbackReason:
   * 'invalid-item'`); the earlier items are answered as usual.
   */
  bytesPerCall: 8 * 1024 * 1024,
  /** The same budget for the context: history entries past it are dropped (the newest are kept). */
  contextBytes: 2 * 1024 * 1024,
} as const;

/** Bytes of page text a validation may still read (see VALIDATION_LIMITS.bytesPerCall). */
class ReadBudget {
  private left: number;
  constructor(bytes: number) {
    this.left = bytes;
  }
  /** Charges one value read; a string costs its length up to `cut`, the code units it is cut to. */
  charge(value: unknown, cut = 0): void {
    this.left -= 16 + (typeof value === 'string' ? 2 * Math.min(value.length, cut) : 0);
  }
  chargeBytes(bytes: number): void {
    this.left -= bytes;
  }
  get spent(): boolean {
    return this.left < 0;
  }
}

/** No budget: validating one value on its own (tests, validateItem). */
const UNBOUNDED = (): ReadBudget => new ReadBudget(Number.POSITIVE_INFINITY);

export interface RejectedItem {
  /** Position in the input array. */
  index: number;
  /** The item's id as a string ('' when it had none usable). */
  id: string;
  /** What is wrong with the item; TooManyItemsError when the call's read budget was spent before it. */
  error: InvalidItemError | TooManyItemsError;
}

export interface DuplicateId {
  index: number;
  /** Position of the first item with this id. */
  firstIndex: number;
  id: string;
}

export interface ValidatedItems {
  /** Sanitized copies of the usable items, in input order, each with its input position. */
  valid: Item[];
  /** `indices[k]` is the input position of `valid[k]`. */
  indices: number[];
  rejected: RejectedItem[];
  /** Later items reusing an earlier id. They stay valid; see validateItems. */
  duplicates: DuplicateId[];
}

/** A primitive attribute value as kept in the copy: strings sanitized and cut, finite numbers and booleans as is. */
function cleanScalar(value: unknown, budget: ReadBudget): string | number | boolean | undefined {
  budget.charge(value, inputBound(VALIDATION_LIMITS.attributeValueLength));
  if (typeof value === 'string') return sanitizeText(value, VALIDATION_LIMITS.attributeValueLength) || undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

/**
 * A bounded copy of an attribute map: at most 32 keys (cut to 64 code points), string values
 * sanitized and cut to 200 code points, arrays to 32 scalar members; null, objects, functions,
 * nested arrays, NaN/Infinity dropped. Numbers and booleans are kept (ranking reads `rating`,
 * `popularity`) although the prompt skips them. Returns undefined when nothing is left.
 */
export function sanitizeAttributes(attributes: unknown, budget: ReadBudget = UNBOUNDED()): Record<string, AttributeValue> | undefined {
  if (!isRecord(attributes)) return undefined;
  const entries: [string, AttributeValue][] = [];
  let keys: string[];
  try {
    keys = Object.keys(attributes);
  } catch {
    return undefined; // a Proxy that throws
  }
  // Enumerating the keys already cost this much: keys past the 32 kept are charged more, since an
  // object of 100,000 keys costs tens of ms to enumerate and none of them is used.
  const extra = Math.max(0, keys.length - VALIDATION_LIMITS.attributeKeys);
  budget.chargeBytes(16 * (keys.length - extra) + 512 * extra);
  for (const rawKey of keys) {
    if (entries.length >= VALIDATION_LIMITS.attributeKeys || budget.spent) break;
    budget.charge(rawKey, inputBound(VALIDATION_LIMITS.attributeKeyLength));
    const key = sanitizeText(rawKey, VALIDATION_LIMITS.attributeKeyLength);
    if (!key) continue;
    let raw: unknown;
    try {
      raw = attributes[rawKey];
    } catch {
      continue; // a throwing getter
    }
    if (Array.isArray(raw)) {
      const values: (string | number | boolean)[] = [];
      for (const v of raw.slice(0, VALIDATION_LIMITS.attributeValues * 4)) {
        const clean = cleanScalar(v, budget);
        if (clean !== undefined) values.push(clean);
        if (values.length >= VALIDATION_LIMITS.attributeValues || budget.spent) break;
      }
      if (values.length > 0) entries.push([key, values]);
    } else {
      const clean = cleanScalar(raw, budget);
      if (clean !== undefined) entries.push([key, clean]);
    }
  }
  // fromEntries defines own properties, so a '__proto__' key stays data and never touches the prototype.
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** An id as a string: strings as is, finite numbers and bigints stringified ('42'); otherwise ''. */
export function normalizeId(id: unknown): string {
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id === 'bigint') return String(id);
  return '';
}

// Shown as nothing (or nothing on their own): format and control characters (zero-width space and
// joiners, word joiner, soft hyphen, BOM), separators, combining marks, Hangul fillers, braille blank.
const INVISIBLE_ONLY = /^[\p{Cf}\p{Cc}\p{Z}\p{M}\u115F\u1160\u3164\uFFA0\u2800]*$/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a sanitized title cannot be shown, or '' when it can. */
export function titleProblem(title: string): string {
  if (!title) return 'an empty title after removing whitespace and control characters';
  if (LONE_SURROGATE.test(title)) return 'a title with a lone surrogate (broken UTF-16, shown as �); pass well-formed text';
  if (INVISIBLE_ONLY.test(title)) return 'a title with no visible characters (only zero-width, format or combining characters)';
  return '';
}

/** One item → a sanitized copy, or the InvalidItemError saying what to fix. */
export function validateItem(value: unknown, index = 0, budget: ReadBudget = UNBOUNDED()): Item | InvalidItemError {
  const where = `items[${index}]`;
  if (!isRecord(value)) {
    return new InvalidItemError(`${where} is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not an item object; pass { id, title, attributes? }.`, { index });
  }
  const rawId = read(value, 'id');
  const id = normalizeId(rawId);
  if (id === '') {
    return new InvalidItemError(`${where} has no usable id (${rawId === undefined ? 'missing' : `got ${typeof rawId}`}); give every item a non-empty string id.`, { index });
  }
  if (id.length > VALIDATION_LIMITS.idLength) {
    return new InvalidItemError(`${where}.id is ${id.length} characters long; ids may have at most ${VALIDATION_LIMITS.idLength}.`, { index, itemId: id.slice(0, 64) });
  }
  const rawTitle = read(value, 'title');
  budget.charge(rawTitle, inputBound(LIMITS.title));
  budget.charge(rawId, VALIDATION_LIMITS.idLength);
  if (typeof rawTitle !== 'string') {
    return new InvalidItemError(`${where} (id '${id.slice(0, 64)}') has ${rawTitle === undefined ? 'no title' : `a ${typeof rawTitle} title`}; title must be a non-empty string.`, { index, itemId: id });
  }
  const title = sanitizeTitle(rawTitle);
  const problem = titleProblem(title);
  if (problem) return new InvalidItemError(`${where} (id '${id.slice(0, 64)}') has ${problem}; give it a visible title.`, { index, itemId: id });
  const item: Item = { id, title };
  const attributes = sanitizeAttributes(read(value, 'attributes'), budget);
  if (attributes) item.attributes = attributes;
  const rawDescription = read(value, 'description');
  budget.charge(rawDescription, inputBound(VALIDATION_LIMITS.description));
  const description = sanitizeText(rawDescription, VALIDATION_LIMITS.description);
  if (description) item.description = description;
  return item;
}

/**
 * Validates a call's items. Each item becomes a sanitized copy `{ id, title, attributes?,
 * description? }` (other fields dropped) or a `rejected` entry with an InvalidItemError:
 * not an object; id missing, empty, not a string/finite number/bigint, or over 1024 characters
 * (numbers are stringified: 42 → '42'); title missing, not a string, or empty after sanitizing.
 * Attributes and descriptions never reject: they are bounded and cleaned (sanitizeAttributes).
 * Emoji, RTL and CJK text are kept; bidi overrides and control characters are removed.
 *
 * Titles with only invisible characters or with a lone surrogate are rejected too (titleProblem).
 * Each call reads at most VALIDATION_LIMITS.bytesPerCall of page text: the item that crosses the
 * budget and all later ones are rejected with TooManyItemsError.
 *
 * Duplicate ids: allowed. Every position gets its own reason (explain answers in input order);
 * identical items cost one generation since the engine dedupes by prompt. They are listed in
 * `duplicates` so a caller can warn.
 *
 * Throws InvalidInputError when `items` is not an array, TooManyItemsError above 1000 items.
 */
export function validateItems(items: unknown): ValidatedItems {
  if (!Array.isArray(items)) {
    throw new InvalidInputError(`items must be an array of { id, title, attributes? } objects, got ${items === null ? 'null' : typeof items}.`);
  }
  if (items.length > VALIDATION_LIMITS.itemsPerCall) {
    throw new TooManyItemsError(
      `${items.length} items in one call; at most ${VALIDATION_LIMITS.itemsPerCall} are accepted. Explain the visible page (or pages of up to ${VALIDATION_LIMITS.itemsPerCall}) per call.`,
      { details: { count: items.length, max: VALIDATION_LIMITS.itemsPerCall } },
    );
  }
  const out: ValidatedItems = { valid: [], indices: [], rejected: [], duplicates: [] };
  const firstIndex = new Map<string, number>();
  const budget = new ReadBudget(VALIDATION_LIMITS.bytesPerCall);
  let overBudget: TooManyItemsError | null = null;
  for (let index = 0; index < items.length; index++) {
    budget.charge(undefined);
    const result = overBudget ?? validateItem(items[index], index, budget);
    if (budget.spent && !overBudget) {
      overBudget = new TooManyItemsError(
        `items[${index}] and the ${items.length - index - 1} items after it were not explained: this call passed its budget of ${VALIDATION_LIMITS.bytesPerCall / 1024 / 1024} MB of page text. Pass fewer items per call, or shorter attributes and descriptions.`,
        { details: { index, budgetBytes: VALIDATION_LIMITS.bytesPerCall } },
      );
    }
    if (overBudget || result instanceof InvalidItemError || result instanceof TooManyItemsError) {
      const raw: unknown = isRecord(items[index]) ? read(items[index] as Record<string, unknown>, 'id') : undefined;
      out.rejected.push({ index, id: normalizeId(raw).slice(0, VALIDATION_LIMITS.idLength), error: overBudget ?? (result as InvalidItemError) });
      continue;
    }
    const first = firstIndex.get(result.id);
    if (first === undefined) firstIndex.set(result.id, index);
    else out.duplicates.push({ index, firstIndex: first, id: result.id });
    out.valid.push(result);
    out.indices.push(index);
  }
  return out;
}

function validateHistoryEntry(value: unknown, budget: ReadBudget): HistoryEntry | undefined {
  budget.charge(undefined);
  if (!isRecord(value)) return undefined;
  const rawTitle = read(value, 'title');
  budget.charge(rawTitle, inputBound(LIMITS.title));
  const title = sanitizeTitle(rawTitle);
  if (titleProblem(title)) return undefined;
  const entry: HistoryEntry = { title };
  const id = normalizeId(read(value, 'id'));
  if (id && id.length <= VALIDATION_LIMITS.idLength) entry.id = id;
  const attributes = sanitizeAttributes(read(value, 'attributes'), budget);
  if (attributes) entry.attributes = attributes;
  const weight = read(value, 'weight');
  if (typeof weight === 'number' && Number.isFinite(weight) && weight > 0) entry.weight = weight;
  return entry;
}

/**
 * A sanitized copy of a visitor context. Never throws: anything that is not an object gives `{}`;
 * `domain` (string, ≤ 16, lower-cased) and `profile` (string, ≤ 200) are sanitized, other types
 * dropped; `history` keeps the entries that are objects with a visible title (a history that is
 * not an array is dropped), the most recent 200 that fit VALIDATION_LIMITS.contextBytes, each with
 * id/attributes/weight cleaned as for items.
 */
export function validateContext(context: unknown): UserContext {
  if (!isRecord(context)) return {};
  const out: UserContext = {};
  const domain = sanitizeText(read(context, 'domain'), LIMITS.domain).toLowerCase();
  if (domain) out.domain = domain;
  const profile = sanitizeText(read(context, 'profile'), VALIDATION_LIMITS.profile);
  if (profile) out.profile = profile;
  const history = read(context, 'history');
  if (Array.isArray(history)) {
    const entries: HistoryEntry[] = [];
    // Walk from the newest so a huge history costs only what is kept.
    // The budget bounds the walk too: a history of a million invisible titles costs what it reads.
    const budget = new ReadBudget(VALIDATION_LIMITS.contextBytes);
    for (let i = history.length - 1; i >= 0 && entries.length < VALIDATION_LIMITS.historyEntries; i--) {
      const entry = validateHistoryEntry(history[i], budget);
      if (entry) entries.push(entry); // the entry that spends the budget keeps the attributes read so far
      if (budget.spent) break;
    }
    out.history = entries.reverse();
  }
  return out;
}

/** What an AbortSignal looks like (duck-typed: a signal of another realm or a polyfill counts too). */
function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<AbortSignal>;
  return typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
}

/**
 * Checks the options of one explain()/stream() call and returns a copy with the known keys.
 * undefined or null options, and an undefined or null `signal`, count as absent. Throws
 * InvalidOptionsError when `options` is not an object or `signal` is not an AbortSignal.
 */
export function validateCallOptions(options: unknown, method: 'explain' | 'stream'): ExplainOptions {
  if (options === undefined || options === null) return {};
  if (!isRecord(options)) {
    throw new InvalidOptionsError(`${method}(…, options): options must be an object like { signal }, got ${Array.isArray(options) ? 'an array' : typeof options}.`, { details: { option: 'options' } });
  }
  let signal: unknown;
  try {
    signal = options.signal;
  } catch (error) {
    throw new InvalidOptionsError(`${method}(…, options): reading options.signal threw (${String((error as Error)?.message ?? error)}); pass a plain { signal } object.`, { cause: error, details: { option: 'signal' } });
  }
  if (signal === undefined || signal === null) return {};
  if (!isAbortSignal(signal)) {
    const got = typeof signal === 'string' ? `'${signal.slice(0, 40)}'` : typeof signal === 'object' ? 'an object that is not an AbortSignal' : typeof signal;
    throw new InvalidOptionsError(`Option 'signal' of ${method}() must be an AbortSignal (new AbortController().signal); got ${got}.`, { details: { option: 'signal' } });
  }
  return { signal };
}

