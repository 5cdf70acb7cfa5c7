"""Training: negative log-likelihood of the reason tokens (+ <|end|>) given the prompt.

Usage (normally called by training.build):
  python3 -m training.train --encoded DIR --config small --out ckpt.pt [--device cuda] [--minutes 5]
DIR holds train.npz / valid.npz written by `encode_split` (token ids + prompt lengths), so a GPU
machine needs neither the raw data nor the tokenizer code path.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from . import distributed as dist
from .model import LlamaForCausalLM, make_config, save_checkpoint
from .prompt import row_prompt
from .tokenizer import END_ID, PAD_ID

MAX_LEN = 384

# Per-config optimisation defaults (batch = tokens per step, incl. padding).
HPARAMS = {
    'tiny': dict(lr=3e-3, batch_tokens=2048, warmup=30, weight_decay=0.01, dropout=0.0),
    'small': dict(lr=1.5e-3, batch_tokens=16384, warmup=200, weight_decay=0.1, dropout=0.1),
    'medium': dict(lr=1.2e-3, batch_tokens=16384, warmup=200, weight_decay=0.1, dropout=0.1),
    'large': dict(lr=8e-4, batch_tokens=16384, warmup=300, weight_decay=0.1, dropout=0.15),
}
# On CPU, smaller batches give more updates per hour.
CPU_BATCH_TOKENS = 4096


def hparams_for(config, device):
    hp = dict(HPARAMS[config])
    if str(device).startswith('cpu'):
        hp['batch_tokens'] = min(hp['batch_tokens'], CPU_BATCH_TOKENS)
        hp['warmup'] = min(hp['warmup'], 50)
    return hp


def row_texts(row):
    """(prompt, target) of a prepared row: v2 rows (scripts/prepare-v2.ts) carry both, `target` in
    slot text; v1 rows (training.data) carry the raw data, prompt built by training.prompt."""
    if 'prompt' in row and 'target' in row:
        target = row['target']
        end = '<|end|>'
        return row['prompt'], target[:-len(end)] if target.endswith(end) else target
    return row_prompt(row), row['reason']


def encode_rows(tok, rows, counts=None, max_len=MAX_LEN):
    """[(ids, prompt_len)]: prompt + target + <|end|>; rows longer than max_len are counted and skipped."""
    out = []
    for row in rows:
        prompt, target = row_texts(row)
        p = tok.encode(prompt)
        r = tok.encode(target) + [END_ID]
        if len(p) + len(r) > max_len:
            if counts is not None:
                counts['too-long (> %d tokens)' % max_len] = counts.get('too-long (> %d tokens)' % max_len, 0) + 1
            continue
        out.append((p + r, len(p)))
    return out


def save_encoded(path, examples):
    ids = np.concatenate([np.asarray(e[0], dtype=np.int32) for e in examples]) if examples else np.zeros(0, np.int32)
    lens = np.asarray([len(e[0]) for e in examples], dtype=np.int32)
    plens = np.asarray([e[1] for e in examples], dtype=np.int32)
    np.savez_compressed(path, ids=ids, lens=lens, plens=plens)


def load_encoded(path):
    d = np.load(path)
    ids, lens, plens = d['ids'], d['lens'], d['plens']
    offs = np.concatenate([[0], np.cumsum(lens)])
    return [(ids[offs[i]:offs[i + 1]].tolist(), int(plens[i])) for i in range(len(lens))]


def make_batches(examples, batch_tokens, rng, shuffle=True):
    """Length-bucketed batches of example indices whose padded size stays under batch_tokens."""
    order = list(range(len(examples)))
    if shuffle:
        rng.shuffle(order)
    batches = []
    chunk = 2048
    for c in range(0, len(order), chunk):
        part = sorted(order[c:c + chunk], key=lambda i: len(examples[i][0]))
        cur, longest = [], 0
        for i in part:
            n = len(examples[i][0])
            if cur and max(longest, n) * (len(cur) + 1) > batch_tokens:
                batches.append(cur)
                cur, longest = [], 0
            cur.append(i)
            longest = max(longest, n)
        if cur:
            batches.append(cur)
    if shuffle:
        rng.shuffle(batches)
    return batches


def collate(examples, idx, device):
    """Right-padded inputs and labels (-100 outside the reason tokens)."""
    n = max(len(examples[i][0]) for i in idx)
    x = torch.full((len(idx), n), PAD_ID, dtype=torch.long)
    y = torch.full((len(idx), n), -100, dtype=torch.long)
    for r, i in enumerate(idx):
        ids, plen = examples[i]
        t = torch.tensor(ids, dtype=torch.long)
        x[r, :len(ids)] = t
        # label at position j is token j+1; reason tokens start at plen.
        y[r, plen - 1:len(ids) - 1] = t[plen:]
    return x.to(device), y.to(device)


def loss_fn(model, x, y):
    """(summed NLL of the labelled positions, their count); logits only where there is a label."""
    at = y != -100
    logits, _ = model(x, logits_at=at)
    return F.cross_entropy(logits.float(), y[at], reduction='sum'), int(at.sum())


def autocast(device):
    if device.type == 'cuda':
        return torch.autocast('cuda', dtype=torch.bfloat16)
    return torch.autocast('cpu', enabled=False)


@torch.no_grad()
def evaluate(model, examples, device, batch_tokens=16384, limit=None, shard=False):
    """Mean NLL per target token. shard: under torch.distributed, each rank scores its share of the
    batches and the sums are all-reduced (every rank must call it then)."""
    model.eval()
    ex = examples[:limit] if limit else examples
    total, count = 0.0, 0
    batches = make_batches(ex, batch_tokens, random.Random(0), shuffle=False)
    if shard:
        batches = batches[dist.rank()::dist.world_size()]
    for idx in batches:
        x, y = collate(ex, idx, device)
        with autocast(device):
            loss, n = loss_fn(model, x, y)
        total += float(loss)
        count += n
    if shard:
        total, count = dist.all_sum([total, count], device)
    model.train()
    return total / max(count, 1)


def train(cfg, train_ex, valid_ex, device='cpu', steps=1000, minutes=None, seed=0, log=print, eval_every=200,
          valid_limit=None, hparams=None, threads=None, init_state=None, checkpoint_dir=None):
    """Trains and returns (best model on valid loss, history dict). init_state: start weights (fine-tuning).
    checkpoint_dir: after every evaluation, the best weights so far go to best.pt there and the
    history to history.json (a long CPU run can be packaged or resumed from them if it is stopped).

    Under torchrun (training.distributed) every rank builds the same batch list; each step's batch
    is split across the ranks (rows r, r+N, ...), each rank's summed loss is scaled by N / (target
    tokens of the whole batch) and DDP averages the gradients: the update is the single-process one."""
    device = dist.setup(device)
    world, rank = dist.world_size(), dist.rank()
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    hp = dict(hparams or {})
    cfg.dropout = hp.get('dropout', cfg.dropout)
    model = LlamaForCausalLM(cfg)
    if init_state is not None:
        model.load_state_dict(init_state, strict=False)
    model = model.to(device)
    log('model: %.2fM parameters, config %s%s' % (model.num_parameters() / 1e6, json.dumps(cfg.__dict__),
                                                 ', %d processes (DDP)' % world if world > 1 else ''))
    net = model
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == 'cuda' else None)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': hp['weight_decay']}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=hp['lr'], betas=(0.9, 0.95), eps=1e-8)
    rng = random.Random(seed)
    batches = []
    start = time.time()
    history = {'step': [], 'train_loss': [], 'valid_loss': [], 'elapsed_s': [], 'tokens': []}
    best = (float('inf'), None, 0)
    run_loss, run_n, seen_tokens = 0.0, 0, 0
    step = 0
    model.train()
    while True:
        if not batches:
            batches = make_batches(train_ex, hp['batch_tokens'], rng)
        idx = batches.pop()
        mine = idx[rank::world]
        weight = 1.0
        if not mine:  # fewer rows than ranks: run a row with weight 0 so every rank joins the all-reduce
            mine, weight = idx[:1], 0.0
        x, y = collate(train_ex, mine, device)
        n_local = int((y != -100).sum()) if weight else 0
        # one all-reduce: the whole batch's target tokens, and the mean clock (all ranks agree on progress)
        n_all, elapsed = dist.all_sum([n_local, time.time() - start], device)
        elapsed /= world
        progress = step / steps if not minutes else max(step / steps, elapsed / (minutes * 60.0))
        if progress >= 1.0:
            break
        lr = hp['lr'] * min(1.0, (step + 1) / hp['warmup']) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))
        for g in opt.param_groups:
            g['lr'] = lr
        with autocast(device):
            loss, n = loss_fn(net, x, y)
        opt.zero_grad(set_to_none=True)
        (loss * (weight * world / max(n_all, 1))).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run_loss += float(loss.detach()) * weight
        run_n += n_local
        seen_tokens += x.numel()
        step += 1
        if step % eval_every == 0:
            v = evaluate(model, valid_ex, device, limit=valid_limit, shard=world > 1)
            t_sum, t_n, seen_all = dist.all_sum([run_loss, run_n, seen_tokens], device)
            t = t_sum / max(t_n, 1)
            run_loss, run_n = 0.0, 0
            history['step'].append(step)
            history['train_loss'].append(round(t, 4))
            history['valid_loss'].append(round(v, 4))
            history['elapsed_s'].append(round(time.time() - start, 1))
            history['tokens'].append(int(seen_all))
            log('step %d  train %.4f  valid %.4f  lr %.2e  %.1fs  %.1f steps/s' % (step, t, v, lr, time.time() - start, step / (time.time() - start)))
            if v < best[0]:
                best = (v, {k: t_.detach().clone() for k, t_ in model.state_dict().items()}, step)
                if checkpoint_dir and dist.is_main():
                    _save_best(model, checkpoint_dir, history, best)
            if checkpoint_dir and dist.is_main():
                with open(os.path.join(checkpoint_dir, 'history.json'), 'w') as f:
                    json.dump(dict(history, best_valid_loss=round(best[0], 4), best_step=best[2]), f)
    v = evaluate(model, valid_ex, device, limit=valid_limit, shard=world > 1)
    log('final step %d valid %.4f (%.1fs)' % (step, v, time.time() - start))
    if v <= best[0] or best[1] is None:
        best = (v, None, step)
    else:
        model.load_state_dict(best[1])
    history.update({'best_valid_loss': round(best[0], 4), 'best_step': best[2], 'steps': step,
                    'seconds': round(time.time() - start, 1), 'device': str(device), 'processes': world})
    model.eval()
    return model, history


def _save_best(model, folder, history, best):
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, 'best.pt.tmp')
    torch.save({'config': {k: v for k, v in model.config.__dict__.items()},
                'state_dict': {k: v.cpu() for k, v in best[1].items()},
                'extra': {'history': dict(history, best_valid_loss=round(best[0], 4), best_step=best[2])}}, tmp)
    os.replace(tmp, os.path.join(folder, 'best.pt'))  # never a half-written best.pt


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--encoded', required=True)
    ap.add_argument('--config', default='small')
    ap.add_argument('--out', required=True)
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--steps', type=int, default=100000)
    ap.add_argument('--minutes', type=float, default=None)
    ap.add_argument('--eval-every', type=int, default=200)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--half', action='store_true', help='store fp16 weights')
    ap.add_argument('--valid-limit', type=int, default=None)
    ap.add_argument('--shard-out', help='also write <=15 MiB shards of the checkpoint here')
    ap.add_argument('--tag', help='name of the shards (default: the config name)')
    ap.add_argument('--threads', type=int, default=None, help='torch threads per process')
    ap.add_argument('--init', help='start from these weights (training.model checkpoint, same config and vocabulary)')
    ap.add_argument('--lr', type=float, default=None)
    args = ap.parse_args(argv)
    with open(os.path.join(args.encoded, 'meta.json')) as f:
        meta = json.load(f)
    train_ex = load_encoded(os.path.join(args.encoded, 'train.npz'))
    valid_ex = load_encoded(os.path.join(args.encoded, 'valid.npz'))

    def log(msg):
        if dist.is_main():
            print('[%s] %s' % (args.config, msg), flush=True)
    cfg = make_config(args.config, meta['vocab_size'])
    hp = hparams_for(args.config, args.device)
    if args.lr:
        hp['lr'] = args.lr
    init = None
    if args.init:
        from .model import load_checkpoint
        init = load_checkpoint(args.init)[0].state_dict()
    model, hist = train(cfg, train_ex, valid_ex, device=args.device, steps=args.steps, minutes=args.minutes,
                        seed=args.seed, log=log, eval_every=args.eval_every, hparams=hp,
                        valid_limit=args.valid_limit, threads=args.threads, init_state=init)
    is_main = dist.is_main()
    dist.cleanup()
    if not is_main:
        return
    save_checkpoint(model.cpu(), args.out, extra={'history': hist, 'config_name': args.config}, half=args.half)
    if args.shard_out:  # transfer-sized shards right away (a remote session may end before its summary)
        from .remote import save_shards
        os.makedirs(args.shard_out, exist_ok=True)
        save_shards(model, os.path.join(args.shard_out, 'ckpt-%s' % (args.tag or args.config)), {'history': hist, 'config_name': args.config})
    with open(args.out + '.history.json', 'w') as f:
        json.dump(hist, f)
    log('saved %s' % args.out)


if __name__ == '__main__':
    sys.exit(main())
