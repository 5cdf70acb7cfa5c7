// `tsx scripts/architecture/move.ts [--dry]`: moves files by scripts/architecture/moves.txt (lines
// `old new`, a file or a folder ending in `/`) with `git mv`, and rewrites every path that points at
// a moved file: relative string literals in .ts files (imports, `new URL(…, import.meta.url)`,
// `vi.mock`, `?url`), root-relative literals (`'src/x.ts'` in configs and scripts), and paths in
// .md/.html files. Safe to re-run after a merge: a specifier is read against the file's current
// place first, then against the place it had before the move (so an import written in the old
// layout by a merged commit is still understood), and only rewritten when its target moved.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '../..');

export interface MoveMap {
  files: Map<string, string>;
  folders: Array<[string, string]>;
}

export function parseMoves(text: string): MoveMap {
  const files = new Map<string, string>();
  const folders: Array<[string, string]> = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [from, to] = line.split(/\s+/);
    if (!from || !to) throw new Error(`moves.txt: "${line}" needs two paths`);
    if (from.endsWith('/')) folders.push([from, to]);
    else files.set(from, to);
  }
  folders.sort((a, b) => b[0].length - a[0].length);
  return { files, folders };
}

export function target(map: MoveMap, path: string): string {
  const file = map.files.get(path);
  if (file) return file;
  for (const [from, to] of map.folders) if (path.startsWith(from)) return to + path.slice(from.length);
  return path;
}

/** Where a file now at `path` was before the move (itself when it never moved). */
function source(map: MoveMap, path: string): string {
  for (const [from, to] of map.files) if (to === path) return from;
  for (const [from, to] of map.folders) if (path.startsWith(to)) return from + path.slice(to.length);
  return path;
}

const tracked = (): string[] =>
  execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('node_modules'));

function folderSet(files: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const f of files) for (let d = posix.dirname(f); d !== '.'; d = posix.dirname(d)) out.add(d);
  return out;
}

const dotted = (p: string): string => (p.startsWith('.') ? p : `./${p}`);

export function plan(map: MoveMap, files: string[]) {
  const present = new Set(files);
  const folders = folderSet(files);
  const exists = (p: string): boolean => present.has(p) || folders.has(p);
  // Every path as it will be: old paths that are gone now still resolve through the map.
  const final = (p: string): string | null => {
    const t = target(map, p);
    if (exists(p) || exists(t) || map.files.has(p)) return t;
    return null;
  };

  /** The rewritten relative specifier, or null to leave it. */
  function relativeSpec(file: string, spec: string): string | null {
    const m = /^(\.{1,2}\/[^?#]*?)(\/?)([?#].*)?$/.exec(spec);
    if (!m) return null;
    const [, body, slash, query = ''] = m as unknown as [string, string, string, string | undefined];
    const here = target(map, file);
    for (const from of [file, source(map, file)]) {
      const resolved = posix.normalize(posix.join(posix.dirname(from), body as string));
      const to = exists(resolved) ? target(map, resolved) : map.files.has(resolved) || map.folders.some(([f]) => `${resolved}/`.startsWith(f)) ? target(map, resolved) : null;
      if (to === null || !(exists(resolved) || exists(to))) continue;
      const out = dotted(posix.relative(posix.dirname(here), to)) + slash + query;
      return out === spec ? null : out;
    }
    return null;
  }

  function rootSpec(spec: string): string | null {
    if (spec.startsWith('.') || !spec.includes('/') || /\s/.test(spec)) return null;
    const slash = spec.endsWith('/') ? '/' : '';
    const body = slash ? spec.slice(0, -1) : spec;
    if (!exists(body) && !map.files.has(body)) return null;
    const to = final(body);
    return to && to !== body ? to + slash : null;
  }

  const edits = new Map<string, string>();
  for (const file of files) {
    if (!/\.(ts|mts|html|md|py)$/.test(file) || file === 'scripts/architecture/moves.txt') continue;
    if (file.startsWith('public/models/') && !file.endsWith('.md')) continue;
    const text = readFileSync(join(ROOT, file), 'utf8');
    const isTs = file.endsWith('.ts') || file.endsWith('.mts');
    // In .ts files the literals first, then root-relative paths in comments (never `../` there).
    const out = isTs ? rewriteText(file, rewriteTs(file, text, relativeSpec, rootSpec), map, relativeSpec, false) : rewriteText(file, text, map, relativeSpec, true);
    if (out !== text) edits.set(file, out);
  }
  const moves = files.filter((f) => target(map, f) !== f).map((f) => [f, target(map, f)] as const);
  return { edits, moves };
}

function rewriteTs(file: string, text: string, rel: (f: string, s: string) => string | null, root: (s: string) => string | null): string {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const spans: Array<[number, number, string]> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      const next = node.text.startsWith('.') ? rel(file, node.text) : root(node.text);
      if (next !== null) spans.push([node.getStart(sf) + 1, node.getEnd() - 1, next]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  let out = text;
  for (const [start, end, next] of spans.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + next + out.slice(end);
  return out;
}

/** Root-relative paths anywhere in the text (docs, html), and relative src/href in html. */
function rewriteText(file: string, text: string, map: MoveMap, rel: (f: string, s: string) => string | null, dotdot: boolean): string {
  let out = text;
  if (file.endsWith('.html')) out = out.replace(/((?:src|href)=")(\.{1,2}\/[^"]+)"/g, (all, pre: string, spec: string) => `${pre}${rel(file, spec) ?? spec}"`);
  const pairs = [...map.files, ...map.folders].sort((a, b) => b[0].length - a[0].length);
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const up = dotdot ? `|[\\s\`'"(\\[]\\.\\./` : '';
  const pattern = new RegExp(`(^|[\\s\`'"(\\[]/?${up})(${pairs.map(([f]) => escape(f)).join('|')})(?![\\w-])`, 'gm');
  const lookup = new Map(pairs);
  out = out.replace(pattern, (all, pre: string, path: string) => {
    const to = lookup.get(path);
    return to === undefined ? all : pre + to;
  });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dry = process.argv.includes('--dry');
  const map = parseMoves(readFileSync(join(ROOT, 'scripts/architecture/moves.txt'), 'utf8'));
  const { edits, moves } = plan(map, tracked());
  for (const [file, text] of edits) {
    console.log(`rewrite ${file}`);
    if (!dry) writeFileSync(join(ROOT, file), text);
  }
  for (const [from, to] of moves) {
    console.log(`move ${from} -> ${to}`);
    if (!dry) {
      execFileSync('mkdir', ['-p', dirname(join(ROOT, to))]);
      execFileSync('git', ['mv', from, to], { cwd: ROOT });
    }
  }
  void relative;
}
