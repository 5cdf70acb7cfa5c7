"""ONNX export in the transformers.js decoder layout (with KV cache).

Inputs : input_ids [b, s] int64, attention_mask [b, past+s] int64, position_ids [b, s] int64,
         past_key_values.N.key / .value [b, kv_heads, past, head_dim] float32,
         num_logits_to_keep [] int64 (the last N positions' logits; 0 = all, transformers.js' name)
Outputs: logits [b, N or s, vocab], present.N.key / .value [b, kv_heads, past+s, head_dim]
Exported with torch 1.13's TorchScript exporter (opset 14); the explicit-softmax attention path is
used (no scaled_dot_product_attention) so the graph is plain ONNX that onnxruntime-web runs on WASM and WebGPU.
"""
import os

import torch

from .model import LlamaForCausalLM

OPSET = 14


class _OnnxWrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model
        self.n = model.config.num_hidden_layers

    def forward(self, input_ids, attention_mask, position_ids, *rest):
        past, keep = rest[:-1], rest[-1]
        pkv = [(past[2 * i], past[2 * i + 1]) for i in range(self.n)]
        logits, presents = self.model(input_ids, attention_mask=attention_mask, position_ids=position_ids, past_key_values=pkv, last=keep)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (logits, *flat)


def io_names(n_layers):
    past, present = [], []
    for i in range(n_layers):
        past += ['past_key_values.%d.key' % i, 'past_key_values.%d.value' % i]
        present += ['present.%d.key' % i, 'present.%d.value' % i]
    return ['input_ids', 'attention_mask', 'position_ids'] + past + ['num_logits_to_keep'], ['logits'] + present


def export_onnx(model: LlamaForCausalLM, path):
    """Writes fp32 ONNX to `path` (one file; external data only if it would exceed 2 GB)."""
    cfg = model.config
    model = model.eval().float()
    wrapper = _OnnxWrapper(model)
    b, s, past_len = 2, 3, 4
    ids = torch.randint(2, cfg.vocab_size, (b, s))
    mask = torch.ones(b, past_len + s, dtype=torch.long)
    mask[1, :2] = 0  # left padding in the dummy input
    pos = (mask.cumsum(-1) - 1).clamp(min=0)[:, -s:]
    past = []
    for _ in range(cfg.num_hidden_layers):
        past += [torch.randn(b, cfg.num_key_value_heads, past_len, cfg.head_dim) * 0.1 for _ in range(2)]
    inputs, outputs = io_names(cfg.num_hidden_layers)
    axes = {'input_ids': {0: 'batch_size', 1: 'sequence_length'},
            'attention_mask': {0: 'batch_size', 1: 'total_sequence_length'},
            'position_ids': {0: 'batch_size', 1: 'sequence_length'},
            'logits': {0: 'batch_size', 1: 'kept_sequence_length'}}
    for name in inputs[3:-1]:
        axes[name] = {0: 'batch_size', 2: 'past_sequence_length'}
    for name in outputs[1:]:
        axes[name] = {0: 'batch_size', 2: 'total_sequence_length'}
    keep = torch.tensor(0, dtype=torch.long)  # traced as an input: any value at run time
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(wrapper, (ids, mask, pos, *past, keep), path, input_names=inputs, output_names=outputs,
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
    return path
