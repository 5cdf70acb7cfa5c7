"""Reason model v2's added tokens (contract: docs/plan-and-slots.md, section 2).

v2 keeps v1's 6,000-token BPE vocabulary and special tokens and appends these 11 tokens, in this
order, at ids 6000-6010. Prompt-structure tokens are special (decode may skip them); slot tokens
are not (`special: false`: decoding keeps them, the engine fills them).
"""
PROMPT_TOKENS = ['<|new|>', '<|facts|>']
SLOT_TOKENS = ['<|@item|>', '<|@h1|>', '<|@h2|>', '<|@f1|>', '<|@f2|>', '<|@f3|>', '<|@noun|>', '<|@nouns|>', '<|@did|>']
V2_ADDED_TOKENS = [(t, True) for t in PROMPT_TOKENS] + [(t, False) for t in SLOT_TOKENS]
V1_VOCAB_SIZE = 6000

# Words whose embeddings start the new rows (the mean of their tokens' rows), so a slot starts out
# meaning roughly what it is filled with.
INIT_WORDS = {
    '<|new|>': '<|history|>',
    '<|facts|>': '<|about|>',
    '<|@item|>': ' it',
    '<|@h1|>': ' Portal',
    '<|@h2|>': ' Half',
    '<|@f1|>': ' action',
    '<|@f2|>': ' adventure',
    '<|@f3|>': ' puzzle',
    '<|@noun|>': ' game',
    '<|@nouns|>': ' games',
    '<|@did|>': ' played',
}


def v2_tokenizer(v1):
    """The v2 tokenizer from v1's (training.tokenizer.Tokenizer)."""
    if v1.vocab_size != V1_VOCAB_SIZE:
        raise ValueError('expected the 6,000-token v1 tokenizer, got %d tokens' % v1.vocab_size)
    return v1.with_added(V2_ADDED_TOKENS)


def init_rows(tok):
    """{new id: [old ids]} for training.onnx_weights.grow_vocab."""
    return {tok.vocab[t]: tok.encode(w) for t, w in INIT_WORDS.items()}
