"""MODEL_CARD.md for the model folder (data and terms, config, metrics, failure modes, intended use)."""
import json
import os

# The sources and their terms, the same for both cards.
DATA_TERMS = """- LLMXRec recommendation reasons (Luo et al., 2023; repository without a licence): GPT-4 and GPT-3.5
  reasons for MovieLens-100K, Steam and MIND recommendations. MovieLens: GroupLens research licence;
  Steam: UCSD research data; MIND: Microsoft Research licence (non-commercial). The reasons are OpenAI
  model outputs, subject to OpenAI's terms on using outputs to train models. MovieLens age, gender
  and occupation were dropped.
- XRec explanation test sets (Ma et al., EMNLP 2024; Apache-2.0 code; Amazon/Google data for research
  use; Yelp data under the Yelp Dataset Terms, non-commercial, no redistribution; GPT-3.5 outputs)."""

CARD_V2 = """# because-reason-v2

A small decoder-only language model (Llama architecture, 4.5M parameters in the shipped "small"
config) that writes a short "why this item" reason for a storefront item **in slot text**: the
engine's content plan (docs/plan-and-slots.md) says which history titles and facts may be cited, the
prompt (`<|domain|>D<|history|><|@h1|>…<|facts|><|@f1|>F1…<|reason|>` or `…<|new|>…` for a new
visitor) names the slots, and the model answers with words and slot tokens (`<|@item|>`, `<|@h1|>`,
`<|@f1|>`, `<|@noun|>`, `<|@did|>`, …) that the engine fills in deterministically. Titles never
reach the prompt, so the model cannot name a title; it can only point at the plan's slots.
It runs in the browser through @huggingface/transformers (onnxruntime-web, WebGPU or WASM).
Built by `training/` in this repository (`python3 -m training.build`, fine-tuned from
because-reason-v1 with an embedding grown by the 11 v2 tokens at ids 6000-6010); see `docs/training.md`.

## Intended use
- Draft reasons under recommended items, on the visitor's device, **only through the engine**: the
  slot text must be filled from the plan, the decode loop constrains which slots may appear, and the
  open-vocabulary check runs after filling (fallback otherwise).
- **Research use only** (see the data terms below). Not for commercial deployment as is.
- Not for: facts about an item beyond those in the plan (prices, awards, reviews), decisions about
  people, or any text shown without the engine's check.

## Data and terms
{data_terms}
- The targets are these references, delexicalized by the engine's own fact matcher
  (`scripts/prepare-v2.ts`): sentences naming anything outside the plan were dropped; then
  (`scripts/clean-v2.ts`) only targets that the engine's open-vocabulary check accepts as if the page
  were of an untrained domain, with no free-text word bound to one training domain, were kept, and
  their facts re-filled with other values of the same kind (docs/training.md, "because-reason-v2 retrain").
- Consequence: **research use only**. The weights are derived from these data (and from
  because-reason-v1, trained on the same data); check every licence before any other use.
- Split by user and by candidate item (seeded), so evaluation items and users were never seen in training.

## Configuration
{config}

## Metrics (held-out, per target token: slot text + `<|end|>`)
{metrics}

Files: {files} (the fp32 file is not shipped). Graph inputs: input_ids, attention_mask, position_ids,
past_key_values.N.key/value and num_logits_to_keep (0 = every position's logits); grouped-query attention
reads the 2 KV heads without copying them per query head (training/export.py).

## Known failure modes
- The slot text can be ungrammatical once filled (an article or plural that does not fit a fact);
  the engine's filler fixes a/an, lists and casing, not every agreement.
- Unconstrained greedy decoding (30 valid prompts, `node training/sample.mjs`) shows: slots the plan
  does not define (`<|@f2|>`, `<|@f3|>` with only `<|@f1|>` planned: 10 of 30), a planned fact left
  out or repeated, a history claim in new-visitor mode (4 of 30), few templates ("You should watch
  "<|@item|>" because it falls under the genres of ..."), and history-mode text that does not use
  `<|@h1|>` (none of the 14 history rows did). The decode loop must constrain it (src/generation/constraints.ts: only the plan's slots, each
  title/fact slot at most once) and the check must run after filling.
- The references are LLM-written and formulaic ("Based on your history ..."): outputs are too, and
  they can praise the item generically ("immersive") without support in the plan.
- Only English; domains seen in training: games, movies, news, books, products, local businesses.
- Quantized variants (int8, q4) can differ from the PyTorch weights in a few tokens
  (test/integration/parity.test.ts).

## Samples (greedy, held-out test rows, slot text before filling)
{samples}
"""

