// The npm package as a developer gets it: build dist/lib (vite.lib.config.ts + tsconfig.build.json),
// `npm pack`, install the tarball into a temporary project offline, then in that project: import
// `createExplainer` from 'because' in a plain Node process and get a reason from the packaged default
// model, import 'because/core', and type-check a small consumer file with tsc against the package's
// .d.ts. "Install offline": the tarball is unpacked into node_modules/because exactly as npm lays it
// out, and the dependencies it declares are linked to this checkout's installed copies (npm's cache
// here does not hold them and the test must not need the registry).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string): string => join(ROOT, 'node_modules/.bin', name);
/** Runs a command; a failure's message carries its output (tsc reports on stdout). */
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

let work: string;
let project: string;
let pkg: { name: string; dependencies: Record<string, string>; exports: Record<string, unknown>; files: string[] };

beforeAll(() => {
  run(bin('vite'), ['build', '--config', 'vite.lib.config.ts', '--logLevel', 'warn'], ROOT);
  run(bin('tsc'), ['-p', 'tsconfig.build.json'], ROOT);
  run(bin('tsx'), ['scripts/build/fix-dts.ts', 'dist/lib/types'], ROOT);
  work = mkdtempSync(join(tmpdir(), 'because-pack-'));
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop()!;
  project = join(work, 'consumer');
  const target = join(project, 'node_modules', 'because');
  mkdirSync(target, { recursive: true });
  run('tar', ['-xzf', join(work, tarball), '-C', target, '--strip-components=1'], work);
  pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies)) {
    const link = join(project, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), link, 'dir');
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { because: `file:../${tarball}` } }));
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('ships every file its exports name, and nothing from the source tree', () => {
    const target = join(project, 'node_modules', 'because');
    const paths = (value: unknown): string[] => (typeof value === 'string' ? [value] : Object.values(value as object).flatMap(paths));
    for (const file of paths(pkg.exports)) expect(existsSync(join(target, file)), file).toBe(true);
    for (const source of ['src', 'workers', 'public', 'training', 'test', 'scripts']) expect(existsSync(join(target, source)), source).toBe(false);
    expect(readdirSync(join(target, 'dist')).sort()).toEqual(['lib']);
    // The default model rides along (default dtype only), where the runtime's Node default looks.
    expect(readdirSync(join(target, 'dist/lib/public/models'))).toHaveLength(1);
  });

  it('in a plain Node process: createExplainer from "because" gives a reason from the packaged model', () => {
    writeFileSync(
      join(project, 'main.js'),
      `import { createExplainer, ModelLoadError } from 'because';
import { buildPrompt } from 'because/core';
const explainer = createExplainer({ maxNewTokens: 16 });
const item = { id: 'b2', title: 'Borderlands 2', attributes: { genres: ['Action', 'RPG'], tags: ['FPS', 'Co-op'] } };
const context = { domain: 'game', history: [{ title: 'Portal 2', attributes: { tags: ['Puzzle', 'Co-op'] } }] };
const [reason] = await explainer.explain([item], context);
const info = await explainer.info();
await explainer.dispose();
console.log(JSON.stringify({ reason, info, prompt: typeof buildPrompt(item, context), errorClass: typeof ModelLoadError }));
`,
    );
    const out = run(process.execPath, ['main.js'], project);
    const result = JSON.parse(out.trim().split('\n').pop()!) as { reason: { itemId: string; text: string; source: string; tokens: number }; info: { modelLoaded: boolean; backend: string }; prompt: string; errorClass: string };
    expect(result.info).toMatchObject({ modelLoaded: true, backend: 'cpu' });
    expect(result.reason.itemId).toBe('b2');
    expect(result.reason.text.length).toBeGreaterThan(0);
    // A reason the model wrote (a fallback would mean the packaged model did not load).
    expect(result.reason.source).toBe('model');
    expect(result.reason.tokens).toBeGreaterThan(0);
    expect(result.prompt).toBe('string');
    expect(result.errorClass).toBe('function');
  }, 300_000);

  it('type-checks a consumer file against the package declarations (and rejects a wrong one)', () => {
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, lib: ['ES2022', 'DOM'], types: [] }, files: ['consumer.ts'] }),
    );
    const good = `import { createExplainer, ModelLoadError, type Reason, type Explainer } from 'because';
import { buildPrompt } from 'because/core';
const explainer: Explainer = createExplainer({ device: 'auto', maxNewTokens: 32 });
export async function first(): Promise<string> {
  const reasons: Reason[] = await explainer.explain([{ id: '1', title: 'Portal 2' }], { domain: 'game' });
  const r = reasons[0];
  if (r && r.source === 'fallback') return r.fallbackReason ?? '';
  return (r?.text ?? '') + buildPrompt({ title: 'Portal 2' }, { domain: 'game' });
}
export const isLoadError = (e: unknown): boolean => e instanceof ModelLoadError;
`;
    writeFileSync(join(project, 'consumer.ts'), good);
    run(bin('tsc'), ['-p', 'tsconfig.json'], project);
    // The check can fail: a wrong option type is an error.
    writeFileSync(join(project, 'consumer.ts'), `${good}\ncreateExplainer({ device: 'tpu' });\n`);
    expect(() => run(bin('tsc'), ['-p', 'tsconfig.json'], project)).toThrow(/tpu/);
  }, 300_000);
});
