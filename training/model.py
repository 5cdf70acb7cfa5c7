"""Decoder-only Llama (RMSNorm, RoPE, GQA, SwiGLU) in plain PyTorch, HF-Llama-compatible weight names.

Works on torch 1.13 (here, ONNX export) and torch 2.x (GPU training; uses
scaled_dot_product_attention only when present and no KV cache / padding mask is involved).
Left padding is handled by `attention_mask` (1 = real token) plus `position_ids`.
"""
import json
import math
import os
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .tokenizer import END_ID, PAD_ID


@dataclass
class LlamaConfig:
    vocab_size: int = 6000
    hidden_size: int = 320
    intermediate_size: int = 864
    num_hidden_layers: int = 6
    num_attention_heads: int = 8
    num_key_value_heads: int = 2
    head_dim: int = 40
    max_position_embeddings: int = 512
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = True
    dropout: float = 0.0

    def hf_config(self):
        """config.json for transformers.js (AutoModelForCausalLM) and HF transformers."""
        return {
            'architectures': ['LlamaForCausalLM'],
            'model_type': 'llama',
            'vocab_size': self.vocab_size,
            'hidden_size': self.hidden_size,
            'intermediate_size': self.intermediate_size,
            'num_hidden_layers': self.num_hidden_layers,
            'num_attention_heads': self.num_attention_heads,
            'num_key_value_heads': self.num_key_value_heads,
            'head_dim': self.head_dim,
            'max_position_embeddings': self.max_position_embeddings,
            'rms_norm_eps': self.rms_norm_eps,
            'rope_theta': self.rope_theta,
            'rope_scaling': None,
            'hidden_act': 'silu',
            'attention_bias': False,
            'mlp_bias': False,
            'attention_dropout': 0.0,
            'initializer_range': 0.02,
            'tie_word_embeddings': self.tie_word_embeddings,
            'use_cache': True,
            'bos_token_id': None,
            'eos_token_id': END_ID,
            'pad_token_id': PAD_ID,
            'torch_dtype': 'float32',
            'transformers.js_config': {'kv_cache_dtype': {'fp32': 'float32'}},
        }


CONFIGS = {
    # CI: a few hundred steps in about a minute on 2 CPU cores.
    'tiny': dict(hidden_size=64, intermediate_size=176, num_hidden_layers=2, num_attention_heads=4,
                 num_key_value_heads=2, head_dim=16),
    # Ships: ~4.5M parameters (about one epoch of our data per CPU hour here; trained longer on a GPU).
    'small': dict(hidden_size=256, intermediate_size=704, num_hidden_layers=4, num_attention_heads=4,
                  num_key_value_heads=2, head_dim=64),
    # Comparison configs (GPU): ~8.4M and ~26M parameters.
    'medium': dict(hidden_size=320, intermediate_size=864, num_hidden_layers=6, num_attention_heads=8,
                   num_key_value_heads=2, head_dim=40),
    'large': dict(hidden_size=512, intermediate_size=1408, num_hidden_layers=8, num_attention_heads=8,
                  num_key_value_heads=2, head_dim=64),
}


