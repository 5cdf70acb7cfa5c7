"""CI: the whole v2 pipeline (v2 fixture rows -> tokenizer with slot tokens -> tiny model -> ONNX, int8, q4 -> model folder) in about a minute."""
import json
import math
import os

import onnx

from training import build
from training.slots import SLOT_TOKENS
from training.tokenizer import Tokenizer

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures', 'v2')


def test_tiny_end_to_end_build(tmp_path):
    out = tmp_path / 'because-reason-v2'
    work = tmp_path / 'work'
    build.main(['--fixtures', FIXTURES, '--out', str(out), '--config', 'tiny', '--steps', '150',
                '--eval-every', '25', '--vocab', '600', '--work', str(work), '--threads', '1'])
    for name in ('config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'facts_vocab.json',
                 'MODEL_CARD.md', 'metrics.json', 'onnx/model_quantized.onnx', 'onnx/model_q4.onnx'):
        assert (out / name).exists(), name
    assert not (out / 'onnx' / 'model.onnx').exists()  # v2 does not ship the fp32 file
    assert (work / 'onnx-fp32' / 'model.onnx').exists() and (work / 'checkpoint.pt').exists()
    cfg = json.load(open(out / 'config.json'))
    assert cfg['model_type'] == 'llama' and cfg['num_hidden_layers'] == 2
    for name in ('model_quantized.onnx', 'model_q4.onnx'):
        onnx.checker.check_model(onnx.load(str(out / 'onnx' / name)))
    tok = Tokenizer.load(str(out))
    assert cfg['vocab_size'] == tok.vocab_size and tok.vocab['<|@did|>'] == tok.vocab_size - 1
    added = {a['content']: a['special'] for a in json.load(open(out / 'tokenizer.json'))['added_tokens']}
    assert all(added[t] is False for t in SLOT_TOKENS) and added['<|new|>'] is True
    facts = json.load(open(out / 'facts_vocab.json'))['facts']
    assert 'Action' in facts and len(facts) > 20
    metrics = json.load(open(out / 'metrics.json'))
    hist = metrics['train_history']
    assert hist['steps'] == 150
    # it learned something: held-out loss well below the uniform-guess loss ln(vocab)
    assert metrics['valid_loss'] < math.log(cfg['vocab_size']) - 1.5
    # 171 rows overfit within ~100 steps: the kept (best) weights beat the first evaluation
    assert metrics['valid_loss'] == hist['best_valid_loss'] < hist['valid_loss'][0]
    card = (out / 'MODEL_CARD.md').read_text()
    assert 'research use only' in card.lower() and 'because-reason-v2' in card
