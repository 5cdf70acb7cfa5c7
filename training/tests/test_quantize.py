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
    assert stats == {'matmul': 7 * m.config.num_hidden_layers + 1, 'embedding': 1, 'tied_head': 1}
    ops = [n.op_type for n in onnx.load(q8).graph.node]
    assert 'MatMulInteger' not in ops and 'DynamicQuantizeLinear' not in ops
    assert ops.count('DequantizeLinear') == stats['matmul'] - 1  # the tied head reads the embedding's rows
    q4 = str(tmp_path / 'model_q4.onnx')
    assert quantize_model(path, q4, 'q4') == stats
    g4 = onnx.load(q4)
    # every layer MatMul is 4-bit; the tied head reads the int8 embedding table
    assert sum(n.op_type == 'MatMulNBits' and n.domain == 'com.microsoft' for n in g4.graph.node) == stats['matmul'] - 1
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
            assert next(a.i for a in n.attribute if a.name == 'axis') == 1  # per output channel
            deq[n.output[0]] = arr[n.input[0]].astype(np.float32) * arr[n.input[1]]
        # the tied head: Cast -> Mul(scale) -> Transpose of the embedding's int8 rows
        elif n.op_type == 'Cast' and n.input[0] in arr:
            deq[n.output[0]] = arr[n.input[0]].astype(np.float32)
        elif n.op_type == 'Mul' and n.input[0] in deq and n.input[1] in arr:
            deq[n.output[0]] = deq[n.input[0]] * arr[n.input[1]]
        elif n.op_type == 'Transpose' and n.input[0] in deq:
            deq[n.output[0]] = deq[n.input[0]].T
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


def _initializer_bytes(path):
    from onnx import numpy_helper
    return {i.name: numpy_helper.to_array(i).nbytes for i in onnx.load(path).graph.initializer}


def test_tied_embedding_is_stored_once(tmp_path):
    """The exporter writes a tied head as a second, transposed fp32 copy; the int8 and q4 files keep
    one int8 table [V, D] that the embedding Gather and the head both read."""
    torch.manual_seed(0)
    m = LlamaForCausalLM(make_config('tiny', 300)).eval()
    assert m.lm_head is None
    path = str(tmp_path / 'model.onnx')
    export_onnx(m, path)
    v, d = m.config.vocab_size, m.config.hidden_size
    fp32 = onnx.load(path)
    assert sum(list(i.dims) in ([v, d], [d, v]) for i in fp32.graph.initializer) == 2  # what the exporter writes
    for mode in ('int8', 'q4'):
        out = str(tmp_path / ('%s.onnx' % mode))
        assert quantize_model(path, out, mode)['tied_head'] == 1
        g = onnx.load(out)
        onnx.checker.check_model(g)
        sizes = _initializer_bytes(out)
        table = [n for n in sizes if sizes[n] >= v * d]
        assert table == ['model.embed_tokens.weight_q8'] and sizes[table[0]] == v * d, (mode, table)
        # nothing else has a vocabulary-sized axis but the per-row scale
        vocab_sized = [list(i.dims) for i in g.graph.initializer if v in i.dims and i.name != table[0]]
        assert vocab_sized == [[v, 1]], (mode, vocab_sized)
        consumers = [n.op_type for n in g.graph.node if table[0] in n.input]
        assert sorted(consumers) == ['Cast', 'Gather'], mode


def test_untied_head_keeps_its_own_weight(tmp_path):
    """Tie detection is by value: a model with its own LM head still gets a quantized head of its own,
    and the reference model uses that head, not the embedding rows."""
    from training.quantize import int8_reference_model
    torch.manual_seed(0)
    m = LlamaForCausalLM(make_config('tiny', 300, tie_word_embeddings=False)).eval()
    path, q8 = str(tmp_path / 'model.onnx'), str(tmp_path / 'model_quantized.onnx')
    export_onnx(m, path)
    stats = quantize_model(path, q8, 'int8')
    assert stats['tied_head'] == 0 and stats['matmul'] == 7 * m.config.num_hidden_layers + 1
    sizes = _initializer_bytes(q8)
    assert sum(s >= 300 * 64 for s in sizes.values()) == 2
    ref = int8_reference_model(m).state_dict()
    assert not torch.equal(ref['lm_head.weight'], ref['embed_tokens.weight'])
