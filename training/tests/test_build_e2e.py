"""CI: the whole pipeline (fixtures -> tokenizer -> tiny model -> ONNX, int8, q4 -> model folder) in about a minute."""
import json
import os

import onnx

from training import build

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures')


def test_tiny_end_to_end_build(tmp_path):
    out = tmp_path / 'because-reason-v1'
    build.main(['--fixtures', FIXTURES, '--out', str(out), '--config', 'tiny', '--steps', '300',
                '--eval-every', '100', '--work', str(tmp_path / 'work'), '--threads', '1'])
    for name in ('config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'facts_vocab.json',
                 'MODEL_CARD.md', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'onnx/model_q4.onnx'):
        assert (out / name).exists(), name
    cfg = json.load(open(out / 'config.json'))
    assert cfg['model_type'] == 'llama' and cfg['num_hidden_layers'] == 2
    for name in ('model.onnx', 'model_quantized.onnx', 'model_q4.onnx'):
        onnx.checker.check_model(onnx.load(str(out / 'onnx' / name)))
    facts = json.load(open(out / 'facts_vocab.json'))['facts']
    assert 'Action' in facts and len(facts) > 20
    metrics = json.load(open(out / 'metrics.json'))
    hist = metrics['train_history']
    assert hist['steps'] == 300
    # it learned something: held-out loss well below the uniform-guess loss ln(vocab)
    import math
    assert metrics['valid_loss'] < math.log(cfg['vocab_size']) - 1.5
    assert hist['valid_loss'][-1] < hist['valid_loss'][0]
    assert 'research use only' in (out / 'MODEL_CARD.md').read_text().lower()
