// The shipped ONNX files compute what the PyTorch model computes.
// Fixture: test/fixtures/parity/fixture.json, written by `python3 -m training.vectors` from the
// PyTorch fp32 weights of the shipped model (see docs/training.md).
// (a) onnxruntime-node on onnx/model.onnx: logits within 1e-3 of PyTorch (full prompt, KV-cache step, left-padded batch)
// (b) transformers.js (fp32, greedy) reproduces the PyTorch greedy ids exactly
// (c) q8 (model_quantized) and q4 (model_q4) token agreement, reported to the console and a JSON file.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { AutoModelForCausalLM, Tensor, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';

interface Case {
  id: string;
  prompt: string;
  input_ids: number[];
  logits: { ids: number[]; values: number[]; sum: number; sumsq: number };
  greedy_ids: number[];
}
interface Fixture {
  new_tokens: number;
  model_sha256: string;
  cases: Case[];
}

const MODELS = fileURLToPath(new URL('../../public/models/', import.meta.url));
const DIR = `${MODELS}because-reason-v1/`;
const fixture = JSON.parse(readFileSync(new URL('../fixtures/parity/fixture.json', import.meta.url), 'utf8')) as Fixture;
const config = JSON.parse(readFileSync(`${DIR}config.json`, 'utf8')) as {
  num_hidden_layers: number;
  num_key_value_heads: number;
  head_dim: number;
  vocab_size: number;
};
const TOL = 1e-3;

function i64(values: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(v))), dims);
}

function emptyPast(batch: number): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (let l = 0; l < config.num_hidden_layers; l++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${l}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [batch, config.num_key_value_heads, 0, config.head_dim]);
    }
  }
  return feeds;
}

/** Logits of row `row` at position `pos` of an output [b, s, V]. */
function rowLogits(out: ort.Tensor, row: number, pos: number): Float32Array {
  const [, s, v] = out.dims as [number, number, number];
  const data = out.data as Float32Array;
  const start = (row * s + pos) * v;
  return data.subarray(start, start + v);
}

/** Largest |ours - reference| over the fixture's logit slice, plus sum / sum-of-squares checks. */
function logitDiff(logits: Float32Array, ref: Case['logits']): number {
  let worst = 0;
  ref.ids.forEach((id, k) => {
    worst = Math.max(worst, Math.abs((logits[id] ?? NaN) - (ref.values[k] ?? NaN)));
  });
  let sum = 0;
  let sumsq = 0;
  for (const x of logits) {
    sum += x;
    sumsq += x * x;
  }
  // Over the whole vocabulary: mean error per logit within TOL.
  worst = Math.max(worst, Math.abs(sum - ref.sum) / logits.length, Math.abs(Math.sqrt(sumsq) - Math.sqrt(ref.sumsq)) / Math.sqrt(logits.length));
  return worst;
}

