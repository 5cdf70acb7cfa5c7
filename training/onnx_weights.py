"""PyTorch weights back from an exported fp32 ONNX file (ours, training.export), and vocabulary growth.

The v1 PyTorch checkpoint is not in the tree; its fp32 `onnx/model.onnx` holds the same weights:
named initializers (embedding, norms) and the MatMul weights, transposed, found through the node
names the TorchScript exporter writes (`/model/layers.N/self_attn/q_proj/MatMul`, ...).

  python3 -m training.onnx_weights --model training/out/v1 --out v1.pt [--vocab 6011]
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import torch

from .model import LlamaConfig, LlamaForCausalLM, save_checkpoint

_MATMUL = re.compile(r'^/model/layers\.(\d+)/(self_attn|mlp)/(\w+_proj)/MatMul$')


def config_from_hf(path):
    with open(path) as f:
        hf = json.load(f)
    keys = ('vocab_size', 'hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads',
            'num_key_value_heads', 'head_dim', 'max_position_embeddings', 'rms_norm_eps', 'rope_theta', 'tie_word_embeddings')
    return LlamaConfig(**{k: hf[k] for k in keys})


def state_from_onnx(onnx_path, cfg):
    """state_dict (our names) of the weights in an fp32 ONNX export of LlamaForCausalLM."""
    import onnx
    from onnx import numpy_helper
    m = onnx.load(onnx_path)
    inits = {i.name: i for i in m.graph.initializer}
    sd = {}
    for name, init in inits.items():
        if name.startswith('model.'):
            sd[name[len('model.'):]] = torch.from_numpy(numpy_helper.to_array(init).copy())
    lm_head = None
    for node in m.graph.node:
        if node.op_type == 'Identity' and node.input[0] in inits and node.output[0].startswith('model.'):
            # constant folding merged equal weights (e.g. fresh all-ones norms): the copies are Identity nodes
            sd[node.output[0][len('model.'):]] = torch.from_numpy(numpy_helper.to_array(inits[node.input[0]]).copy())
        if node.op_type != 'MatMul':
            continue
        w = next((x for x in node.input if x in inits), None)
        if w is None:
            continue
        arr = numpy_helper.to_array(inits[w])
        hit = _MATMUL.match(node.name)
        if hit:
            layer, block, proj = hit.groups()
            sd['layers.%s.%s.%s.weight' % (layer, block, proj)] = torch.from_numpy(np.ascontiguousarray(arr.T))
        elif node.name == '/model/MatMul':
            lm_head = arr
    model = LlamaForCausalLM(cfg)
    expected = {k for k in model.state_dict() if not k.startswith('rotary.')}
    missing = expected - set(sd)
    if missing:
        raise ValueError('%s: no weights for %s' % (onnx_path, sorted(missing)[:5]))
    if cfg.tie_word_embeddings and lm_head is not None:
        # Tied: the exported LM head is the embedding, transposed.
        if not np.array_equal(lm_head.T, sd['embed_tokens.weight'].numpy()):
            raise ValueError('%s: LM head differs from the embedding, but the config says tied' % onnx_path)
    elif not cfg.tie_word_embeddings:
        sd['lm_head.weight'] = torch.from_numpy(np.ascontiguousarray(lm_head.T))
    return sd


def load_onnx_model(folder):
    """(LlamaForCausalLM, cfg) from a model folder's config.json + onnx/model.onnx."""
    cfg = config_from_hf(os.path.join(folder, 'config.json'))
    model = LlamaForCausalLM(cfg)
    model.load_state_dict(state_from_onnx(os.path.join(folder, 'onnx', 'model.onnx'), cfg), strict=False)
    return model.eval(), cfg


def grow_vocab(model, new_vocab, init_rows=None, seed=0, noise=0.02):
    """A copy of `model` with `new_vocab` embedding rows: old rows kept; each new row is the mean of the
    embeddings of init_rows[k] (a list of old ids, e.g. a related word's tokens) or the mean embedding,
    plus small noise (tied head: the new tokens start as likely as an average word, not far off)."""
    old = model.embed_tokens.weight.detach()
    n_old, dim = old.shape
    if new_vocab < n_old:
        raise ValueError('cannot shrink the vocabulary (%d -> %d)' % (n_old, new_vocab))
    cfg = LlamaConfig(**dict(model.config.__dict__, vocab_size=new_vocab))
    grown = LlamaForCausalLM(cfg)
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    g = torch.Generator().manual_seed(seed)
    emb = torch.empty(new_vocab, dim)
    emb[:n_old] = old
    mean = old[9:].mean(0)  # ordinary tokens (after v1's 9 special tokens)
    for k in range(new_vocab - n_old):
        src = (init_rows or {}).get(n_old + k)
        base = old[src].mean(0) if src else mean
        emb[n_old + k] = base + noise * old.std() * torch.randn(dim, generator=g)
    sd['embed_tokens.weight'] = emb
    if 'lm_head.weight' in sd:
        head = torch.zeros(new_vocab, dim)
        head[:n_old] = sd['lm_head.weight']
        head[n_old:] = emb[n_old:]
        sd['lm_head.weight'] = head
    grown.load_state_dict(sd, strict=False)
    return grown.eval()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True, help='model folder with config.json and onnx/model.onnx')
    ap.add_argument('--out', required=True, help='checkpoint to write (training.model.save_checkpoint)')
    args = ap.parse_args(argv)
    model, _ = load_onnx_model(args.model)
    save_checkpoint(model, args.out, extra={'source': args.model})
    print('wrote %s (%.2fM parameters)' % (args.out, model.num_parameters() / 1e6))


if __name__ == '__main__':
    sys.exit(main())
