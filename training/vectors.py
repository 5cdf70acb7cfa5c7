"""Writes the cross-language fixtures for the shipped model folder.

  /usr/bin/python3 -m training.vectors --model public/models/because-reason-v2 \\
      --checkpoint <work>/checkpoint.pt --rows <v2 rows>/test.jsonl --root .

- test/fixtures/tokenizer-vectors.json: 500 held-out strings (test-split prompts, reasons, titles, plus
  emoji, CJK, accents, RTL, whitespace and very long titles) with the ids and decode of our Python
  tokenizer; test/integration/tokenizer.test.ts checks transformers.js gives the same.
- test/fixtures/parity/fixture.json: 20 test-split prompts with PyTorch last-position logits
  (a slice: top 32 ids + 32 fixed ids, with sum and sum of squares of all logits) and PyTorch greedy ids;
  test/integration/parity.test.ts checks onnxruntime-node and transformers.js against them.
  The reference model: when the folder ships no fp32 `onnx/model.onnx` (v2), the PyTorch model with
  the int8 file's dequantized weights (training.quantize.int8_reference_model), checked against
  `onnx/model_quantized.onnx` at fp32 tolerance; the fp32 PyTorch greedy ids and logits are stored
  too (`fp32_*`), for the quantization-error bound and the q8/q4 agreement report.
  Prompts whose greedy path has a top-1/top-2 logit margin under 0.01 at some step are skipped (such
  near-ties flip on rounding noise alone); the skip count is recorded.
"""
import argparse
import glob
import hashlib
import json
import os
import random

import torch

from .data import read_jsonl
from .model import load_checkpoint
from .quantize import int8_reference_model
from .tokenizer import END_ID, Tokenizer
from .train import row_texts

SPECIAL_STRINGS = [
    'Portal 2 😀👍🏽 co-op 🎮', 'family 👨‍👩‍👧‍👦 and flags 🇯🇵🇫🇷', 'ゼルダの伝説 ブレス オブ ザ ワイルド', '原神 Genshin Impact',
    '스타크래프트 II', 'Café Crème brûlée — naïve façade', 'Cafe\u0301 (combining accent)', 'Ñandú São Paulo Zürich Øresund',
    'מלחמת הכוכבים', 'حرب النجوم', 'Ελληνικά και русский текст', "it's we're they've I'm you'll he'd IT'S",
    'tabs\tand\nnewlines\r\n and   three spaces', '   leading and trailing   ', '', ' ', '1234567890 3.14 1,000,000 $19.99 50%',
    '<|reason|> inside text <|end|>', 'broken <| marker |> here', '<|pad|><|end|><|domain|>', 'a<|sep|>b<|item|>c',
    '<|domain|>game<|history|><|@h1|><|@h2|><|facts|><|@f1|>Co-op<|@f2|>FPS<|reason|>',
    'Because you <|@did|> <|@h1|>, <|@item|> is a<|@f1|><|@noun|>.<|end|>', '<|new|><|facts|><|@f3|><|@nouns|>',
    'broken slots <|@ item|> <|@itemx|> <@f1> |@h1| <|@H1|>', '<|@@item|>>', 'Ｆｕｌｌｗｉｄｔｈ ＡＢＣ', 'math ∑∫√∞ ≤≥ ±', 'zero\u200bwidth\u200djoiner', 'ligature ﬁ ﬂ', 'snowman ☃ and ❤️ heart',
    '🏳️‍🌈 🧑🏿‍🚀', 'Tom Clancy\'s Rainbow Six® Siege™', 'Sid Meier\'s Civilization® V', 'South Park™: The Stick of Truth™',
]


def long_titles(rng, n):
    words = ['Deluxe', 'Edition', 'Remastered', 'Collector\'s', 'Anniversary', 'Part', 'Two', 'Chronicles', 'of',
             'the', 'Forgotten', 'Realm', 'Über', 'Señor', '東京', '🚀', 'GOTY', '2024', 'Director\'s', 'Cut']
    return [' '.join(rng.choice(words) for _ in range(rng.randint(40, 90))) for _ in range(n)]


def tokenizer_vectors(tok, rows, n=500, seed=7):
    rng = random.Random(seed)
    strings = list(SPECIAL_STRINGS) + long_titles(rng, 20)
    pool = []
    for r in rows:
        prompt, target = row_texts(r)
        title = (r.get('item') or (r.get('plan') or {}).get('item') or {}).get('title') or ''
        pool += [prompt, target, title]
    rng.shuffle(pool)
    seen = set(strings)
    for s in pool:
        if len(strings) >= n:
            break
        if s not in seen:
            seen.add(s)
            strings.append(s)
    out = []
    for s in strings[:n]:
        ids = tok.encode(s)
        out.append({'text': s, 'ids': ids, 'decoded': tok.decode(ids)})
    return out


