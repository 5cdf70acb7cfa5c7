"""DDP (torchrun, gloo on CPU): 2 processes reach the same loss as 1 on the tiny fixtures.

Each step's batch is split across the ranks and the gradients are averaged so that the update is the
single-process one (training/train.py); with dropout 0 (tiny config) the two runs differ by float
rounding only. The bound (0.01 nats) is far below what a wrong loss scale or unsynchronised
weights give (several tenths after 40 steps), and far above rounding noise.
"""
import json
import os
import subprocess
import sys

from training.data import read_jsonl
from training.tokenizer import train_bpe
from training.slots import V2_ADDED_TOKENS
from training.train import encode_rows, row_texts, save_encoded

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, 'training', 'fixtures', 'v2')


def _encode(tmp):
    rows = {s: read_jsonl(os.path.join(FIXTURES, '%s.jsonl' % s)) for s in ('train', 'valid')}
    tok = train_bpe([''.join(row_texts(r)) for r in rows['train']], vocab_size=500, added=V2_ADDED_TOKENS)
    enc = os.path.join(tmp, 'encoded')
    os.makedirs(enc)
    for s, r in rows.items():
        save_encoded(os.path.join(enc, '%s.npz' % s), encode_rows(tok, r))
    with open(os.path.join(enc, 'meta.json'), 'w') as f:
        json.dump({'vocab_size': tok.vocab_size}, f)
    return enc


def _run(enc, out, procs):
    args = ['-m', 'training.train', '--encoded', enc, '--config', 'tiny', '--device', 'cpu', '--steps', '40',
            '--eval-every', '20', '--threads', '1', '--out', out]
    if procs > 1:
        # --redirects/--tee 1: torch 1.13's torchrun on Python 3.11 cannot parse their default '0'
        args = ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', str(procs), '--redirects', '1', '--tee', '1'] + args
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=ROOT)
    res = subprocess.run([sys.executable] + args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    with open(out + '.history.json') as f:
        return json.load(f)


def test_two_processes_match_one(tmp_path):
    enc = _encode(str(tmp_path))
    one = _run(enc, str(tmp_path / 'one.pt'), 1)
    two = _run(enc, str(tmp_path / 'two.pt'), 2)
    assert one['processes'] == 1 and two['processes'] == 2
    assert one['steps'] == two['steps'] == 40
    assert one['valid_loss'][-1] < one['valid_loss'][0] - 0.3  # it trains at all
    for a, b in zip(one['valid_loss'] + one['train_loss'], two['valid_loss'] + two['train_loss']):
        assert abs(a - b) < 0.01, (one, two)
