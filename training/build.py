"""One command from raw data to a shipped model folder.

  /usr/bin/python3 -m training.build --data ../shared/data --out public/models/because-reason-v2 \\
      --tokenizer public/models/because-reason-v1 --init-onnx training/out/v1 \\
      [--config small|large|tiny] [--device cpu|cuda] [--minutes 60] [--steps N] [--work training/out/...]

Steps (format v2, the default; docs/plan-and-slots.md): prepare data (training.data) -> plans and
slot targets (`npx tsx scripts/prepare-v2.ts`, the engine's own planner and delexicalizer) ->
tokenizer (v1's + the 11 v2 tokens, or a BPE trained on the split) -> encode -> train (fine-tune from
--init-onnx / --init, or from scratch; or --checkpoint to reuse trained weights) -> export ONNX ->
int8 + q4 -> config files, facts_vocab.json, MODEL_CARD.md, metrics.json.
The fp32 ONNX file stays in --work unless --keep-fp32 (v2 does not ship it).
`--fixtures DIR` uses an already prepared folder (train/valid/test.jsonl, v1 or v2 rows) instead of --data (CI);
`--v2-rows DIR` one written by scripts/prepare-v2.ts.
`--format v1` builds the v1 model (prompt format v1, no slots).
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
from .train import hparams_for, encode_rows, evaluate, row_texts, save_encoded, train
from .slots import V2_ADDED_TOKENS, init_rows

VOCAB = {'tiny': 1200, 'small': 6000, 'medium': 6000, 'large': 6000}


def log(msg):
    print('[build %s] %s' % (time.strftime('%H:%M:%S'), msg), flush=True)


def read_splits(folder):
    return {s: data_mod.read_jsonl(os.path.join(folder, '%s.jsonl' % s)) for s in data_mod.SPLITS}


def prepare_v2(data_dir, out_dir):
    """Plans + slot targets from prepared v1 rows, by the engine's code (one implementation)."""
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = ['npx', 'tsx', os.path.join(root, 'scripts', 'prepare-v2.ts'), '--data', data_dir, '--out', out_dir]
    log('running %s' % ' '.join(cmd))
    subprocess.run(cmd, check=True, cwd=root)


def prepare(args, work):
    """Returns ({split: rows} to train on, rows for facts_vocab.json); writes the prepared JSONL under work/."""
    if args.fixtures or args.v2_rows:
        splits = read_splits(args.fixtures or args.v2_rows)
        log('prepared rows from %s: %s' % (args.fixtures or args.v2_rows, {s: len(v) for s, v in splits.items()}))
        return splits, [r for v in splits.values() for r in v]
    data_dir = os.path.join(work, 'data')
    if args.swap_copies is not None:
        from . import augment
        augment.COPIES = {d: args.swap_copies for d in augment.COPIES}
    splits, counts = data_mod.prepare(args.data, args.seed)
    data_mod.write_prepared(splits, counts, data_dir)
    data_mod.summarize(splits, counts)
    raw = [r for v in splits.values() for r in v]
    if args.format == 'v2':
        v2_dir = os.path.join(work, 'v2')
        prepare_v2(data_dir, v2_dir)
        splits = read_splits(v2_dir)
        log('v2 rows: %s' % {s: len(v) for s, v in splits.items()})
    return splits, raw


def facts_vocab(rows):
    """facts_vocab.json: every attribute value of the raw rows, or (v2 rows only) every planned fact."""
    if rows and 'item' in rows[0]:
        return data_mod.facts_vocab(rows)
    seen = {}
    for r in rows:
        for f in (r.get('plan') or {}).get('facts') or []:
            v = (f.get('value') or '').strip()
            if v:
                seen.setdefault(v.lower(), v)
    return sorted(seen.values(), key=str.lower)


def load_tokenizer(args):
    """--tokenizer, plus the v2 tokens when building v2 from a v1 tokenizer."""
    tok = Tokenizer.load(args.tokenizer)
    if args.format == 'v2' and V2_ADDED_TOKENS[0][0] not in tok.vocab:
        tok = tok.with_added(V2_ADDED_TOKENS)
        log('tokenizer: %s + %d v2 tokens at ids %d-%d' % (args.tokenizer, len(V2_ADDED_TOKENS),
                                                           tok.vocab_size - len(V2_ADDED_TOKENS), tok.vocab_size - 1))
    return tok


def build_tokenizer(args, splits, work):
    tok_dir = os.path.join(work, 'tokenizer')
    texts = [''.join(row_texts(r)) for r in splits['train']]
    t0 = time.time()
    added = V2_ADDED_TOKENS if args.format == 'v2' else ()
    tok = train_bpe(texts, vocab_size=(args.vocab or VOCAB[args.config]) + len(added), added=added)
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


