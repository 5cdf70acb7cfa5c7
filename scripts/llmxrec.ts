// Reading the LLMXRec research data (../shared/data): gzipped JSON lines, and titles that keep the
// Python export's artefacts. Shared by the demo catalog builder and the ranking eval.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The records of a .jsonl.gz file, blank lines skipped. */
export function readJsonlGz<T = unknown>(path: string): T[] {
  return gunzipSync(readFileSync(path))
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** Undoes the Python-export artefacts of a title: `u"..."` / `u'...'` wrappers, literal `\u2122` and `\xae`. */
export function decodePythonTitle(title: string): string {
  let text = title.trim();
  const wrapped = /^u(["'])(.*)\1$/s.exec(text);
  if (wrapped) text = wrapped[2]!;
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
