"""Multi-process data-parallel training (torch.distributed), started by torchrun.

  torchrun --nproc_per_node 2 -m training.train --encoded DIR --config small --out ckpt.pt   # CPU: gloo
  torchrun --nproc_per_node 8 -m training.train ... --device cuda                          # GPU: NCCL

torchrun sets RANK / WORLD_SIZE / LOCAL_RANK; without them everything here is a no-op (one process).
Each optimizer step splits one global batch (the batch a single process would take) across the
ranks, so N processes follow the single-process run up to float rounding (see training/train.py).
"""
import datetime
import os

import torch
import torch.distributed as dist


def world_size():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


def rank():
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


def is_main():
    return rank() == 0


def setup(device):
    """Joins the process group when started by torchrun; returns the device this rank uses."""
    device = str(device)
    if int(os.environ.get('WORLD_SIZE', '1')) <= 1 or dist.is_initialized():
        return torch.device(device)
    cuda = device.startswith('cuda')
    dist.init_process_group('nccl' if cuda else 'gloo', timeout=datetime.timedelta(minutes=30))
    if cuda:
        local = int(os.environ.get('LOCAL_RANK', '0'))
        torch.cuda.set_device(local)
        return torch.device('cuda', local)
    return torch.device(device)


def all_sum(values, device):
    """Element-wise sum over ranks of a list of floats (identity with one process)."""
    if world_size() == 1:
        return list(values)
    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def all_max(value, device):
    if world_size() == 1:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return float(t.item())


def barrier():
    if world_size() > 1:
        dist.barrier()


def cleanup():
    if world_size() > 1:
        dist.destroy_process_group()
