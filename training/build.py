"""One command from raw data to a shipped model folder.

  /usr/bin/python3 -m training.build --data ../shared/data --out public/models/because-reason-v1 \\
      [--config small|large|tiny] [--device cpu|cuda] [--minutes 60] [--steps N] [--work training/out]

Steps: prepare data (training.data) -> train the BPE tokenizer on the training split -> encode ->
train (or --checkpoint to reuse a trained one) -> export fp32 ONNX -> int8 + q4 -> config files,
facts_vocab.json, MODEL_CARD.md, metrics.json.
`--fixtures DIR` uses an already prepared folder (train/valid/test.jsonl) instead of --data (CI).
"""
import argparse
import json
import os
import shutil
import sys
import time

import torch

from . import data as data_mod
from .export import export_onnx
from .model import load_checkpoint, make_config, save_checkpoint, write_hf_configs
from .model_card import write_model_card
from .quantize import quantize_model
from .tokenizer import Tokenizer, train_bpe
from .train import hparams_for, encode_rows, evaluate, save_encoded, train
from .prompt import row_prompt

VOCAB = {'tiny': 1200, 'small': 6000, 'medium': 6000, 'large': 6000}


def log(msg):
    print('[build %s] %s' % (time.strftime('%H:%M:%S'), msg), flush=True)


def prepare(args, work):
    """Returns {split: rows} and writes the prepared JSONL under work/data."""
    data_dir = os.path.join(work, 'data')
    if args.fixtures:
        splits = {s: data_mod.read_jsonl(os.path.join(args.fixtures, '%s.jsonl' % s)) for s in data_mod.SPLITS}
        log('fixture rows: %s' % {s: len(v) for s, v in splits.items()})
        return splits
    if args.swap_copies is not None:
        from . import augment
        augment.COPIES = {d: args.swap_copies for d in augment.COPIES}
    splits, counts = data_mod.prepare(args.data, args.seed)
    data_mod.write_prepared(splits, counts, data_dir)
    data_mod.summarize(splits, counts)
    return splits


def build_tokenizer(args, splits, work):
    tok_dir = os.path.join(work, 'tokenizer')
    texts = [row_prompt(r) + r['reason'] for r in splits['train']]
    t0 = time.time()
    tok = train_bpe(texts, vocab_size=args.vocab or VOCAB[args.config])
    tok.save(tok_dir)
    log('tokenizer: %d tokens, %d merges, %.1fs' % (tok.vocab_size, len(tok.merges), time.time() - t0))
    return tok


def encode(tok, splits, work):
    enc_dir = os.path.join(work, 'encoded')
    os.makedirs(enc_dir, exist_ok=True)
    out = {}
    for s in ('train', 'valid', 'test'):
        counts = {}
        out[s] = encode_rows(tok, splits[s], counts)
        save_encoded(os.path.join(enc_dir, '%s.npz' % s), out[s])
        log('encoded %s: %d examples; skipped %s' % (s, len(out[s]), counts or 'none'))
    with open(os.path.join(enc_dir, 'meta.json'), 'w') as f:
        json.dump({'vocab_size': tok.vocab_size}, f)
    return out