def make_config(name, vocab_size, **overrides):
    cfg = dict(CONFIGS[name])
    cfg.update(overrides)
    return LlamaConfig(vocab_size=vocab_size, **cfg)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Rotary(nn.Module):
    def __init__(self, head_dim, theta):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
        self.register_buffer('inv_freq', inv_freq, persistent=False)

    def forward(self, position_ids):
        freqs = position_ids.to(torch.float32).unsqueeze(-1) * self.inv_freq  # [b, s, hd/2]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)  # [b, 1, s, hd]


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.h, self.kvh, self.hd = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
        self.q_proj = nn.Linear(cfg.hidden_size, self.h * self.hd, bias=False)
        self.k_proj = nn.Linear(cfg.hidden_size, self.kvh * self.hd, bias=False)
        self.v_proj = nn.Linear(cfg.hidden_size, self.kvh * self.hd, bias=False)
        self.o_proj = nn.Linear(self.h * self.hd, cfg.hidden_size, bias=False)
        self.dropout = cfg.dropout

    def project(self, x, cos, sin):
        """Queries, keys (both rotated) and values of `x`, heads first: [b, h|kvh, s, hd]."""
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.h, self.hd).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kvh, self.hd).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kvh, self.hd).transpose(1, 2)
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin, v

    def forward(self, x, cos, sin, mask, past=None):
        b, s, _ = x.shape
        q, k, v = self.project(x, cos, sin)
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        rep = self.h // self.kvh
        t = k.shape[2]
        if mask is None and hasattr(F, 'scaled_dot_product_attention'):
            # Training fast path (torch 2.x): plain causal, right padding only.
            if rep > 1:
                k = k[:, :, None].expand(b, self.kvh, rep, t, self.hd).reshape(b, self.h, t, self.hd)
                v = v[:, :, None].expand(b, self.kvh, rep, t, self.hd).reshape(b, self.h, t, self.hd)
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0)
        else:
            # Grouped-query attention without copying K/V per query head: the `rep` query heads that
            # share a KV head (heads kv*rep … kv*rep+rep-1, as repeat_kv pairs them) attend it as one
            # block of rep*s rows. The same dot products as expanding K/V; the exported graph then has no
            # per-step Expand of the whole cache (8 % of a 72-row decode step, docs/performance.md).
            scores = torch.matmul(q.reshape(b, self.kvh, rep * s, self.hd), k.transpose(2, 3)).reshape(b, self.h, s, t) / math.sqrt(self.hd)
            if mask is None:
                mask = causal_mask(s, x.device)
            scores = scores.masked_fill(~mask, -1e9)
            probs = torch.softmax(scores, dim=-1)
            if self.training and self.dropout > 0:
                probs = F.dropout(probs, self.dropout)
            out = torch.matmul(probs.reshape(b, self.kvh, rep * s, t), v).reshape(b, self.h, s, self.hd)
        out = out.transpose(1, 2).reshape(b, s, self.h * self.hd)
        return self.o_proj(out), present


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = MLP(cfg)
        self.dropout = cfg.dropout

    def forward(self, x, cos, sin, mask, past=None):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        if self.training and self.dropout > 0:
            a = F.dropout(a, self.dropout)
        x = x + a
        m = self.mlp(self.post_attention_layernorm(x))
        if self.training and self.dropout > 0:
            m = F.dropout(m, self.dropout)
        return x + m, present


def causal_mask(s, device):
    return torch.ones(s, s, dtype=torch.bool, device=device).tril()[None, None]


def build_mask(attention_mask, s):
    """[b, 1, s, t] bool: causal over the last `s` of `t` positions AND key not padding."""
    t = attention_mask.shape[1]
    past = t - s
    qpos = torch.arange(s, device=attention_mask.device) + past
    kpos = torch.arange(t, device=attention_mask.device)
    causal = kpos[None, :] <= qpos[:, None]
    return causal[None, None] & attention_mask[:, None, None, :].bool()


class LlamaForCausalLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.rotary = Rotary(cfg.head_dim, cfg.rope_theta)
        self.lm_head = None if cfg.tie_word_embeddings else nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        self.apply(self._init)
        for layer in self.layers:  # scaled init of the residual projections (GPT-2 style)
            std = 0.02 / math.sqrt(2 * cfg.num_hidden_layers)
            nn.init.normal_(layer.self_attn.o_proj.weight, std=std)
            nn.init.normal_(layer.mlp.down_proj.weight, std=std)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def num_parameters(self):
        return sum(p.numel() for p in self.parameters())

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None, logits_at=None, last=None):
        """Returns (logits [b, s, V], presents [(k, v)] per layer).

        attention_mask None means: no padding (training path, causal only).
        logits_at: bool [b, s]; then logits are [n, V] for those positions only (training: the LM head
        is a third of the compute, and the loss needs it on the target positions only).
        last: int64 0-d tensor (transformers.js' num_logits_to_keep): logits [b, last, V] of the last
        positions only, 0 = all. A prompt pass needs only its last position's."""
        b, s = input_ids.shape
        past_len = 0 if past_key_values is None else past_key_values[0][0].shape[2]
        if position_ids is None:
            if attention_mask is not None:
                position_ids = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)[:, -s:]
            else:
                position_ids = torch.arange(past_len, past_len + s, device=input_ids.device)[None].expand(b, s)
        mask = None
        if attention_mask is not None or past_key_values is not None:
            if attention_mask is None:
                attention_mask = torch.ones(b, past_len + s, dtype=torch.long, device=input_ids.device)
            mask = build_mask(attention_mask, s)
        cos, sin = self.rotary(position_ids)
        x = self.embed_tokens(input_ids)
        presents = []
        for i, layer in enumerate(self.layers):
            x, present = layer(x, cos, sin, mask, None if past_key_values is None else past_key_values[i])
            presents.append(present)
        if last is not None:
            n = x.shape[1]
            start = (n - last) * (last > 0).long()  # 0 keeps every position
            x = x.index_select(1, torch.arange(start.clamp(min=0), n, device=x.device))
        x = self.norm(x)
        if logits_at is not None:
            x = x[logits_at]
        weight = self.embed_tokens.weight if self.lm_head is None else self.lm_head.weight
        return F.linear(x, weight), presents

    # --- HF-style files -----------------------------------------------------------------------
    def hf_state_dict(self):
        """State dict with HF Llama names (model.layers.N..., lm_head.weight)."""
        out = {}
        for k, v in self.state_dict().items():
            if k.startswith('rotary.'):
                continue
            out['lm_head.weight' if k == 'lm_head.weight' else 'model.' + k] = v
        return out


def save_checkpoint(model, path, extra=None, half=False):
    sd = {k: (v.half() if half and v.is_floating_point() else v).detach().cpu() for k, v in model.state_dict().items()}
    torch.save({'config': asdict(model.config), 'state_dict': sd, 'extra': extra or {}}, path)


def load_checkpoint(path, map_location='cpu'):
    try:
        ck = torch.load(path, map_location=map_location, weights_only=False)
    except TypeError:  # older torch without weights_only
        ck = torch.load(path, map_location=map_location)
    cfg = LlamaConfig(**ck['config'])
    model = LlamaForCausalLM(cfg)
    sd = {k: v.float() if v.is_floating_point() else v for k, v in ck['state_dict'].items()}
    model.load_state_dict(sd, strict=False)
    return model, ck.get('extra', {})


def write_hf_configs(cfg, folder):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'config.json'), 'w') as f:
        json.dump(cfg.hf_config(), f, indent=1)
    with open(os.path.join(folder, 'generation_config.json'), 'w') as f:
        json.dump({'bos_token_id': None, 'eos_token_id': END_ID, 'pad_token_id': PAD_ID, 'do_sample': False,
                   'max_new_tokens': 96}, f, indent=1)


@torch.no_grad()
def greedy(model, ids, max_new_tokens, eos_id=END_ID):
    """Greedy decode with KV cache for one prompt (list of ids) -> new ids (eos included if hit)."""
    model.eval()
    x = torch.tensor([ids], dtype=torch.long)
    logits, past = model(x, attention_mask=torch.ones_like(x))
    out = []
    total = len(ids)
    for _ in range(max_new_tokens):
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        if nxt == eos_id:
            break
        total += 1
        logits, past = model(torch.tensor([[nxt]]), attention_mask=torch.ones(1, total, dtype=torch.long),
                             position_ids=torch.tensor([[total - 1]]), past_key_values=past)
    return out
