import torch
import torch.nn.functional as F

from training.model import LlamaForCausalLM, greedy, make_config
from training.train import collate, loss_fn


def _model(seed=0):
    torch.manual_seed(seed)
    return LlamaForCausalLM(make_config('tiny', 300)).eval()


def test_left_padding_matches_unpadded():
    m = _model()
    a = torch.randint(9, 300, (1, 7))
    b = torch.randint(9, 300, (1, 4))
    ref_a, _ = m(a, attention_mask=torch.ones_like(a))
    ref_b, _ = m(b, attention_mask=torch.ones_like(b))
    x = torch.cat([a, torch.cat([torch.zeros(1, 3, dtype=torch.long), b], 1)])
    mask = torch.ones_like(x)
    mask[1, :3] = 0
    out, _ = m(x, attention_mask=mask)
    assert torch.allclose(out[0], ref_a[0], atol=1e-5)
    assert torch.allclose(out[1, 3:], ref_b[0], atol=1e-5)


def test_kv_cache_matches_full_forward():
    m = _model(1)
    x = torch.randint(9, 300, (1, 10))
    full, _ = m(x)
    _, past = m(x[:, :6], attention_mask=torch.ones(1, 6, dtype=torch.long))
    step, _ = m(x[:, 6:], attention_mask=torch.ones(1, 10, dtype=torch.long),
                position_ids=torch.arange(6, 10)[None], past_key_values=past)
    assert torch.allclose(step[0], full[0, 6:], atol=1e-5)


def test_loss_counts_reason_tokens_only():
    m = _model(2)
    examples = [([2, 20, 21, 8, 30, 31, 1], 4)]  # prompt ends with <|reason|> (id 8)
    x, y = collate(examples, [0], 'cpu')
    assert y.tolist()[0] == [-100, -100, -100, 30, 31, 1, -100]
    loss, n = loss_fn(m, x, y)
    assert n == 3
    logits, _ = m(x)
    manual = sum(F.cross_entropy(logits[0, j][None], torch.tensor([t]), reduction='sum') for j, t in [(3, 30), (4, 31), (5, 1)])
    assert torch.allclose(loss, manual, atol=1e-4)


def test_greedy_stops_at_end_token():
    m = _model(3)
    with torch.no_grad():
        m.embed_tokens.weight[1] *= 0  # keep weights, just make sure the loop runs
    out = greedy(m, [2, 40, 41, 8], 12)
    assert 1 <= len(out) <= 12
    assert 1 not in out[:-1]


def test_hf_config_is_llama():
    cfg = make_config('small', 6000).hf_config()
    assert cfg['model_type'] == 'llama' and cfg['architectures'] == ['LlamaForCausalLM']
    assert cfg['num_key_value_heads'] < cfg['num_attention_heads']
    assert cfg['eos_token_id'] == 1 and cfg['pad_token_id'] == 0


def _expanded_attention(attn, x, cos, sin, mask):
    """The attention as repeat_kv writes it (K/V copied per query head): the grouped path must equal it."""
    import math
    b, s, _ = x.shape
    q, k, v = attn.project(x, cos, sin)  # the projections are not what is compared
    rep = attn.h // attn.kvh
    k = k.repeat_interleave(rep, dim=1)
    v = v.repeat_interleave(rep, dim=1)
    scores = (q @ k.transpose(2, 3) / math.sqrt(attn.hd)).masked_fill(~mask, -1e9)
    out = torch.softmax(scores, -1) @ v
    return attn.o_proj(out.transpose(1, 2).reshape(b, s, attn.h * attn.hd))


def test_grouped_attention_equals_expanded_kv():
    from training.model import build_mask
    cfg = make_config('small', 300)
    assert cfg.num_attention_heads > cfg.num_key_value_heads  # the shipped shape: 4 query heads on 2 KV heads
    torch.manual_seed(3)
    m = LlamaForCausalLM(cfg).eval()
    attn = m.layers[0].self_attn
    x = torch.randn(2, 5, cfg.hidden_size)
    mask = torch.ones(2, 5, dtype=torch.long)
    mask[1, :2] = 0
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    cos, sin = m.rotary(pos)
    with torch.no_grad():
        ours, _ = attn(x, cos, sin, build_mask(mask, 5))
        ref = _expanded_attention(attn, x, cos, sin, build_mask(mask, 5))
    assert torch.allclose(ours, ref, atol=1e-6)


def test_last_keeps_the_last_positions_logits():
    m = _model(2)
    x = torch.randint(9, 300, (2, 6))
    full, _ = m(x, attention_mask=torch.ones_like(x))
    one, _ = m(x, attention_mask=torch.ones_like(x), last=torch.tensor(1))
    every, _ = m(x, attention_mask=torch.ones_like(x), last=torch.tensor(0))
    assert one.shape == (2, 1, 300) and torch.allclose(one[:, 0], full[:, -1], atol=1e-6)
    assert torch.equal(every, full)
