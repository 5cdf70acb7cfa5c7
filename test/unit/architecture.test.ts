// The import rule of docs/architecture.md over the real tree, and proof on made-up graphs that the
// check can fail (an upward import, a cycle, a file in no stage, product code importing tests).
import { describe, expect, it } from 'vitest';
import { cycles, importsOf, repoGraph, STAGES, stageOf, violations, type Edge } from '../../scripts/architecture/graph.ts';
import { docReferences, missingReferences } from '../../scripts/architecture/doc-paths.ts';

const edge = (from: string, to: string): Edge => ({ from, to, line: 1 });

describe('the tree', () => {
  const { files, edges } = repoGraph();

  it('imports only down the stages, with no cycle', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(violations(edges, files)).toEqual([]);
    expect(cycles(edges)).toEqual([]);
  });

  it('names in its docs only files that exist', () => {
    const refs = docReferences();
    expect(refs.length).toBeGreaterThan(100);
    expect(missingReferences(refs)).toEqual([]);
  });

  it('puts every stage of docs/architecture.md in the checker and back', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    for (const stage of STAGES) for (const path of stage.paths) expect(doc, path).toContain(`\`${path}\``);
  });
});

describe('the check', () => {
  const files = ['src/core/a.ts', 'src/engine/b.ts', 'src/types.ts', 'workers/explainer.worker.ts'];

  it('flags an import that points up the stages', () => {
    expect(violations([edge('src/core/a.ts', 'src/engine/b.ts')], files)).toEqual([
      expect.stringContaining('core may not import engine'),
    ]);
    expect(violations([edge('src/engine/b.ts', 'src/core/a.ts'), edge('src/core/a.ts', 'src/types.ts')], files)).toEqual([]);
  });

  it('flags peers that import each other and product code that imports scripts or tests', () => {
    expect(violations([edge('src/embed/x.ts', 'src/demo/y.ts')], [])).toEqual([expect.stringContaining('embed may not import demo')]);
    expect(violations([edge('src/core/a.ts', 'test/unit/fake.ts')], files)).toEqual([expect.stringContaining('product code imports test/')]);
    expect(violations([edge('scripts/bench.ts', 'test/e2e/helpers.ts')], files)).toEqual([expect.stringContaining('scripts import no test code')]);
  });

  it('flags a file of src/ that belongs to no stage', () => {
    expect(stageOf('src/nowhere.ts')).toBeNull();
    expect(violations([], ['src/nowhere.ts'])).toEqual([expect.stringContaining('src/nowhere.ts: in no stage')]);
  });

  it('finds cycles, also within one stage, and no cycle in a tree', () => {
    expect(cycles([edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'd')])).toEqual([['a', 'b', 'c']]);
    expect(cycles([edge('a', 'a')])).toEqual([['a']]);
    expect(cycles([edge('a', 'b'), edge('a', 'c'), edge('b', 'c')])).toEqual([]);
  });

  it('reads static, dynamic, re-export and type imports, not packages or worker URLs', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export * from './c.ts';",
      "const d = await import('./d.ts');",
      "type E = typeof import('./e.ts');",
      "import 'comlink';",
      "new Worker(new URL('./w.ts', import.meta.url));",
      "import u from './f.wasm?url';",
    ].join('\n');
    expect(importsOf('src/x/y.ts', text).map((e) => e.to)).toEqual(['src/x/a.ts', 'src/b.ts', 'src/x/c.ts', 'src/x/d.ts', 'src/x/e.ts', 'src/x/f.wasm']);
  });
});

describe('the docs check', () => {
  it('flags a path that names no file', () => {
    expect(missingReferences([{ doc: 'docs/x.md', path: 'src/core/gone.ts', line: 3 }])).toEqual(['docs/x.md:3 names src/core/gone.ts, which does not exist']);
    expect(missingReferences([{ doc: 'docs/x.md', path: 'src/core/prompt.ts', line: 3 }])).toEqual([]);
  });
});
