// Every doc that names a file names one that exists (issue 10): the Markdown files git knows, read
// for repository paths (`src/…`, `scripts/…`, `vite.config.ts`, …) and relative Markdown links.
// Build outputs and data that `npm run …` writes (dist/, training/out/, …) are not files of the tree,
// globs and placeholders (`*`, `<id>`, `{a,b}`) name no single file: those are skipped.
// `tsx scripts/architecture/doc-paths.ts` prints what is missing; test/unit/architecture.test.ts runs it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { REPO_ROOT } from './graph.ts';

export interface DocReference {
  doc: string;
  path: string;
  line: number;
}

const TOP = ['src', 'workers', 'scripts', 'test', 'training', 'docs', 'public', '.ci'];
const TOP_FILES = ['README.md', 'package.json', 'index.html', 'tsconfig.json', 'tsconfig.build.json', 'vite.config.ts', 'vite.embed.config.ts', 'vite.lib.config.ts', 'vitest.config.ts'];
/** Written by a command, never committed. */
const OUTPUTS = ['dist/', 'training/out/', 'training/runs/', 'node_modules/', 'test-results/', '../shared/', '.cache/'];

const files = (root: string, ...pattern: string[]): string[] =>
  execFileSync('git', ['ls-files', '-co', '--exclude-standard', ...pattern], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

const PATH = new RegExp(`(?<![\\w./-])((?:${TOP.map((t) => t.replace('.', '\\.')).join('|')})/[\\w.@/-]*[\\w]|${TOP_FILES.map((f) => f.replace(/\./g, '\\.')).join('|')})(?![\\w/*<{-])`, 'g');
const LINK = /\]\(([^)\s#]+)(?:#[^)]*)?\)/g;

export function docReferences(root = REPO_ROOT): DocReference[] {
  const out: DocReference[] = [];
  for (const doc of files(root, '*.md')) {
    if (doc.startsWith('node_modules/')) continue;
    readFileSync(join(root, doc), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        for (const m of text.matchAll(PATH)) {
          const path = m[1] as string;
          // A file: the last part has an extension (a folder or a command word is not checked).
          if (/\.[a-z0-9]+$/i.test(posix.basename(path)) && !OUTPUTS.some((o) => path.startsWith(o))) out.push({ doc, path, line: i + 1 });
        }
        for (const m of text.matchAll(LINK)) {
          const target = m[1] as string;
          if (/^[a-z]+:/i.test(target) || target.startsWith('/')) continue;
          const path = posix.normalize(posix.join(posix.dirname(doc), target));
          if (!OUTPUTS.some((o) => path.startsWith(o)) && !path.startsWith('..')) out.push({ doc, path: path.replace(/\/$/, ''), line: i + 1 });
        }
      });
  }
  return out;
}

export function missingReferences(refs: readonly DocReference[], root = REPO_ROOT): string[] {
  const known = new Set(files(root));
  for (const f of [...known]) for (let d = posix.dirname(f); d !== '.'; d = posix.dirname(d)) known.add(d);
  return refs.filter((r) => !known.has(r.path)).map((r) => `${r.doc}:${r.line} names ${r.path}, which does not exist`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const missing = missingReferences(docReferences());
  for (const line of missing) console.log(line);
  process.exitCode = missing.length ? 1 : 0;
}
