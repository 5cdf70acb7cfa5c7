"""Prompt format v1, the Python twin of src/core/prompt.ts (spec: docs/prompt-format.md).

Both sides check test/fixtures/prompt-vectors.json; change neither without the other.
"""
import re
import unicodedata

PROMPT_FORMAT_VERSION = 1

SPECIAL_TOKENS = {
    'pad': '<|pad|>',
    'end': '<|end|>',
    'domain': '<|domain|>',
    'profile': '<|profile|>',
    'history': '<|history|>',
    'sep': '<|sep|>',
    'item': '<|item|>',
    'about': '<|about|>',
    'reason': '<|reason|>',
}
# Token ids follow this order: <|pad|> 0, <|end|> 1, then the section markers.
SPECIAL_TOKEN_LIST = list(SPECIAL_TOKENS.values())

LIMITS = {
    'domain': 16,
    'title': 80,
    'fact': 40,
    'itemFacts': 8,
    'historyFacts': 3,
    'historyEntries': 8,
    'profile': 200,
    'description': 160,
}
DEFAULT_DOMAIN = 'product'

_CONTROL = re.compile('[\u0000-\u001F\u007F-\u009F\u2028\u2029]')
_INVISIBLE = re.compile('[\u202A-\u202E\u2066-\u2069\uFEFF]')
_SPACES = re.compile('[\t\n\v\f\r \u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+')


def truncate(text, limit):
    """Cut to at most `limit` code points; drop one trailing space left by the cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[:-1] if cut.endswith(' ') else cut


def input_bound(limit):
    """Raw code points kept before sanitizing (sanitizing only shrinks text); as inputBound in prompt.ts."""
    return limit * 8 + 64


_MAX_BACKOFF = 32


def _joins_previous(ch):
    # Combining marks and Hangul medial/final jamo: NFC may fold them into the character before.
    return unicodedata.category(ch).startswith('M') or '\u1160' <= ch <= '\u11ff'


def cut_input(text, limit):
    """The first input_bound(limit) code points, moved back (at most 32) so a mark is never cut from its base."""
    bound = input_bound(limit)
    if len(text) <= bound:
        return text
    end = bound
    for _ in range(_MAX_BACKOFF):
        if end <= 0 or not _joins_previous(text[end]):
            break
        end -= 1
    return text[:end]


_PIPES = re.compile(r'\|+')


def _break_markers(text):
    """One pass: a run of '|' right after '<' or right before '>' is dropped (as breakMarkers in prompt.ts)."""
    if '|' not in text:
        return text

    def keep(m):
        before = m.start() > 0 and text[m.start() - 1] == '<'
        after = m.end() < len(text) and text[m.end()] == '>'
        return '' if before or after else m.group(0)

    return _PIPES.sub(keep, text)


def sanitize_text(value, limit):
    if not isinstance(value, str):
        return ''
    text = unicodedata.normalize('NFC', cut_input(value, limit))
    text = _INVISIBLE.sub('', text)
    text = _CONTROL.sub(' ', text)
    text = _break_markers(text)
    text = _SPACES.sub(' ', text)
    if text.startswith(' '):
        text = text[1:]
    if text.endswith(' '):
        text = text[:-1]
    return truncate(text, limit)


def _brackets(text):
    return text.replace('[', '(').replace(']', ')')


def sanitize_title(value):
    if isinstance(value, str):
        value = _brackets(cut_input(value, LIMITS['title']))
    return sanitize_text(value, LIMITS['title'])


def sanitize_fact(value):
    if not isinstance(value, str):
        return ''
    text = cut_input(value, LIMITS['fact'])
    if '://' in text:
        return ''
    return sanitize_text(_brackets(text).replace(',', ' '), LIMITS['fact'])


def attribute_facts(attributes, limit):
    """Fact values in key order then value order; strings only; case-insensitive dedupe; at most `limit`."""
    out = []
    seen = set()
    if not isinstance(attributes, dict):
        return out
    for raw in attributes.values():
        values = raw if isinstance(raw, list) else [raw]
        for value in values:
            fact = sanitize_fact(value)
            folded = fact.lower()
            if not fact or folded in seen:
                continue
            seen.add(folded)
            out.append(fact)
            if len(out) >= limit:
                return out
    return out


def _entry(title, facts):
    return '%s [%s]' % (title, ', '.join(facts)) if facts else title


def prompt_history(history):
    """History entries that reach the prompt: valid titles only, the last 8, oldest first."""
    if not isinstance(history, list):
        return []
    valid = []
    for h in history:
        h = h if isinstance(h, dict) else {}
        title = sanitize_title(h.get('title'))
        if title:
            valid.append({'title': title, 'facts': attribute_facts(h.get('attributes'), LIMITS['historyFacts'])})
    return valid[-LIMITS['historyEntries']:]


def build_prompt(item, context=None):
    """`<|domain|>D[<|profile|>P][<|history|>E(<|sep|>E)*]<|item|>E[<|about|>A]<|reason|>`."""
    t = SPECIAL_TOKENS
    context = context if isinstance(context, dict) else {}
    domain = sanitize_text(context.get('domain'), LIMITS['domain']).lower() or DEFAULT_DOMAIN
    prompt = t['domain'] + domain
    profile = sanitize_text(context.get('profile'), LIMITS['profile'])
    if profile:
        prompt += t['profile'] + profile
    history = prompt_history(context.get('history'))
    if history:
        prompt += t['history'] + t['sep'].join(_entry(h['title'], h['facts']) for h in history)
    prompt += t['item'] + _entry(sanitize_title(item.get('title')), attribute_facts(item.get('attributes'), LIMITS['itemFacts']))
    about = sanitize_text(item.get('description'), LIMITS['description'])
    if about:
        prompt += t['about'] + about
    return prompt + t['reason']


def row_prompt(row):
    """The prompt of one prepared data row (contract schema, HELPERS.md section 2)."""
    user = row.get('user') or {}
    return build_prompt(row['item'], {'domain': row.get('domain'), 'history': user.get('history'), 'profile': user.get('profile')})
