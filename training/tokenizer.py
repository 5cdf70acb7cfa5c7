"""Byte-level BPE, trained here (no `tokenizers` library), saved in the HF `tokenizer.json` layout.

The layout is what @huggingface/transformers (4.3.2, via @huggingface/tokenizers) loads:
ByteLevel pre-tokenizer (GPT-2 regex, no prefix space), BPE model with string merges, ByteLevel
decoder, and the special tokens as added tokens with ids 0..8 (`<|pad|>` 0, `<|end|>` 1, ...).
More added tokens can follow (`with_added`, v2's slot tokens): every added token is split out of
text before BPE; `special: false` ones (slots) are kept by `decode(skip_special_tokens=True)`.

The pre-tokenizer regex `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+`
is reproduced by a hand-written scanner (Python's `re` has no \\p{L}); `\\s` is the JavaScript set.
BPE applies the lowest-ranked merge first, leftmost first on ties, as the JS implementation does.
"""
import collections
import heapq
import json
import os
import unicodedata

from .prompt import SPECIAL_TOKEN_LIST

PAD_ID, END_ID = 0, 1

# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator).
JS_SPACE = frozenset('\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff' + ''.join(chr(c) for c in range(0x2000, 0x200B)))
_CONTRACTIONS = ('s', 't', 're', 've', 'm', 'll', 'd')


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('\xa1'), ord('\xac') + 1)) + list(range(ord('\xae'), ord('\xff') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {c: b for b, c in BYTE_ENCODER.items()}


def _kind(ch):
    if ch in JS_SPACE:
        return 's'
    cat = unicodedata.category(ch)[0]
    if cat == 'L':
        return 'L'
    if cat == 'N':
        return 'N'
    return 'o'


def pre_tokenize(text):
    """Split like the JS ByteLevel pre-tokenizer's regex (see module doc)."""
    out = []
    i, n = 0, len(text)
    kinds = [_kind(c) for c in text]
    while i < n:
        c = text[i]
        if c == "'":
            hit = next((w for w in _CONTRACTIONS if text.startswith(w, i + 1)), None)
            if hit:
                out.append(text[i:i + 1 + len(hit)])
                i += 1 + len(hit)
                continue
        k = kinds[i]
        start = i
        if c == ' ' and i + 1 < n and kinds[i + 1] != 's':
            k = kinds[i + 1]
            i += 1
        if k in ('L', 'N', 'o'):
            j = i
            while j < n and kinds[j] == k:
                j += 1
            out.append(text[start:j])
            i = j
            continue
        # whitespace: \s+(?!\S) leaves the last space for the next token, else \s+.
        j = i
        while j < n and kinds[j] == 's':
            j += 1
        if j == n:
            end = j
        elif j - 1 > i:
            end = j - 1
        else:
            end = j
        out.append(text[i:end])
        i = end
    return out


def to_byte_chars(piece):
    return ''.join(BYTE_ENCODER[b] for b in piece.encode('utf-8'))


def split_special(text, specials=SPECIAL_TOKEN_LIST):
    """[(segment, is_special)] splitting on the special tokens (longest first, left to right)."""
    out = []
    ordered = sorted(specials, key=len, reverse=True)
    i = 0
    buf_start = 0
    while i < len(text):
        if text[i] == '<':
            hit = next((s for s in ordered if text.startswith(s, i)), None)
            if hit:
                if buf_start < i:
                    out.append((text[buf_start:i], False))
                out.append((hit, True))
                i += len(hit)
                buf_start = i
                continue
        i += 1
    if buf_start < len(text):
        out.append((text[buf_start:], False))
    return out


class Tokenizer:
    def __init__(self, vocab, merges, specials=SPECIAL_TOKEN_LIST, plain_added=()):
        """specials: added tokens with `special: true`; plain_added: added tokens with `special: false`.
        Both are in `vocab` and both are split out of text; only specials are skipped by decode."""
        self.vocab = dict(vocab)  # token -> id (added tokens included)
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.special_tokens = list(specials)
        self.plain_added = list(plain_added)
        self.specials = self.special_tokens + self.plain_added  # everything split out of text
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self._cache = {}

    def with_added(self, tokens):
        """A copy with `tokens` [(content, special)] appended at the next ids, in order."""
        vocab = dict(self.vocab)
        specials, plain = list(self.special_tokens), list(self.plain_added)
        for content, special in tokens:
            if content in vocab:
                raise ValueError('token %r is already in the vocabulary' % content)
            vocab[content] = len(vocab)
            (specials if special else plain).append(content)
        return Tokenizer(vocab, self.merges, specials, plain)

    @property
    def vocab_size(self):
        return len(self.vocab)

    def _bpe(self, word):
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        parts = list(word)
        while len(parts) > 1:
            best, best_rank = -1, None
            for k in range(len(parts) - 1):
                r = self.ranks.get((parts[k], parts[k + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = k, r
            if best < 0:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        if len(self._cache) < 200000:
            self._cache[word] = parts
        return parts

    def encode(self, text):
        ids = []
        for segment, special in split_special(text, self.specials):
            if special:
                ids.append(self.vocab[segment])
                continue
            for piece in pre_tokenize(segment):
                for tok in self._bpe(to_byte_chars(piece)):
                    ids.append(self.vocab[tok])
        return ids

    def decode(self, ids, skip_special_tokens=False):
        out, buf = [], []
        added_ids = {self.vocab[s] for s in self.specials}
        special_ids = {self.vocab[s] for s in self.special_tokens}
        for i in ids:
            tok = self.id_to_token[int(i)]
            if int(i) in added_ids:  # added tokens decode to their text, not through the byte map
                if buf:
                    out.append(bytes(BYTE_DECODER[c] for c in ''.join(buf)).decode('utf-8', errors='replace'))
                    buf = []
                if not (skip_special_tokens and int(i) in special_ids):
                    out.append(tok)
            else:
                buf.append(tok)
        if buf:
            out.append(bytes(BYTE_DECODER[c] for c in ''.join(buf)).decode('utf-8', errors='replace'))
        return ''.join(out)

    # --- HF files -------------------------------------------------------------------------------
    def to_hf_json(self):
        added = [{'id': self.vocab[s], 'content': s, 'single_word': False, 'lstrip': False, 'rstrip': False,
                  'normalized': False, 'special': s in self.special_tokens}
                 for s in sorted(self.specials, key=lambda t: self.vocab[t])]
        model_vocab = {t: i for t, i in sorted(self.vocab.items(), key=lambda kv: kv[1])}
        return {
            'version': '1.0',
            'truncation': None,
            'padding': None,
            'added_tokens': added,
            'normalizer': None,
            'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True},
            'post_processor': None,
            'decoder': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True},
            'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': None,
                      'end_of_word_suffix': None, 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': False,
                      'vocab': model_vocab, 'merges': ['%s %s' % m for m in self.merges]},
        }

    def save(self, folder, model_max_length=512):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, 'tokenizer.json'), 'w', encoding='utf-8') as f:
            json.dump(self.to_hf_json(), f, ensure_ascii=False)
        config = {
            'tokenizer_class': 'PreTrainedTokenizerFast',
            'bos_token': None,
            'eos_token': SPECIAL_TOKEN_LIST[END_ID],
            'pad_token': SPECIAL_TOKEN_LIST[PAD_ID],
            'unk_token': None,
            'add_bos_token': False,
            'add_eos_token': False,
            'clean_up_tokenization_spaces': False,
            'padding_side': 'left',
            'model_max_length': model_max_length,
            'additional_special_tokens': [t for t in self.special_tokens if t not in (SPECIAL_TOKEN_LIST[PAD_ID], SPECIAL_TOKEN_LIST[END_ID])],
            'added_tokens_decoder': {str(self.vocab[s]): {'content': s, 'lstrip': False, 'normalized': False,
                                                          'rstrip': False, 'single_word': False, 'special': s in self.special_tokens}
                                     for s in sorted(self.specials, key=lambda t: self.vocab[t])},
        }
        with open(os.path.join(folder, 'tokenizer_config.json'), 'w', encoding='utf-8') as f:
            json.dump(config, f, ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, folder):
        with open(os.path.join(folder, 'tokenizer.json'), encoding='utf-8') as f:
            data = json.load(f)
        vocab = dict(data['model']['vocab'])
        added = sorted(data['added_tokens'], key=lambda a: a['id'])
        for a in added:
            vocab[a['content']] = a['id']
        merges = [tuple(m.split(' ', 1)) if isinstance(m, str) else tuple(m) for m in data['model']['merges']]
        return cls(vocab, merges, [a['content'] for a in added if a.get('special', True)],
                   [a['content'] for a in added if not a.get('special', True)])


def train_bpe(texts, vocab_size=6000, min_frequency=2, specials=SPECIAL_TOKEN_LIST, log=None, added=()):
    """Train byte-level BPE on `texts` (special tokens are split out and never merged).

    added: more added tokens [(content, special)], split out too and appended at the last ids
    (the vocabulary, them included, has at most vocab_size tokens)."""
    split = list(specials) + [a for a, _ in added]
    words = collections.Counter()
    for text in texts:
        for segment, special in split_special(text, split):
            if not special:
                for piece in pre_tokenize(segment):
                    words[to_byte_chars(piece)] += 1
    vocab = {s: i for i, s in enumerate(specials)}
    for b in range(256):
        vocab[BYTE_ENCODER[b]] = len(vocab)
    word_list = [list(w) for w in words]
    freqs = [words[w] for w in words]
    pair_counts = collections.Counter()
    where = collections.defaultdict(set)
    for wi, parts in enumerate(word_list):
        f = freqs[wi]
        for a, b in zip(parts, parts[1:]):
            pair_counts[(a, b)] += f
            where[(a, b)].add(wi)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)
    merges = []
    while len(vocab) < vocab_size - len(added) and heap:
        negc, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -negc:
            continue  # stale entry
        if -negc < min_frequency:
            break
        a, b = pair
        merged = a + b
        merges.append(pair)
        if merged not in vocab:
            vocab[merged] = len(vocab)
        changed = collections.Counter()
        for wi in list(where[pair]):
            parts = word_list[wi]
            f = freqs[wi]
            for x, y in zip(parts, parts[1:]):
                pair_counts[(x, y)] -= f
                changed[(x, y)] += 0
            new = []
            k = 0
            while k < len(parts):
                if k < len(parts) - 1 and parts[k] == a and parts[k + 1] == b:
                    new.append(merged)
                    k += 2
                else:
                    new.append(parts[k])
                    k += 1
            word_list[wi] = new
            for x, y in zip(new, new[1:]):
                pair_counts[(x, y)] += f
                where[(x, y)].add(wi)
                changed[(x, y)] += 0
        del pair_counts[pair]
        where.pop(pair, None)
        for p in changed:
            c = pair_counts.get(p, 0)
            if c > 0:
                heapq.heappush(heap, (-c, p))
            elif p in pair_counts:
                del pair_counts[p]
        if log and len(merges) % 1000 == 0:
            log('bpe: %d merges, vocab %d' % (len(merges), len(vocab)))
    return Tokenizer(vocab, merges, specials).with_added(added)
