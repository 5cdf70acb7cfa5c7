"""One accelerator session: train several configs in parallel, score them, bring back checkpoints.

  python3 -m training.remote --encoded .gpu/encoded --tokenizer .gpu/tokenizer --out $OUT \\
      --runs small:3000,small:8000,medium:6000,large:6000 --minutes 5.5 --keep small,medium

Each run is `training.train` in its own process (they share the GPU; each is launch-bound). Every run
of a config named in --keep writes its fp32 state-dict shards (at most 15 MiB each, the transfer limit
is 16 MiB a file) to --out as soon as it ends, so they survive a session that is cut short (the
second session here lost its checkpoints that way). Afterwards every checkpoint is scored on the
test split and gives greedy samples; summary.json names the best run of each kept config. summary.json holds loss histories, test losses, samples and a check of our
tokenizer.json against the HF `tokenizers` library where that library is installed.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import torch

from .model import LlamaConfig, LlamaForCausalLM, greedy, load_checkpoint
from .tokenizer import Tokenizer
from .train import evaluate, load_encoded

SHARD_BYTES = 15 * 1024 * 1024


def save_shards(model, prefix, extra):
    """Writes prefix.0.pt, prefix.1.pt, ... each <= SHARD_BYTES. Returns the paths."""
    sd = {k: v.detach().cpu().float() if v.is_floating_point() else v.detach().cpu() for k, v in model.state_dict().items()}
    parts, cur, size = [], {}, 0
    for k, v in sd.items():
        n = v.numel() * v.element_size()
        if cur and size + n > SHARD_BYTES - 64 * 1024:
            parts.append(cur)
            cur, size = {}, 0
        cur[k] = v
        size += n
    if cur:
        parts.append(cur)
    paths = []
    for i, part in enumerate(parts):
        path = '%s.%d.pt' % (prefix, i)
        torch.save({'config': model.config.__dict__, 'shard': i, 'shards': len(parts), 'state_dict': part,
                    'extra': extra if i == 0 else {}}, path)
        paths.append(path)
    return paths


def _load(path):
    try:
        return torch.load(path, map_location='cpu', weights_only=False)
    except TypeError:  # torch < 1.13
        return torch.load(path, map_location='cpu')


def load_shards(paths):
    """Inverse of save_shards (paths in any order)."""
    state, cfg, extra = {}, None, {}
    for p in sorted(paths):
        ck = _load(p)
        cfg = ck['config']
        state.update(ck['state_dict'])
        extra = ck.get('extra') or extra
    model = LlamaForCausalLM(LlamaConfig(**cfg))
    model.load_state_dict(state, strict=False)
    return model.eval(), extra


def tokenizer_check(tok_dir, strings):
    try:
        from tokenizers import Tokenizer as HFTokenizer
    except Exception as e:  # not installed here
        return {'skipped': str(e)}
    hf = HFTokenizer.from_file(os.path.join(tok_dir, 'tokenizer.json'))
    ours = Tokenizer.load(tok_dir)
    bad = []
    for s in strings:
        a = ours.encode(s)
        b = hf.encode(s, add_special_tokens=False).ids
        if a != b:
            bad.append({'text': s, 'ours': a[:50], 'hf': b[:50]})
    return {'checked': len(strings), 'mismatches': len(bad), 'examples': bad[:5]}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--encoded', required=True)
    ap.add_argument('--tokenizer', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--runs', default='small:3000,small:8000,medium:6000,large:6000')
    ap.add_argument('--minutes', type=float, default=5.5)
    ap.add_argument('--keep', default='small,medium')
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--eval-every', type=int, default=100)
    ap.add_argument('--samples', type=int, default=12)
    ap.add_argument('--eval-limit', type=int, default=None, help='score only N examples (smoke tests)')
    args = ap.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    work = '/tmp/because-remote'
    os.makedirs(work, exist_ok=True)
    t0 = time.time()
    procs = []
    for spec in args.runs.split(','):
        name, steps = spec.split(':')
        tag = '%s-%s' % (name, steps)
        ck = os.path.join(work, tag + '.pt')
        logf = open(os.path.join(work, tag + '.log'), 'w')
        shard = ['--shard-out', args.out, '--tag', tag] if name in args.keep.split(',') else []
        cmd = [sys.executable, '-m', 'training.train', '--encoded', args.encoded, '--config', name, '--out', ck] + shard + [
               '--device', args.device, '--steps', steps, '--minutes', str(args.minutes), '--eval-every', str(args.eval_every)] + (['--valid-limit', str(args.eval_limit)] if args.eval_limit else [])
        procs.append((tag, name, ck, subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT), logf))
        print('started', tag, flush=True)
    while any(p.poll() is None for _, _, _, p, _ in procs):
        time.sleep(15)
        for tag, _, _, _, _ in procs:
            with open(os.path.join(work, tag + '.log')) as f:
                lines = f.read().strip().splitlines()
            print('%6.0fs %s' % (time.time() - t0, lines[-1] if lines else '(no output)'), flush=True)
    for tag, _, _, p, logf in procs:
        logf.close()
        with open(os.path.join(work, tag + '.log')) as f:
            print('==== %s (rc %s)\n%s' % (tag, p.returncode, f.read()), flush=True)
    device = torch.device(args.device)
    test_ex = load_encoded(os.path.join(args.encoded, 'test.npz'))
    valid_ex = load_encoded(os.path.join(args.encoded, 'valid.npz'))
    tok = Tokenizer.load(args.tokenizer)
    summary = {'runs': {}, 'wall_s': None}
    for tag, name, ck, p, _ in procs:
        if p.returncode != 0 or not os.path.exists(ck):
            summary['runs'][tag] = {'failed': p.returncode}
            continue
        model, extra = load_checkpoint(ck)
        model = model.to(device)
        r = {'config': name, 'parameters': model.num_parameters(), 'history': extra.get('history'),
             'valid_loss': round(evaluate(model, valid_ex, device, limit=args.eval_limit), 4),
             'test_loss': round(evaluate(model, test_ex, device, limit=args.eval_limit), 4)}
        model = model.cpu()
        r['samples'] = []
        for ids, plen in test_ex[:args.samples]:
            out = greedy(model, ids[:plen], 80)
            r['samples'].append({'prompt': tok.decode(ids[:plen]), 'reference': tok.decode(ids[plen:-1]),
                                 'generated': tok.decode([i for i in out if i != 1])})
        summary['runs'][tag] = r
        print('%s: valid %.4f test %.4f' % (tag, r['valid_loss'], r['test_loss']), flush=True)
        print('  sample: %s' % r['samples'][0]['generated'], flush=True)
    for name in args.keep.split(','):
        cands = [(r['valid_loss'], tag) for tag, r in summary['runs'].items() if r.get('config') == name]
        if not cands:
            continue
        _, tag = min(cands)
        summary['best_' + name] = tag  # its shards: <out>/ckpt-<tag>.N.pt, written by training.train
        print('best %s run: %s' % (name, tag), flush=True)
    strings = []
    for ids, plen in valid_ex[:1500]:
        strings += [tok.decode(ids[:plen]), tok.decode(ids[plen:-1])]
    strings += ['Hello wörld — 😀👍🏽 日本語のテキスト  ', "it's  \t\n tab  ", 'Ñandú café naïve', 'x' * 300]
    summary['tokenizer_check'] = tokenizer_check(args.tokenizer, strings)
    print('tokenizer check:', json.dumps(summary['tokenizer_check'])[:500], flush=True)
    summary['wall_s'] = round(time.time() - t0, 1)
    summary['device'] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'cpu'
    summary['torch'] = torch.__version__
    with open(os.path.join(args.out, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1, ensure_ascii=False)
    print('done in %.1fs' % (time.time() - t0), flush=True)


if __name__ == '__main__':
    main()
