"""Weights read back from an fp32 ONNX export equal the PyTorch ones; vocabulary growth keeps old logits' rows."""
import torch

from training.export import export_onnx
from training.model import LlamaForCausalLM, make_config
from training.onnx_weights import grow_vocab, state_from_onnx


def test_onnx_round_trip_and_grow(tmp_path):
    torch.manual_seed(0)
    cfg = make_config('tiny', 300)
    m = LlamaForCausalLM(cfg).eval()
    path = str(tmp_path / 'model.onnx')
    export_onnx(m, path)
    sd = state_from_onnx(path, cfg)
    back = LlamaForCausalLM(cfg).eval()
    back.load_state_dict(sd, strict=False)
    for k, v in m.state_dict().items():
        assert torch.equal(back.state_dict()[k], v), k
    grown = grow_vocab(back, 311, {300: [10, 11]})
    x = torch.randint(9, 300, (1, 6))
    with torch.no_grad():
        a, _ = back(x)
        b, _ = grown(x)
    assert b.shape[-1] == 311
    assert torch.allclose(a, b[..., :300], atol=1e-6)  # old tokens: the same model
    new = grown.embed_tokens.weight[300:]
    assert torch.isfinite(new).all() and new.norm(dim=1).min() > 0
