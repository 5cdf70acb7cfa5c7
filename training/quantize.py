"""Weight-only quantization of the exported fp32 ONNX model (onnx + numpy only).

- int8 (`model_quantized.onnx`): every MatMul with a constant weight becomes
  DequantizeLinear(int8 weight, per-output-channel scale, axis=1) -> MatMul. Activations stay fp32,
  so the graph runs fully on WebGPU (no MatMulInteger, which ORT runs on CPU only).
- 4-bit (`model_q4.onnx`): com.microsoft MatMulNBits, bits=4, block_size=32, asymmetric with uint8
  zero points. Layout (onnxruntime contrib op): B uint8 [N, n_blocks, 16] holding column n's K values,
  two per byte, low nibble first; scales float [N * n_blocks]; zero_points uint8
  [N * ceil(n_blocks / 2)], low nibble first.
In both, the token-embedding table E [V, D] is int8 per row (symmetric, scale [V, 1]):
Gather(int8) -> Cast -> Mul(Gather(scale)). A tied LM head (a MatMul whose constant weight equals E
transposed; the exporter writes the tie as a second, transposed fp32 copy) is not stored again: it
is Transpose(Mul(Cast(E int8), scale)) -> MatMul on the same table. E's per-row scale is the head's
per-output-channel scale, so the numbers equal a separate int8 head's. Cast/Mul/Transpose rather than
DequantizeLinear on purpose: onnxruntime constant-folds them into one fp32 [D, V] weight at session
creation with its default options and with `session.disable_quant_qdq` (src/runtime/runtime.ts) alike,
while a DequantizeLinear whose int8 input the Gather shares is neither folded (default options skip
DequantizeLinear) nor fused into MatMulNBits, and so would dequantize the whole table on every run.
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _initializers(graph):
    return {init.name: init for init in graph.initializer}


def quantize_int8_per_column(w):
    """w [K, N] -> (int8 [K, N], scale [N]); symmetric."""
    scale = np.abs(w).max(axis=0) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def quantize_q4(w, block=32):
    """w [K, N] -> (B uint8 [N, n_blocks, block/2], scales [N*n_blocks], zero_points uint8 [N*ceil(n_blocks/2)])."""
    k, n = w.shape
    nb = (k + block - 1) // block
    wt = np.zeros((n, nb * block), dtype=np.float32)
    wt[:, :k] = w.T
    blocks = wt.reshape(n, nb, block)
    lo = np.minimum(blocks.min(axis=2), 0.0)
    hi = np.maximum(blocks.max(axis=2), 0.0)
    scale = (hi - lo) / 15.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    zp = np.clip(np.round(-lo / scale), 0, 15).astype(np.uint8)
    q = np.clip(np.round(blocks / scale[:, :, None]) + zp[:, :, None], 0, 15).astype(np.uint8)
    packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    zp_flat = zp.reshape(n, nb)
    if nb % 2:
        zp_flat = np.concatenate([zp_flat, np.zeros((n, 1), np.uint8)], axis=1)
    zp_packed = (zp_flat[:, 0::2] | (zp_flat[:, 1::2] << 4)).astype(np.uint8).reshape(-1)
    return packed, scale.reshape(-1), zp_packed


def dequantize_q4(packed, scale, zp_packed, k):
    """Inverse of quantize_q4 (for tests): returns w [K, N]."""
    n, nb, half = packed.shape
    q = np.empty((n, nb, half * 2), dtype=np.float32)
    q[:, :, 0::2] = packed & 0x0F
    q[:, :, 1::2] = packed >> 4
    zp = np.empty((n, zp_packed.size // n * 2), dtype=np.float32)
    zpr = zp_packed.reshape(n, -1)
    zp[:, 0::2] = zpr & 0x0F
    zp[:, 1::2] = zpr >> 4
    zp = zp[:, :nb]
    w = (q - zp[:, :, None]) * scale.reshape(n, nb)[:, :, None]
    return w.reshape(n, nb * half * 2)[:, :k].T


def quantize_int8_per_row(w):
    """w [V, D] -> (int8 [V, D], scale [V]); symmetric. Equals quantize_int8_per_column(w.T), transposed."""
    scale = np.abs(w).max(axis=1) / 127.0
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    q = np.clip(np.round(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def _tied_head(table, graph, inits):
    """Name of the MatMul weight that is `table` transposed (a tied LM head), or None. Compared by value,
    not by name: the exporter names the head's transposed copy after nothing in particular."""
    for node in graph.node:
        if node.op_type == 'MatMul' and node.input[1] in inits:
            w = numpy_helper.to_array(inits[node.input[1]])
            if w.shape == table.shape[::-1] and np.array_equal(w, table.T):
                return node.input[1]
    return None


def _quantize_embedding(graph, inits, new_inits, new_nodes_before, drop):
    """Gather on a float table [V, D] -> int8 rows + per-row scale. Returns {tied head weight name:
    (int8 table name, scale name)}."""
    tied = {}
    for idx, node in enumerate(graph.node):
        if node.op_type != 'Gather' or node.input[0] not in inits:
            continue
        w = numpy_helper.to_array(inits[node.input[0]])
        if w.ndim != 2 or w.dtype != np.float32 or w.shape[0] < 256:
            continue
        base = node.input[0]
        q_name, s_name = base + '_q8', base + '_scale'
        if q_name not in {i.name for i in new_inits}:
            q, scale = quantize_int8_per_row(w)
            new_inits += [numpy_helper.from_array(q, q_name), numpy_helper.from_array(scale[:, None], s_name)]
            head = _tied_head(w, graph, inits)
            if head:
                tied[head] = (q_name, s_name)
        out = node.output[0]
        g_q, g_s, c = out + '_q8', out + '_scale', out + '_f32'
        ids = node.input[1]
        nodes = [helper.make_node('Gather', [q_name, ids], [g_q], name=node.name + '_q8', axis=0),
                 helper.make_node('Gather', [s_name, ids], [g_s], name=node.name + '_scale', axis=0),
                 helper.make_node('Cast', [g_q], [c], name=node.name + '_cast', to=TensorProto.FLOAT),
                 helper.make_node('Mul', [c, g_s], [out], name=node.name + '_mul')]
        new_nodes_before[idx] = nodes
        drop.add(base)
    return tied


