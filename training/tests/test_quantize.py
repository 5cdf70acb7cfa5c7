import numpy as np
import onnx
import torch

from training.export import export_onnx, io_names
from training.model import LlamaForCausalLM, make_config
from training.quantize import dequantize_q4, quantize_int8_per_column, quantize_model, quantize_q4


def test_q4_pack_round_trip_and_layout():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(176, 24)).astype(np.float32)  # K not a multiple of 32
    packed, scale, zp = quantize_q4(w)
    assert packed.shape == (24, 6, 16) and packed.dtype == np.uint8
    assert scale.shape == (24 * 6,) and zp.shape == (24 * 3,)
    back = dequantize_q4(packed, scale, zp, 176)
    # error at most half a step of each block
    assert np.abs(back - w).max() <= scale.max() / 2 + 1e-6


def test_int8_per_column_error():
    w = np.random.default_rng(1).normal(size=(64, 32)).astype(np.float32)
    q, s = quantize_int8_per_column(w)
    assert q.dtype == np.int8 and s.shape == (32,)
    assert np.abs(q.astype(np.float32) * s - w).max() <= s.max() / 2 + 1e-6


def test_export_and_quantize_graphs(tmp_path):
    torch.manual_seed(0)
    m = LlamaForCausalLM(make_config('tiny', 300)).eval()
    path = str(tmp_path / 'model.onnx')
    export_onnx(m, path)
    g = onnx.load(path)
    onnx.checker.check_model(g)
    inputs, outputs = io_names(m.config.num_hidden_layers)
    assert [i.name for i in g.graph.input] == inputs
    assert [o.name for o in g.graph.output] == outputs
    q8 = str(tmp_path / 'model_quantized.onnx')
    stats = quantize_model(path, q8, 'int8')
    assert stats['matmul'] == 7 * m.config.num_hidden_layers + 1 and stats['embedding'] == 1
    ops = [n.op_type for n in onnx.load(q8).graph.node]
    assert 'MatMulInteger' not in ops and 'DynamicQuantizeLinear' not in ops
    assert ops.count('DequantizeLinear') == stats['matmul']
    q4 = str(tmp_path / 'model_q4.onnx')
    quantize_model(path, q4, 'q4')
    g4 = onnx.load(q4)
    assert sum(n.op_type == 'MatMulNBits' and n.domain == 'com.microsoft' for n in g4.graph.node) == stats['matmul']
    consts = {i.name for i in g4.graph.initializer}
    assert not any(n.op_type == 'MatMul' and n.input[1] in consts for n in g4.graph.node)


def test_int8_reference_model_holds_the_int8_files_weights(tmp_path):
    """The parity reference (PyTorch with dequantized weights) uses exactly the int8 file's numbers."""
    import re
    from onnx import numpy_helper
    from training.quantize import int8_reference_model
    torch.manual_seed(0)
    m = LlamaForCausalLM(make_config('tiny', 300)).eval()
    path, q8 = str(tmp_path / 'model.onnx'), str(tmp_path / 'model_quantized.onnx')
    export_onnx(m, path)
    quantize_model(path, q8, 'int8')
    ref = int8_reference_model(m)
    g = onnx.load(q8).graph
    arr = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    deq = {}
    for n in g.node:
        if n.op_type == 'DequantizeLinear':
            deq[n.output[0]] = arr[n.input[0]].astype(np.float32) * arr[n.input[1]]
    sd = ref.state_dict()
    checked = 0
    for n in g.node:
        if n.op_type != 'MatMul' or n.input[1] not in deq:
            continue
        hit = re.match(r'^/model/layers\.(\d+)/(self_attn|mlp)/(\w+_proj)/MatMul$', n.name)
        key = 'layers.%s.%s.%s.weight' % hit.groups() if hit else 'lm_head.weight'
        assert np.array_equal(sd[key].numpy().T, deq[n.input[1]]), key
        checked += 1
    assert checked == 7 * 2 + 1
    emb = arr['model.embed_tokens.weight_q8'].astype(np.float32) * arr['model.embed_tokens.weight_scale']
    assert np.array_equal(sd['embed_tokens.weight'].numpy(), emb)
    # and it is close to, not equal to, the fp32 model
    x = torch.randint(9, 300, (1, 8))
    with torch.no_grad():
        a, _ = m(x)
        b, _ = ref(x)
    assert 0 < (a - b).abs().max() < 0.05
