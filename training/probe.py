"""Title probe: does the model name the candidate item, or another item it memorised?

  /usr/bin/python3 -m training.probe --checkpoint CKPT --tokenizer DIR --rows training/out/data/valid.jsonl
      [--train training/out/data/train.jsonl] [--n 60]

For held-out LLMXRec rows (unseen items), greedy PyTorch output (fp32, up to 80 tokens) is checked for
  - `names_item`: the candidate title (or its "The X" spoken form) appears,
  - `names_other_candidate`: a candidate title of the training split that is not this row's item
    (nor one of its history titles) appears, i.e. a memorised item leaks into an unseen item's reason.
A quick check of the failure the title-swap augmentation targets; text metrics live in `npm run eval`.
"""
import argparse
import json
import re

import torch

from .augment import spoken
from .build import load_any
from .data import read_jsonl
from .model import greedy
from .prompt import row_prompt
from .tokenizer import END_ID, Tokenizer


def _has(text, title):
    return any(re.search(r'(?<!\w)' + re.escape(t) + r'(?!\w)', text, re.I) for t in {title, spoken(title)} if len(t) >= 4)


def probe(model, tok, rows, train_rows, n=60):
    train_titles = {r['item']['title'] for r in train_rows if r['source'].startswith('llmxrec') and not r.get('augmented')}
    rows = [r for r in rows if r['source'].startswith('llmxrec')][:n]
    named, other, samples = 0, 0, []
    for r in rows:
        out = greedy(model, tok.encode(row_prompt(r)), 80)
        text = tok.decode([i for i in out if i != END_ID])
        hist = {h['title'].lower() for h in r['user']['history']}
        leaks = [t for t in train_titles if t.lower() != r['item']['title'].lower() and t.lower() not in hist and _has(text, t)]
        named += _has(text, r['item']['title'])
        other += bool(leaks)
        if len(samples) < 6:
            samples.append({'item': r['item']['title'], 'generated': text, 'leaked': leaks[:3]})
    return {'rows': len(rows), 'names_item': round(named / max(len(rows), 1), 3),
            'names_other_candidate': round(other / max(len(rows), 1), 3), 'samples': samples}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--checkpoint', required=True)
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--rows', required=True)
    ap.add_argument('--train', default='training/out/data/train.jsonl')
    ap.add_argument('--n', type=int, default=60)
    ap.add_argument('--threads', type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, _ = load_any(args.checkpoint)
    result = probe(model.eval(), Tokenizer.load(args.tokenizer), read_jsonl(args.rows), read_jsonl(args.train), args.n)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == '__main__':
    main()