def package(model, tok, splits, out, metrics, samples):
    """Writes every file of the model folder (contract section 3)."""
    os.makedirs(os.path.join(out, 'onnx'), exist_ok=True)
    tok.save(out, model_max_length=model.config.max_position_embeddings)
    write_hf_configs(model.config, out)
    fp32 = os.path.join(out, 'onnx', 'model.onnx')
    export_onnx(model, fp32)
    quantize_model(fp32, os.path.join(out, 'onnx', 'model_quantized.onnx'), 'int8')
    quantize_model(fp32, os.path.join(out, 'onnx', 'model_q4.onnx'), 'q4')
    rows = splits['train'] + splits['valid'] + splits['test']
    with open(os.path.join(out, 'facts_vocab.json'), 'w', encoding='utf-8') as f:
        json.dump({'facts': data_mod.facts_vocab(rows)}, f, ensure_ascii=False, indent=0)
    sizes = {name: os.path.getsize(os.path.join(out, 'onnx', name)) for name in sorted(os.listdir(os.path.join(out, 'onnx')))}
    metrics = dict(metrics, file_bytes=sizes)
    with open(os.path.join(out, 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=1)
    write_model_card(out, model.config, metrics, samples)
    log('packaged %s: %s' % (out, sizes))


def sample_reasons(model, tok, rows, n=8, max_new=80):
    from .model import greedy
    out = []
    for row in rows[:n]:
        prompt = row_prompt(row)
        ids = greedy(model, tok.encode(prompt), max_new)
        out.append({'prompt': prompt, 'reference': row['reason'], 'generated': tok.decode([i for i in ids if i != 1])})
    return out


def load_any(path):
    """A checkpoint: X.pt (training.train / build) or X.0.pt and its sibling shards (training.remote)."""
    if path.endswith('.0.pt'):
        import glob
        from .remote import load_shards
        return load_shards(glob.glob(path[:-len('0.pt')] + '*.pt'))
    return load_checkpoint(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', help='the shared data folder (llmxrec-rec-reasons/, xrec-explanations/)')
    ap.add_argument('--fixtures', help='a prepared folder (train/valid/test.jsonl), instead of --data')
    ap.add_argument('--out', required=True, help='model folder to write (transformers.js layout)')
    ap.add_argument('--work', default=None, help='scratch folder (default: <out>/../.build-<config>)')
    ap.add_argument('--config', choices=['tiny', 'small', 'medium', 'large'], default='small')
    ap.add_argument('--device', default='cpu')
    ap.add_argument('--steps', type=int, default=100000)
    ap.add_argument('--minutes', type=float, default=None, help='wall-clock training budget')
    ap.add_argument('--eval-every', type=int, default=200)
    ap.add_argument('--vocab', type=int, default=None)
    ap.add_argument('--valid-limit', type=int, default=None, help='score only the first N valid examples during training')
    ap.add_argument('--seed', type=int, default=13)
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--checkpoint', help='skip training: package this checkpoint (X.pt, or X.0.pt for shards; use --tokenizer too)')
    ap.add_argument('--tokenizer', help='use this tokenizer folder instead of training one')
    ap.add_argument('--prepare-only', action='store_true', help='stop after data, tokenizer and encoding')
    ap.add_argument('--init', help='fine-tune: start from these weights (X.pt or X.0.pt shards); needs --tokenizer')
    ap.add_argument('--lr', type=float, default=None, help='peak learning rate (default: per config)')
    ap.add_argument('--warmup', type=int, default=None)
    ap.add_argument('--swap-copies', type=int, default=None, help='title-swap copies per row, every domain (default: augment.COPIES)')
    args = ap.parse_args(argv)
    if not args.data and not args.fixtures:
        ap.error('give --data or --fixtures')
    if args.minutes is None and args.steps == 100000:
        args.minutes = 60.0
    work = args.work or os.path.join(os.path.dirname(os.path.abspath(args.out)), '.build-' + args.config)
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    splits = prepare(args, work)
    tok = Tokenizer.load(args.tokenizer) if args.tokenizer else build_tokenizer(args, splits, work)
    encoded = encode(tok, splits, work)
    if args.prepare_only:  # e.g. to copy work/encoded + work/tokenizer to a GPU machine (training.remote)
        log('prepared %s (encoded/, tokenizer/); stopping before training' % work)
        return
    if args.checkpoint:
        model, extra = load_any(args.checkpoint)
        history = extra.get('history', {})
        log('loaded %s' % args.checkpoint)
    else:
        cfg = make_config(args.config, tok.vocab_size)
        hp = hparams_for(args.config, args.device)
        hp.update({k: v for k, v in (('lr', args.lr), ('warmup', args.warmup)) if v is not None})
        init = None
        if args.init:  # fine-tune from these weights (same config and tokenizer)
            start, _ = load_any(args.init)
            if start.config.vocab_size != tok.vocab_size:
                raise SystemExit('--init weights have vocab %d, tokenizer has %d' % (start.config.vocab_size, tok.vocab_size))
            init = start.state_dict()
            log('fine-tuning from %s' % args.init)
        model, history = train(cfg, encoded['train'], encoded['valid'], device=args.device, steps=args.steps,
                               minutes=args.minutes, log=log, eval_every=args.eval_every, hparams=hp,
                               threads=args.threads, valid_limit=args.valid_limit, init_state=init)
        if args.init:
            history['init'] = args.init
        model = model.cpu()
    model = model.float().eval()
    # The packaged weights, for training.vectors (parity fixtures) and later re-exports.
    save_checkpoint(model, os.path.join(work, 'checkpoint.pt'), extra={'history': history, 'config_name': args.config})
    metrics = {'config_name': args.config, 'parameters': model.num_parameters(), 'train_history': history,
               'valid_loss': round(evaluate(model, encoded['valid'], torch.device('cpu')), 4),
               'test_loss': round(evaluate(model, encoded['test'], torch.device('cpu')), 4),
               'rows': {s: len(v) for s, v in splits.items()}, 'examples': {s: len(v) for s, v in encoded.items()}}
    log('valid loss %.4f, test loss %.4f' % (metrics['valid_loss'], metrics['test_loss']))
    samples = sample_reasons(model, tok, splits['test'], n=6)
    package(model, tok, splits, args.out, metrics, samples)
    log('done in %.1fs' % (time.time() - t0))


if __name__ == '__main__':
    sys.exit(main())