def package(model, tok, vocab_rows, out, metrics, samples, fp32_dir, fmt='v2'):
    """Writes every file of the model folder (contract section 3); the fp32 ONNX goes to fp32_dir."""
    os.makedirs(os.path.join(out, 'onnx'), exist_ok=True)
    tok.save(out, model_max_length=model.config.max_position_embeddings)
    write_hf_configs(model.config, out)
    os.makedirs(fp32_dir, exist_ok=True)
    fp32 = os.path.join(fp32_dir, 'model.onnx')
    export_onnx(model, fp32)
    quantize_model(fp32, os.path.join(out, 'onnx', 'model_quantized.onnx'), 'int8')
    quantize_model(fp32, os.path.join(out, 'onnx', 'model_q4.onnx'), 'q4')
    with open(os.path.join(out, 'facts_vocab.json'), 'w', encoding='utf-8') as f:
        json.dump({'facts': facts_vocab(vocab_rows)}, f, ensure_ascii=False, indent=0)
    sizes = {name: os.path.getsize(os.path.join(out, 'onnx', name)) for name in sorted(os.listdir(os.path.join(out, 'onnx')))}
    metrics = dict(metrics, file_bytes=sizes)
    with open(os.path.join(out, 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=1)
    write_model_card(out, model.config, metrics, samples, fmt)
    log('packaged %s: %s' % (out, sizes))


def sample_reasons(model, tok, rows, n=8, max_new=80):
    from .model import greedy
    out = []
    for row in rows[:n]:
        prompt, reference = row_texts(row)
        ids = greedy(model, tok.encode(prompt), max_new)
        out.append({'prompt': prompt, 'reference': reference, 'generated': tok.decode([i for i in ids if i != 1])})
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
    ap.add_argument('--v2-rows', help='a folder written by scripts/prepare-v2.ts (train/valid/test.jsonl), instead of --data')
    ap.add_argument('--format', choices=['v1', 'v2'], default='v2', help='prompt format / model generation (default v2)')
    ap.add_argument('--init-onnx', help='fine-tune: start from the weights of this model folder (config.json + onnx/model.onnx); the vocabulary grows to the tokenizer\'s')
    ap.add_argument('--keep-fp32', action='store_true', help='also put the fp32 onnx/model.onnx in --out')
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
    ap.add_argument('--dropout', type=float, default=None, help='default: per config (small 0.1)')
    ap.add_argument('--swap-copies', type=int, default=None, help='title-swap copies per row, every domain (default: augment.COPIES)')
    args = ap.parse_args(argv)
    if not (args.data or args.fixtures or args.v2_rows):
        ap.error('give --data, --fixtures or --v2-rows')
    if args.minutes is None and args.steps == 100000:
        args.minutes = 60.0
    work = args.work or os.path.join(os.path.dirname(os.path.abspath(args.out)), '.build-' + args.config)
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    splits, vocab_rows = prepare(args, work)
    tok = load_tokenizer(args) if args.tokenizer else build_tokenizer(args, splits, work)
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
        hp.update({k: v for k, v in (('lr', args.lr), ('warmup', args.warmup), ('dropout', args.dropout)) if v is not None})
        init = None
        if args.init or args.init_onnx:  # fine-tune from these weights (same config; same or grown vocabulary)
            if args.init_onnx:
                from .onnx_weights import load_onnx_model
                start, _ = load_onnx_model(args.init_onnx)
            else:
                start, _ = load_any(args.init)
            if start.config.vocab_size < tok.vocab_size and args.format == 'v2':
                from .onnx_weights import grow_vocab
                log('growing the embedding %d -> %d rows (new rows from related words)' % (start.config.vocab_size, tok.vocab_size))
                start = grow_vocab(start, tok.vocab_size, init_rows(tok))
            if start.config.vocab_size != tok.vocab_size:
                raise SystemExit('init weights have vocab %d, tokenizer has %d' % (start.config.vocab_size, tok.vocab_size))
            init = start.state_dict()
            log('fine-tuning from %s' % (args.init or args.init_onnx))
        model, history = train(cfg, encoded['train'], encoded['valid'], device=args.device, steps=args.steps,
                               minutes=args.minutes, log=log, eval_every=args.eval_every, hparams=hp,
                               threads=args.threads, valid_limit=args.valid_limit, init_state=init,
                               checkpoint_dir=os.path.join(work, 'checkpoints'))
        if args.init or args.init_onnx:
            history['init'] = args.init or args.init_onnx
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
    package(model, tok, vocab_rows, args.out, metrics, samples,
            os.path.join(args.out, 'onnx') if args.keep_fp32 else os.path.join(work, 'onnx-fp32'), args.format)
    log('done in %.1fs' % (time.time() - t0))


if __name__ == '__main__':
    sys.exit(main())
