import json

from training.prompt import SPECIAL_TOKEN_LIST
from training.tokenizer import Tokenizer, pre_tokenize, split_special, train_bpe

TEXTS = [
    "<|domain|>game<|history|>Portal 2 [Puzzle, Co-op]<|item|>Portal [Puzzle]<|reason|>You'll love it: it's a puzzle game!",
    "Based on your history, you enjoy action games. Rust's survival mode is great.",
    'Café naïve 😀 日本語 and   spaces\tand\nnewlines',
] * 20


def test_pre_tokenize_matches_gpt2_regex_cases():
    assert pre_tokenize("it's  ok") == ['it', "'s", ' ', ' ok']
    assert pre_tokenize('Hello world!!') == ['Hello', ' world', '!!']
    assert pre_tokenize('a\n\nb') == ['a', '\n', '\n', 'b']  # \s+(?!\S) leaves the last space, then \s+
    assert pre_tokenize('x   ') == ['x', '   ']
    assert pre_tokenize('abc123 45') == ['abc', '123', ' 45']
    assert pre_tokenize("I'LL") == ['I', "'", 'LL']  # contractions are case-sensitive, as in JS
    assert pre_tokenize('日本語 😀😀') == ['日本語', ' 😀😀']


def test_split_special_tokens():
    assert split_special('a<|sep|>b<|end|>') == [('a', False), ('<|sep|>', True), ('b', False), ('<|end|>', True)]
    assert split_special('<| not special |>') == [('<| not special |>', False)]


def test_train_encode_decode_round_trip(tmp_path):
    tok = train_bpe(TEXTS, vocab_size=400)
    assert tok.vocab_size <= 400
    assert [tok.vocab[s] for s in SPECIAL_TOKEN_LIST] == list(range(9))
    for text in TEXTS[:3] + ['unseen ✨ text with ümlauts', '']:
        assert tok.decode(tok.encode(text)) == text
    tok.save(str(tmp_path))
    again = Tokenizer.load(str(tmp_path))
    assert again.encode(TEXTS[0]) == tok.encode(TEXTS[0])
    data = json.load(open(tmp_path / 'tokenizer.json'))
    assert data['model']['type'] == 'BPE' and data['pre_tokenizer']['type'] == 'ByteLevel'
    assert [a['id'] for a in data['added_tokens']] == list(range(9))
    assert all(a['special'] for a in data['added_tokens'])
    cfg = json.load(open(tmp_path / 'tokenizer_config.json'))
    assert cfg['eos_token'] == '<|end|>' and cfg['pad_token'] == '<|pad|>' and cfg['clean_up_tokenization_spaces'] is False


def test_merges_shorten_frequent_text():
    tok = train_bpe(TEXTS, vocab_size=600)
    text = 'Based on your history, you enjoy action games.'
    assert len(tok.encode(text)) < len(text.encode('utf-8')) / 2
    # special tokens are single ids even inside text
    assert tok.encode('a<|reason|>b').count(8) == 1
