// A fresh clone has no prepared data (training/out/ is git-ignored): `npm run eval` and
// `npm run audit` write it themselves from ../shared/data with the training code's own preparation.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PREPARE_COMMAND } from './data.ts';

export const DEFAULT_DATA_DIR = 'training/out/data';
export const DEFAULT_SHARED_DATA = '../shared/data';
/** The interpreter the training code is tested with (torch 1.13 etc.; docs/training.md). */
export const PYTHON = '/usr/bin/python3';

export interface PrepareOptions {
  /** The repository root (where `training/` is). */
  root: string;
  shared?: string;
  python?: string;
  log?: (message: string) => void;
  /** Runs the command (tests replace it); returns the exit status. */
  run?: (command: string, args: string[], cwd: string) => number | null;
}

const hasData = (dir: string) => existsSync(join(dir, 'train.jsonl')) && existsSync(join(dir, 'test.jsonl'));

function defaultRun(command: string, args: string[], cwd: string): number | null {
  return spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] }).status;
}

/**
 * Makes sure `dir` holds prepared splits. Only the default folder is prepared automatically (another
 * --data folder is the caller's choice, and a typo must not start minutes of work); it needs
 * ../shared/data. Otherwise throws an error naming the one command to run.
 * Returns whether it prepared the data.
 */
export function ensurePreparedData(dir: string, options: PrepareOptions): boolean {
  const root = options.root;
  const full = resolve(root, dir);
  if (hasData(full)) return false;
  const shared = resolve(root, options.shared ?? DEFAULT_SHARED_DATA);
  const isDefault = full === resolve(root, DEFAULT_DATA_DIR);
  const hint = `Prepare the data first: \`${PREPARE_COMMAND}\` (or pass --data training/fixtures).`;
  if (!isDefault) throw new Error(`${join(dir, 'train.jsonl')} does not exist. ${hint}`);
  if (!existsSync(join(shared, 'llmxrec-rec-reasons')) || !existsSync(join(shared, 'xrec-explanations'))) {
    throw new Error(`${join(dir, 'train.jsonl')} does not exist and ${shared} (llmxrec-rec-reasons/, xrec-explanations/) is not there to prepare it from. ${hint}`);
  }
  const python = options.python ?? PYTHON;
  const args = ['-m', 'training.data', '--data', shared, '--out', full];
  options.log?.(`No prepared data in ${dir}: running ${python} ${args.join(' ')} (about 2 minutes, once)`);
  const status = (options.run ?? defaultRun)(python, args, root);
  if (status !== 0 || !hasData(full)) throw new Error(`Data preparation failed (exit ${status}). Run it by hand to see why: \`${PREPARE_COMMAND}\``);
  return true;
}
