// `npm run eval` end to end on the committed fixture slice (CI-size): the JSON contract and the
// actionable error when the prepared data is missing. Uses the shipped model when it is present.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const hasModel = existsSync(`${root}public/models/because-reason-v1/onnx/model_quantized.onnx`);
const hasFixtures = existsSync(`${root}training/fixtures/test.jsonl`);

function evalCli(args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/eval.ts', ...args], { cwd: root, maxBuffer: 16 << 20 });
}

const METRICS = ['n', 'bleu1', 'bleu4', 'rouge1', 'rouge2', 'rougeL', 'usr', 'div', 'factual_precision'];

describe('eval CLI', () => {
  it.skipIf(!hasFixtures)('prints one JSON object with every metric for every system', async () => {
    const args = ['--data', 'training/fixtures', '--limit', '4', '--speed-prompts', hasModel ? '2' : '0', '--speed-repeats', '1', '--json'];
    const { stdout } = await evalCli(hasModel ? args : [...args, '--skip-model']);
    const result = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    const systems = hasModel ? ['model', 'template', 'retrieval'] : ['template', 'retrieval'];
    for (const name of systems) {
      for (const key of METRICS) expect(result[name], `${name}.${key}`).toHaveProperty(key);
      expect(result[name]!.n).toBe(4);
      for (const key of ['bleu1', 'bleu4', 'rougeL', 'usr']) {
        const v = result[name]![key] as number;
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    // One pair per distinct content plan: a subset of the sample, scored for the same systems.
    const perPlan = result.one_per_plan as unknown as { pairs: number; usr_ceiling: number } & Record<string, { n: number }>;
    expect(perPlan.pairs).toBeGreaterThan(0);
    expect(perPlan.pairs).toBeLessThanOrEqual(4);
    expect(perPlan.usr_ceiling).toBeCloseTo(perPlan.pairs / 4);
    for (const name of systems) expect(perPlan[name]!.n).toBe(perPlan.pairs);
    if (hasModel) {
      const meta = result.meta as { model: { bytes: number }; speed: { tokens_per_s: number } };
      expect(meta.model.bytes).toBeGreaterThan(0);
      expect(meta.speed.tokens_per_s).toBeGreaterThan(0);
    }
  });

  it('fails with the command to run when the prepared data is missing', async () => {
    const error = await evalCli(['--data', 'no/such/dir', '--skip-model']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain('python3 -m training.data --data ../shared/data --out training/out/data');
  });
});