describe('ONNX parity with PyTorch', () => {
  let session: ort.InferenceSession;

  beforeAll(async () => {
    session = await ort.InferenceSession.create(`${DIR}onnx/model.onnx`, { intraOpNumThreads: 2 });
  });

  it('the fixture was written for the shipped model.onnx', () => {
    const sha = createHash('sha256').update(readFileSync(`${DIR}onnx/model.onnx`)).digest('hex');
    expect(sha).toBe(fixture.model_sha256);
    expect(fixture.cases.length).toBe(20);
  });

  it('has the transformers.js decoder inputs and outputs', () => {
    expect(session.inputNames.slice(0, 3)).toEqual(['input_ids', 'attention_mask', 'position_ids']);
    expect(session.inputNames).toContain(`past_key_values.${config.num_hidden_layers - 1}.value`);
    expect(session.outputNames[0]).toBe('logits');
    expect(session.outputNames).toContain(`present.${config.num_hidden_layers - 1}.value`);
  });

  it('(a) last-position logits match PyTorch within 1e-3 on 20 prompts', async () => {
    const diffs: number[] = [];
    for (const c of fixture.cases) {
      const n = c.input_ids.length;
      const out = await session.run({
        input_ids: i64(c.input_ids, [1, n]),
        attention_mask: i64(new Array<number>(n).fill(1), [1, n]),
        position_ids: i64([...Array(n).keys()], [1, n]),
        ...emptyPast(1),
      });
      diffs.push(logitDiff(rowLogits(out.logits as ort.Tensor, 0, n - 1), c.logits));
    }
    console.log(`parity (a): max abs logit diff over 20 prompts = ${Math.max(...diffs).toExponential(2)}`);
    expect(Math.max(...diffs)).toBeLessThanOrEqual(TOL);
  });

  it('(a) a KV-cache step gives the same logits as the full prompt', async () => {
    for (const c of fixture.cases.slice(0, 4)) {
      const n = c.input_ids.length;
      const first = await session.run({
        input_ids: i64(c.input_ids.slice(0, n - 1), [1, n - 1]),
        attention_mask: i64(new Array<number>(n - 1).fill(1), [1, n - 1]),
        position_ids: i64([...Array(n - 1).keys()], [1, n - 1]),
        ...emptyPast(1),
      });
      const past: Record<string, ort.Tensor> = {};
      for (let l = 0; l < config.num_hidden_layers; l++) {
        for (const kind of ['key', 'value']) past[`past_key_values.${l}.${kind}`] = first[`present.${l}.${kind}`] as ort.Tensor;
      }
      const step = await session.run({
        input_ids: i64([c.input_ids[n - 1] ?? 0], [1, 1]),
        attention_mask: i64(new Array<number>(n).fill(1), [1, n]),
        position_ids: i64([n - 1], [1, 1]),
        ...past,
      });
      expect(logitDiff(rowLogits(step.logits as ort.Tensor, 0, 0), c.logits)).toBeLessThanOrEqual(TOL);
    }
  });

  it('(a) a left-padded batch gives each row its own logits', async () => {
    const rows = fixture.cases.slice(0, 3);
    const width = Math.max(...rows.map((c) => c.input_ids.length));
    const ids: number[] = [];
    const mask: number[] = [];
    const pos: number[] = [];
    for (const c of rows) {
      const pad = width - c.input_ids.length;
      ids.push(...new Array<number>(pad).fill(0), ...c.input_ids);
      mask.push(...new Array<number>(pad).fill(0), ...new Array<number>(c.input_ids.length).fill(1));
      pos.push(...new Array<number>(pad).fill(0), ...c.input_ids.map((_, k) => k));
    }
    const out = await session.run({
      input_ids: i64(ids, [rows.length, width]),
      attention_mask: i64(mask, [rows.length, width]),
      position_ids: i64(pos, [rows.length, width]),
      ...emptyPast(rows.length),
    });
    rows.forEach((c, r) => {
      expect(logitDiff(rowLogits(out.logits as ort.Tensor, r, width - 1), c.logits)).toBeLessThanOrEqual(TOL);
    });
  });
});

describe('transformers.js greedy decoding', () => {
  const report: Record<string, unknown> = {};

  beforeAll(() => {
    env.localModelPath = MODELS;
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
  });

  async function greedy(dtype: 'fp32' | 'q8' | 'q4'): Promise<number[][]> {
    const model = await AutoModelForCausalLM.from_pretrained('because-reason-v1', { dtype, device: 'cpu' });
    const outs: number[][] = [];
    for (const c of fixture.cases) {
      const n = c.input_ids.length;
      const input_ids = new Tensor('int64', BigInt64Array.from(c.input_ids.map((v) => BigInt(v))), [1, n]);
      const attention_mask = new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]);
      const out = (await model.generate({ input_ids, attention_mask, max_new_tokens: fixture.new_tokens, do_sample: false })) as Tensor;
      outs.push((out.tolist() as bigint[][])[0]!.slice(n).map(Number));
    }
    await model.dispose();
    return outs;
  }

  function agreement(got: number[][]): { exact: number; tokens: number } {
    let exact = 0;
    let same = 0;
    let total = 0;
    fixture.cases.forEach((c, k) => {
      const g = got[k] ?? [];
      if (JSON.stringify(g) === JSON.stringify(c.greedy_ids)) exact++;
      for (let t = 0; t < c.greedy_ids.length; t++) {
        total++;
        if (g[t] !== c.greedy_ids[t]) break; // count the agreeing prefix only
        same++;
      }
    });
    return { exact: exact / fixture.cases.length, tokens: same / total };
  }

  it('(b) fp32 greedy ids equal the PyTorch greedy ids on 20 prompts', async () => {
    const got = await greedy('fp32');
    report.fp32 = agreement(got);
    got.forEach((ids, k) => expect(ids, fixture.cases[k]!.id).toEqual(fixture.cases[k]!.greedy_ids));
  });

  it('(c) reports q8 and q4 token agreement with PyTorch fp32 greedy', async () => {
    report.q8 = agreement(await greedy('q8'));
    report.q4 = agreement(await greedy('q4'));
    report.note = 'exact: share of the 20 prompts with identical greedy ids; tokens: share of reference tokens in the agreeing prefix';
    console.log(`parity (c): ${JSON.stringify(report)}`);
    const path = process.env.PARITY_REPORT_OUT ?? fileURLToPath(new URL('../../test-results/parity-report.json', import.meta.url));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(report, null, 1)}\n`);
    // A broken quantizer gives near-zero agreement; these floors catch that, not small drift.
    expect((report.q8 as { tokens: number }).tokens).toBeGreaterThan(0.5);
    expect((report.q4 as { tokens: number }).tokens).toBeGreaterThan(0.2);
  });
});
