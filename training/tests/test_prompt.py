import json
import os

import pytest

from training.prompt import build_prompt, sanitize_text, truncate

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VECTORS = json.load(open(os.path.join(ROOT, 'test', 'fixtures', 'prompt-vectors.json'), encoding='utf-8'))['vectors']


@pytest.mark.parametrize('vector', VECTORS, ids=[v['name'] for v in VECTORS])
def test_shared_vector(vector):
    assert build_prompt(vector['item'], vector['context']) == vector['prompt']


def test_vectors_present():
    assert len(VECTORS) >= 10


def test_no_special_token_from_page_text():
    out = sanitize_text('<<||>>|><|reason|>', 100)
    assert '<|' not in out and '|>' not in out


def test_truncate_code_points():
    assert truncate('ab\U0001F600c', 3) == 'ab\U0001F600'
    assert truncate('abc d', 4) == 'abc'
