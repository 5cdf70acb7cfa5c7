"""Held-out pairs that are held out in two prepared splits (for a model fine-tuned across splits).

Usage: python3 -m training.clean_split --a training/out/data-enriched --b training/out/build-ft/data \
           --out training/out/data-clean

Keeps the test rows of split B that are also test rows of split A and whose candidate title is a
training candidate in neither; train/valid are copied from A (the retrieval baseline's neighbours).
"""
import argparse
import os
import shutil

from .data import read_jsonl, write_jsonl


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--a', required=True)
    ap.add_argument('--b', required=True)
    ap.add_argument('--out', required=True)
    args = ap.parse_args(argv)
    test_a = {r['id'] for r in read_jsonl(os.path.join(args.a, 'test.jsonl'))}
    seen = {r['item']['title'].lower() for d in (args.a, args.b) for r in read_jsonl(os.path.join(d, 'train.jsonl'))}
    keep = [r for r in read_jsonl(os.path.join(args.b, 'test.jsonl'))
            if r['id'] in test_a and r['item']['title'].lower() not in seen]
    os.makedirs(args.out, exist_ok=True)
    write_jsonl(os.path.join(args.out, 'test.jsonl'), keep)
    write_jsonl(os.path.join(args.out, 'xrec_test.jsonl'), [r for r in keep if 'xrec_prediction' in r])
    for s in ('train', 'valid'):
        shutil.copy(os.path.join(args.a, '%s.jsonl' % s), os.path.join(args.out, '%s.jsonl' % s))
    print('kept %d test pairs' % len(keep))


if __name__ == '__main__':
    main()
