"""v2 tokenizer (v1 + 11 added tokens) and the v2 row encoding."""
import json
import os

import pytest

from training.slots import SLOT_TOKENS, V2_ADDED_TOKENS, v2_tokenizer
from training.tokenizer import END_ID, Tokenizer, train_bpe
from training.train import collate, encode_rows

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
V1 = os.path.join(ROOT, 'public', 'models', 'because-reason-v1')
PROMPT = '<|domain|>game<|history|><|@h1|><|@h2|><|facts|><|@f1|>Co-op<|@f2|>FPS<|reason|>'
TARGET = 'Because you <|@did|> <|@h1|> and <|@h2|>, <|@item|> is another <|@f1|> <|@f2|> <|@noun|>.'


@pytest.fixture(scope='module')
def tok():
    if not os.path.exists(os.path.join(V1, 'tokenizer.json')):
        pytest.skip('v1 tokenizer not in the tree')
    return v2_tokenizer(Tokenizer.load(V1))


def test_added_tokens_follow_v1_in_contract_order(tok):
    v1 = Tokenizer.load(V1)
    assert tok.vocab_size == 6011
    assert [tok.vocab[t] for t, _ in V2_ADDED_TOKENS] == list(range(6000, 6011))
    assert all(tok.vocab[t] == i for t, i in v1.vocab.items())  # v1 ids unchanged
    assert tok.encode('ordinary text, no slots') == v1.encode('ordinary text, no slots')


def test_slots_split_out_and_survive_decode(tok):
    ids = tok.encode(PROMPT + TARGET)
    for t in SLOT_TOKENS[:6]:
        if t in PROMPT + TARGET:
            assert tok.vocab[t] in ids
    assert tok.decode(ids) == PROMPT + TARGET
    plain = tok.decode(ids, skip_special_tokens=True)
    assert '<|reason|>' not in plain and '<|facts|>' not in plain  # prompt structure: special
    assert TARGET in plain  # slots: special false, kept
    # a slot glued to text is still one token; a broken marker is not
    assert tok.encode('x<|@f1|>y').count(tok.vocab['<|@f1|>']) == 1
    assert tok.vocab['<|@f1|>'] not in tok.encode('<| @f1 |>')


def test_saved_files_mark_slots_not_special(tok, tmp_path):
    tok.save(str(tmp_path))
    data = json.load(open(tmp_path / 'tokenizer.json'))
    flags = {a['content']: a['special'] for a in data['added_tokens']}
    assert [a['id'] for a in data['added_tokens']] == list(range(9)) + list(range(6000, 6011))
    assert flags['<|new|>'] and flags['<|facts|>'] and flags['<|reason|>']
    assert not any(flags[t] for t in SLOT_TOKENS)
    again = Tokenizer.load(str(tmp_path))
    assert again.encode(PROMPT + TARGET) == tok.encode(PROMPT + TARGET)
    assert again.decode(again.encode(TARGET), skip_special_tokens=True) == TARGET


def test_train_bpe_never_merges_added_tokens():
    texts = [PROMPT + TARGET] * 30
    t = train_bpe(texts, vocab_size=400, added=V2_ADDED_TOKENS)
    assert t.vocab_size <= 400 and t.vocab['<|@did|>'] == t.vocab_size - 1
    assert not any('@' in tok_ and '|' in tok_ for tok_ in t.vocab if tok_ not in t.specials)
    assert t.decode(t.encode(PROMPT + TARGET)) == PROMPT + TARGET


def test_v2_rows_put_the_loss_on_target_and_end_only(tok):
    rows = [{'prompt': PROMPT, 'target': TARGET}, {'prompt': PROMPT, 'target': TARGET + '<|end|>'}]
    ex = encode_rows(tok, rows)
    assert ex[0] == ex[1]  # a trailing <|end|> in the target is not doubled
    ids, plen = ex[0]
    assert ids[:plen] == tok.encode(PROMPT) and ids[plen:] == tok.encode(TARGET) + [END_ID]
    x, y = collate(ex, [0], 'cpu')
    labelled = [int(v) for v in y[0] if v != -100]
    assert labelled == tok.encode(TARGET) + [END_ID]
