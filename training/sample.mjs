// Greedy samples of a shipped model in Node (transformers.js + onnxruntime-node, CPU): the raw slot
// text the model writes for prepared v2 rows, before the engine fills the slots.
//   node training/sample.mjs [rows=training/out/v2/valid.jsonl] [count=30] [dtype=q8] [model=because-reason-v2 | path/to/folder]
// Prints one JSON object per row: {id, mode, prompt, reference, generated}. Rows: the first `count`
// of the file, spread over its sources (round robin) so every source shows.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';

const [rowsPath = 'training/out/v2/valid.jsonl', count = '30', dtype = 'q8', model_ = 'because-reason-v2'] = process.argv.slice(2);
// a bare name is a folder of public/models/; a path (with a slash) is any model folder
const name = basename(model_);
env.localModelPath = model_.includes('/') ? `${resolve(dirname(model_))}/` : fileURLToPath(new URL('../public/models/', import.meta.url));
env.allowRemoteModels = false;
const rows = readFileSync(rowsPath, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const bySource = new Map();
for (const r of rows) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r]);
const picked = [];
for (let k = 0; picked.length < Number(count) && picked.length < rows.length; k++) {
  for (const list of bySource.values()) if (list[k] && picked.length < Number(count)) picked.push(list[k]);
}
const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForCausalLM.from_pretrained(name, { dtype, device: 'cpu' });
for (const r of picked) {
  const inputs = tokenizer(r.prompt, { add_special_tokens: false });
  const out = await model.generate({ ...inputs, max_new_tokens: 64, do_sample: false });
  const n = inputs.input_ids.dims[1];
  const ids = out.tolist()[0].slice(n).map(Number);
  const generated = tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false });
  console.log(JSON.stringify({ id: r.id, mode: r.mode, prompt: r.prompt, reference: r.target, generated }));
}
await model.dispose();
