// Loads prepared evaluation pairs (HELPERS.md §2 schema, written by `python3 -m training.data`)
// into the engine's own types, so every system sees exactly what the engine would get from a page.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue, HistoryEntry, Item, UserContext } from '../../src/types.ts';

export interface EvalPair {
  id: string;
  domain: string;
  source: string;
  item: Item;
  context: UserContext;
  /** The reference reason. */
  reason: string;
  /** XRec's own generated explanation for this pair (held-out XRec pairs only). */
  xrecPrediction?: string;
}

export const SPLITS = ['train', 'valid', 'test', 'xrec_test'] as const;
export type Split = (typeof SPLITS)[number];

export const PREPARE_COMMAND = 'python3 -m training.data --data ../shared/data --out training/out/data';

function fail(file: string, line: number, why: string): never {
  throw new Error(`${file}:${line}: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function attributes(value: unknown, where: () => never): Record<string, AttributeValue> {
  if (value === undefined) return {};
  if (!isRecord(value)) where();
  return value as Record<string, AttributeValue>;
}

/** Parses one JSONL row; throws `file:line: why` for anything outside the schema. */
export function parsePair(text: string, file = '<input>', line = 1): EvalPair {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    fail(file, line, 'not valid JSON');
  }
  if (!isRecord(row)) fail(file, line, 'row is not an object');
  const { id, domain, source, user, item, reason } = row;
  if (typeof id !== 'string' || id === '') fail(file, line, '"id" must be a non-empty string');
  if (typeof domain !== 'string') fail(file, line, '"domain" must be a string');
  if (typeof source !== 'string') fail(file, line, '"source" must be a string');
  if (typeof reason !== 'string' || reason.trim() === '') fail(file, line, '"reason" must be a non-empty string');
  if (!isRecord(item) || typeof item.title !== 'string') fail(file, line, '"item.title" must be a string');
  if (!isRecord(user) || !Array.isArray(user.history)) fail(file, line, '"user.history" must be an array');
  const history: HistoryEntry[] = user.history.map((h: unknown, k: number) => {
    if (!isRecord(h) || typeof h.title !== 'string') fail(file, line, `"user.history[${k}].title" must be a string`);
    return { title: h.title, attributes: attributes(h.attributes, () => fail(file, line, `"user.history[${k}].attributes" must be an object`)) };
  });
  const context: UserContext = { domain, history };
  if (typeof user.profile === 'string') context.profile = user.profile;
  const evalItem: Item = { id, title: item.title, attributes: attributes(item.attributes, () => fail(file, line, '"item.attributes" must be an object')) };
  if (typeof item.description === 'string') evalItem.description = item.description;
  const pair: EvalPair = { id, domain, source, item: evalItem, context, reason };
  if (typeof row.xrec_prediction === 'string') pair.xrecPrediction = row.xrec_prediction;
  return pair;
}

/** Reads `<dir>/<split>.jsonl`. A missing file is an error that names the command that writes it. */
export function loadSplit(dir: string, split: Split): EvalPair[] {
  const file = join(dir, `${split}.jsonl`);
  if (!existsSync(file)) {
    throw new Error(`${file} does not exist. Prepare the data first: \`${PREPARE_COMMAND}\` (or pass --data training/fixtures).`);
  }
  const pairs: EvalPair[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() !== '') pairs.push(parsePair(text, file, index + 1));
    });
  return pairs;
}

/** Reads a split if its file exists, else returns null (xrec_test is optional). */
export function loadOptionalSplit(dir: string, split: Split): EvalPair[] | null {
  return existsSync(join(dir, `${split}.jsonl`)) ? loadSplit(dir, split) : null;
}

/** FNV-1a 32-bit hash: a seeded, platform-independent order for sampling. */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A deterministic sample of `limit` pairs: ordered by a hash of their id (so every source is
 * represented in proportion, unlike the first N rows of a file grouped by source), then cut.
 * The result keeps file order, so runs with a larger limit contain the smaller sample.
 */
export function samplePairs(pairs: readonly EvalPair[], limit: number | undefined, seed = 0): EvalPair[] {
  if (limit === undefined || limit >= pairs.length) return [...pairs];
  const chosen = new Set(
    [...pairs]
      .sort((a, b) => hash32(a.id, seed) - hash32(b.id, seed) || (a.id < b.id ? -1 : 1))
      .slice(0, Math.max(0, limit))
      .map((p) => p.id),
  );
  return pairs.filter((p) => chosen.has(p.id));
}