CARD = """# because-reason-v1

A small decoder-only language model (Llama architecture, trained from scratch) that writes a short,
personal "why this item" reason for a storefront item, given the visitor's recent history and the
item's facts in the prompt format of `docs/prompt-format.md`. It runs in the browser through
@huggingface/transformers (onnxruntime-web, WebGPU or WASM). Built by `training/` in this repository
(`python3 -m training.build`); see `docs/training.md`.

## Intended use
- Draft reasons under recommended items, on the visitor's device. The engine checks every generated
  reason against the item and history facts (grounding check) and falls back to a template otherwise.
- Research and internal prototyping only (see the data terms below). Not for commercial deployment
  as is.
- Not for: facts about an item beyond those in the prompt (prices, awards, reviews), decisions about
  people, or any text shown without the grounding check.

## Data and terms
{data_terms}
- Consequence: **research use only**. The weights are derived from these data; check every licence
  before any other use.
- Split by user and by candidate item (seeded), so evaluation items and users were never seen in training.

## Configuration
{config}

## Metrics (held-out, per reason token)
{metrics}

Files: {files}

## Known failure modes
- **It does not copy the candidate's title.** On held-out items it names the item in none of 60
  greedy reasons (`python3 -m training.probe`); it writes a popular training title (12 %) or an
  invented one. Raw output must not be shown without the grounding check (docs/training.md, "Known gaps").
- The targets are LLM-written and formulaic ("Based on your history ..."): outputs are too. They can
  praise the item generically ("highly acclaimed", "immersive") without support in the prompt.
- It may cite a tag or genre the item does not have, or a history title that the prompt shows but the
  visitor did not connect with; the engine's grounding check is there to catch these.
- Only English; domains seen in training: games, movies, news, books, local businesses.
- Small model: repetition and vague reasons on unusual items or long titles; titles longer than
  80 code points are cut.
- Quantized variants (int8, q4) can differ from fp32 in a few tokens (see test/fixtures/parity/report.json).

## Samples (greedy, held-out test rows)
{samples}
"""


def write_model_card(folder, cfg, metrics, samples, fmt='v1'):
    c = cfg.hf_config()
    config = '\n'.join('- %s: %s' % (k, c[k]) for k in (
        'vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
        'num_key_value_heads', 'head_dim', 'max_position_embeddings', 'tie_word_embeddings'))
    config += '\n- parameters: %.2fM (config "%s")' % (metrics.get('parameters', 0) / 1e6, metrics.get('config_name'))
    hist = metrics.get('train_history') or {}
    m = ['- valid loss %s, test loss %s (nats per target token, fp32 PyTorch)' % (metrics.get('valid_loss'), metrics.get('test_loss'))]
    if hist:
        m.append('- trained %s steps in %ss on %s; best valid loss %s at step %s' % (
            hist.get('steps'), hist.get('seconds'), hist.get('device'), hist.get('best_valid_loss'), hist.get('best_step')))
    m.append('- text metrics (BLEU, ROUGE, USR, factual precision): docs/quality.md (`npm run eval`)')
    files = ', '.join('%s %.1f MB' % (k, v / 1e6) for k, v in (metrics.get('file_bytes') or {}).items())
    s = []
    for x in samples:
        s.append('- prompt: `%s`\n  - generated: %s\n  - reference: %s' % (x['prompt'], x['generated'], x['reference']))
    with open(os.path.join(folder, 'MODEL_CARD.md'), 'w', encoding='utf-8') as f:
        f.write((CARD_V2 if fmt == 'v2' else CARD).format(config=config, metrics='\n'.join(m), files=files, samples='\n'.join(s), data_terms=DATA_TERMS))