def _margins_and_greedy(model, ids, new_tokens):
    """PyTorch greedy ids (full recompute each step, no cache) and the smallest top-1/top-2 margin."""
    seq = list(ids)
    out, margin = [], float('inf')
    with torch.no_grad():
        for _ in range(new_tokens):
            x = torch.tensor([seq])
            logits, _ = model(x, attention_mask=torch.ones_like(x))
            last = logits[0, -1]
            top = torch.topk(last, 2)
            margin = min(margin, float(top.values[0] - top.values[1]))
            nxt = int(top.indices[0])
            out.append(nxt)
            if nxt == END_ID:
                break
            seq.append(nxt)
    return out, margin


def _logit_slice(model, ids, slice_ids=None):
    with torch.no_grad():
        x = torch.tensor([ids])
        logits, _ = model(x, attention_mask=torch.ones_like(x))
    last = logits[0, -1].double()
    if slice_ids is None:
        slice_ids = torch.topk(last, 32).indices.tolist()
    return slice_ids, {'ids': slice_ids, 'values': [round(float(last[i]), 6) for i in slice_ids],
                       'sum': float(last.sum()), 'sumsq': float((last * last).sum())}


def parity_fixture(model, tok, rows, n=20, new_tokens=24, seed=11, fp32=None):
    """model: the reference the ONNX file must match; fp32: the trained weights, when model is their
    int8 reference (then fp32_logits / fp32_greedy_ids are stored as well)."""
    rng = random.Random(seed)
    rows = list(rows)
    rng.shuffle(rows)
    # a mix of sources, in a stable order
    by_source = {}
    for r in rows:
        by_source.setdefault(r['source'], []).append(r)
    ordered = []
    while any(by_source.values()):
        for src in sorted(by_source):
            if by_source[src]:
                ordered.append(by_source[src].pop())
    fixed_ids = sorted(rng.sample(range(model.config.vocab_size), 32))
    cases, skipped = [], 0
    model.eval()
    for r in ordered:
        if len(cases) >= n:
            break
        prompt = row_texts(r)[0]
        ids = tok.encode(prompt)
        greedy_ids, margin = _margins_and_greedy(model, ids, new_tokens)
        if margin < 0.01:
            skipped += 1
            continue
        top, _ = _logit_slice(model, ids)
        _, logits = _logit_slice(model, ids, top + fixed_ids)
        case = {'id': r['id'], 'prompt': prompt, 'input_ids': ids, 'logits': logits,
                'greedy_ids': greedy_ids, 'min_margin': round(margin, 5)}
        if fp32 is not None:
            case['fp32_logits'] = _logit_slice(fp32, ids, top + fixed_ids)[1]
            case['fp32_greedy_ids'] = _margins_and_greedy(fp32, ids, new_tokens)[0]
        cases.append(case)
    return {'new_tokens': new_tokens, 'skipped_near_ties': skipped, 'cases': cases}


def file_sha(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True, help='shipped model folder (tokenizer.json, onnx/)')
    ap.add_argument('--checkpoint', required=True, help='PyTorch checkpoint of those weights (X.pt or X.0.pt shards)')
    ap.add_argument('--rows', required=True, help='held-out rows (test.jsonl)')
    ap.add_argument('--root', default='.', help='repository root (fixtures go under test/fixtures)')
    args = ap.parse_args(argv)
    tok = Tokenizer.load(args.model)
    rows = read_jsonl(args.rows)
    if args.checkpoint.endswith('.0.pt'):
        from .remote import load_shards
        model, _ = load_shards(glob.glob(args.checkpoint[:-len('0.pt')] + '*.pt'))
    else:
        model, _ = load_checkpoint(args.checkpoint)
    model = model.float().eval()
    fx = os.path.join(args.root, 'test', 'fixtures')
    os.makedirs(os.path.join(fx, 'parity'), exist_ok=True)
    vecs = tokenizer_vectors(tok, rows)
    with open(os.path.join(fx, 'tokenizer-vectors.json'), 'w', encoding='utf-8') as f:
        json.dump({'source': 'training/vectors.py from the held-out test split + hand-written edge cases',
                   'tokenizer_sha256': file_sha(os.path.join(args.model, 'tokenizer.json')), 'vectors': vecs},
                  f, ensure_ascii=False)
    fp32_file = os.path.join(args.model, 'onnx', 'model.onnx')
    if os.path.exists(fp32_file):
        par = parity_fixture(model, tok, rows)
        par.update(model_file='onnx/model.onnx', reference='PyTorch fp32')
    else:
        par = parity_fixture(int8_reference_model(model), tok, rows, fp32=model)
        par.update(model_file='onnx/model_quantized.onnx', reference='PyTorch with the int8 file\'s dequantized weights')
    par['model'] = os.path.basename(os.path.normpath(args.model))
    par['model_sha256'] = file_sha(os.path.join(args.model, par['model_file']))
    with open(os.path.join(fx, 'parity', 'fixture.json'), 'w', encoding='utf-8') as f:
        json.dump(par, f, ensure_ascii=False)
    print('tokenizer vectors: %d; parity cases: %d (skipped near-ties: %d)' % (len(vecs), len(par['cases']), par['skipped_near_ties']))


if __name__ == '__main__':
    main()