def quantize_model(src, dst, mode):
    """mode 'int8' or 'q4'. Returns a dict of counts."""
    model = onnx.load(src)
    graph = model.graph
    inits = _initializers(graph)
    new_inits, replace, drop = [], {}, set()
    stats = {'matmul': 0, 'embedding': 0, 'tied_head': 0}
    tied = _quantize_embedding(graph, inits, new_inits, replace, drop)
    stats['embedding'] = len(replace)
    uses = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    for idx, node in enumerate(graph.node):
        if node.op_type != 'MatMul' or node.input[1] not in inits:
            continue
        w = numpy_helper.to_array(inits[node.input[1]])
        if w.ndim != 2 or w.dtype != np.float32:
            continue
        name = node.input[1]
        k, n = w.shape
        if name in tied:  # the embedding's int8 rows, dequantized and transposed (folded by onnxruntime)
            q_name, s_name = tied[name]
            pre = (node.name or name) + '_tied'
            replace[idx] = [
                helper.make_node('Cast', [q_name], [pre + '_f32'], name=pre + '_cast', to=TensorProto.FLOAT),
                helper.make_node('Mul', [pre + '_f32', s_name], [pre + '_rows'], name=pre + '_mul'),
                helper.make_node('Transpose', [pre + '_rows'], [pre + '_w'], name=pre + '_transpose', perm=[1, 0]),
                helper.make_node('MatMul', [node.input[0], pre + '_w'], list(node.output), name=node.name)]
            stats['tied_head'] += 1
        elif mode == 'int8':
            q, scale = quantize_int8_per_column(w)
            new_inits += [numpy_helper.from_array(q, name + '_q8'), numpy_helper.from_array(scale, name + '_scale'),
                          numpy_helper.from_array(np.zeros(n, np.int8), name + '_zp')]
            deq = helper.make_node('DequantizeLinear', [name + '_q8', name + '_scale', name + '_zp'], [name + '_deq'],
                                   name=(node.name or name) + '_deq', axis=1)
            mm = helper.make_node('MatMul', [node.input[0], name + '_deq'], list(node.output), name=node.name)
            replace[idx] = [deq, mm]
        else:
            packed, scale, zp = quantize_q4(w)
            new_inits += [numpy_helper.from_array(packed, name + '_q4'), numpy_helper.from_array(scale, name + '_q4scale'),
                          numpy_helper.from_array(zp, name + '_q4zp')]
            mm = helper.make_node('MatMulNBits', [node.input[0], name + '_q4', name + '_q4scale', name + '_q4zp'],
                                  list(node.output), name=node.name, domain='com.microsoft', K=k, N=n, bits=4, block_size=32)
            replace[idx] = [mm]
        if uses.get(name, 0) == 1:
            drop.add(name)
        stats['matmul'] += 1
    nodes = []
    for idx, node in enumerate(graph.node):
        nodes += replace.get(idx, [node])
    del graph.node[:]
    graph.node.extend(nodes)
    kept = [i for i in graph.initializer if i.name not in drop]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    if mode == 'q4' and not any(o.domain == 'com.microsoft' for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid('com.microsoft', 1))
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return stats


def int8_reference_model(model):
    """The PyTorch model whose weights are exactly what `model_quantized.onnx` computes with: every
    Linear weight and the embedding rows dequantized as quantize_model('int8') stores them; a tied LM
    head is those same dequantized rows (the file keeps one table for both), an untied one its own
    per-output-channel int8 copy. The parity test compares onnxruntime on the int8 file with this
    model at fp32 tolerance, so a graph bug is not hidden behind quantization noise."""
    import torch
    from .model import LlamaConfig, LlamaForCausalLM

    def linear(weight):  # nn.Linear [out, in] -> the [in, out] MatMul weight, per output column
        q, scale = quantize_int8_per_column(weight.detach().cpu().numpy().T)
        return torch.from_numpy(np.ascontiguousarray((q.astype(np.float32) * scale).T))

    cfg = LlamaConfig(**dict(model.config.__dict__, tie_word_embeddings=False, dropout=0.0))
    ref = LlamaForCausalLM(cfg)
    sd = {}
    for k, v in model.state_dict().items():
        if k.startswith('rotary.'):
            continue
        if k == 'embed_tokens.weight':
            q, scale = quantize_int8_per_row(v.detach().cpu().numpy())
            sd[k] = torch.from_numpy(q.astype(np.float32) * scale[:, None])
        elif v.dim() == 2:
            sd[k] = linear(v)
        else:
            sd[k] = v.detach().cpu().clone()
    tied = model.lm_head is None or torch.equal(model.lm_head.weight, model.embed_tokens.weight)
    sd['lm_head.weight'] = sd['embed_tokens.weight'].clone() if tied else linear(model.lm_head.weight)
    ref.load_state_dict(sd, strict=False)
    return ref.eval()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument('src')
    ap.add_argument('dst')
    ap.add_argument('--mode', choices=['int8', 'q4'], default='int8')
    args = ap.parse_args(argv)
    print(quantize_model(args.src, args.dst, args.mode))


if __name__ == '__main__':
    main()
