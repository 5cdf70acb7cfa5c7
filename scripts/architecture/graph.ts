// The import rule of docs/architecture.md, checked over the TypeScript import graph (test/unit/
// architecture.test.ts runs it in `npm test`; `tsx scripts/architecture/graph.ts` prints it).
// Every file of src/ and workers/ belongs to one stage; a stage imports only the stages it lists
// (the ones below it on the data path), src/ and workers/ import nothing of scripts/ or test/,
// scripts/ imports nothing of test/, and no files import each other in a cycle.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import ts from 'typescript';

export interface Stage {
  name: string;
  /** Files (`src/x.ts`) or folders (`src/x/`). */
  paths: readonly string[];
  /** The stages this one may import, besides itself. */
  may: readonly string[];
}

/** Top of the data path first (docs/architecture.md draws the same). */
export const STAGES: readonly Stage[] = [
  { name: 'worker entry', paths: ['workers/'], may: ['host', 'protocol', 'base'] },
  { name: 'demo', paths: ['src/demo/'], may: ['api', 'profile', 'core', 'base'] },
  { name: 'embed', paths: ['src/embed/'], may: ['api', 'profile', 'core', 'base'] },
  { name: 'api', paths: ['src/index.ts', 'src/explainer.ts', 'src/worker-client.ts'], may: ['protocol', 'engine', 'core', 'base'] },
  { name: 'host', paths: ['src/engine-host.ts'], may: ['protocol', 'engine', 'base'] },
  { name: 'protocol', paths: ['src/protocol.ts'], may: ['base'] },
  { name: 'engine', paths: ['src/engine/'], may: ['generation', 'runtime', 'core', 'base'] },
  { name: 'runtime', paths: ['src/runtime/'], may: ['generation', 'core', 'base'] },
  { name: 'generation', paths: ['src/generation/'], may: ['core', 'base'] },
  { name: 'profile', paths: ['src/profile/'], may: ['core', 'base'] },
  { name: 'core', paths: ['src/core/'], may: ['base'] },
  { name: 'base', paths: ['src/types.ts', 'src/errors.ts', 'src/defaults.ts', 'src/idb.ts', 'src/trace.ts'], may: [] },
];

export interface Edge {
  from: string;
  to: string;
  line: number;
}

/** Relative imports of one file: import/export declarations, `import()` and `typeof import()`. */
export function importsOf(file: string, text: string): Edge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Edge[] = [];
  const add = (spec: ts.Expression | ts.TypeNode | undefined): void => {
    let literal: ts.Node | undefined = spec;
    if (literal && ts.isLiteralTypeNode(literal)) literal = literal.literal;
    if (!literal || !ts.isStringLiteral(literal) || !literal.text.startsWith('.')) return;
    const to = posix.normalize(posix.join(posix.dirname(file), literal.text.replace(/[?#].*$/, '')));
    out.push({ from: file, to, line: sf.getLineAndCharacterOfPosition(literal.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) add(node.moduleSpecifier);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node)) add(node.argument);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

export function stageOf(file: string, stages: readonly Stage[] = STAGES): Stage | null {
  return stages.find((s) => s.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p))) ?? null;
}

const area = (file: string): string => file.split('/')[0] ?? file;

/** Imports that break the rule, one line each: `from:line → to: why`. */
export function violations(edges: readonly Edge[], files: readonly string[], stages: readonly Stage[] = STAGES): string[] {
  const out: string[] = [];
  for (const file of files) {
    if ((area(file) === 'src' || area(file) === 'workers') && !stageOf(file, stages)) out.push(`${file}: in no stage (add it to one in scripts/architecture/graph.ts and docs/architecture.md)`);
  }
  for (const e of edges) {
    const [a, b] = [area(e.from), area(e.to)];
    const where = `${e.from}:${e.line} → ${e.to}`;
    if ((a === 'src' || a === 'workers') && (b === 'scripts' || b === 'test')) out.push(`${where}: product code imports ${b}/`);
    else if (a === 'scripts' && b === 'test') out.push(`${where}: scripts import no test code`);
    const [from, to] = [stageOf(e.from, stages), stageOf(e.to, stages)];
    if (!from || !to || from === to) continue;
    if (!from.may.includes(to.name)) out.push(`${where}: ${from.name} may not import ${to.name} (it may import: ${from.may.join(', ') || 'nothing'})`);
  }
  return out;
}

/** Every set of files that import each other in a circle (Tarjan's strongly connected components). */
export function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || (next.get(v) ?? []).includes(v)) out.push(component.sort());
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return out;
}

export const REPO_ROOT = join(dirname(new URL(import.meta.url).pathname), '../..');

/** The TypeScript files git knows (tracked, or untracked and not ignored), repository-relative. */
export function sourceFiles(root = REPO_ROOT): string[] {
  return execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('node_modules/'));
}

export function repoGraph(root = REPO_ROOT): { files: string[]; edges: Edge[] } {
  const files = sourceFiles(root);
  const edges = files.flatMap((f) => importsOf(f, readFileSync(join(root, f), 'utf8')));
  return { files, edges };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, edges } = repoGraph();
  const bad = [...violations(edges, files), ...cycles(edges).map((c) => `cycle: ${c.join(' ⇄ ')}`)];
  for (const line of bad) console.log(line);
  console.log(bad.length ? `${bad.length} problems` : `${files.length} files, ${edges.length} imports: the rule holds`);
  process.exitCode = bad.length ? 1 : 0;
}
