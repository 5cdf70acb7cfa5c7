"""Title-swap augmentation for the LLMXRec training rows (train split only).

Why: LLMXRec has few distinct candidate items (34 Steam games, ~190 movies, ~300 news), so a model
trained on it learns "item -> memorised blurb" instead of "copy the title from <|item|>". With the
split by item, every held-out item is new, and the first model (v1 before this step) wrote the
name of a popular training item ("you should play Rust") for an unseen one.

What: for a training row whose reason names its candidate title, one extra copy (two for games) is added in which
the title (prompt and reason alike) is replaced by another title of the same domain, drawn from the
training split's titles (and, for games, the Steam catalog), never a held-out candidate. The item's
facts stay as they are (the reason's claims about tags or genres stay true of the prompt). A copy is
skipped when a distinctive word of the old title would remain in the reason (a partial mention such
as "Counter-Strike" for "Counter-Strike: Global Offensive"), so no copy names an item the prompt lacks.
"""
import collections
import re

from .prompt import sanitize_title

_ARTICLE_LAST = re.compile(r'^(.*), (The|A|An)$')
# Steam has only 34 candidate games, so its rows get two copies.
COPIES = {'game': 2, 'movie': 1, 'news': 1}
_STOP = {'the', 'and', 'for', 'with', 'from', 'your', 'this', 'that', 'edition', 'game', 'games', 'movie',
         'news', 'about', 'after', 'into', 'over', 'what', 'when', 'where', 'which', 'their', 'there'}


def spoken(title):
    """How a reason writes a title: 'Godfather, The' -> 'The Godfather'."""
    m = _ARTICLE_LAST.match(title)
    return '%s %s' % (m.group(2), m.group(1)) if m else title


def _forms(title):
    forms = {title, spoken(title)}
    return sorted((f for f in forms if len(f) >= 3), key=len, reverse=True)


def _distinctive(title):
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'\-]{4,}", title) if w.lower() not in _STOP}


def swap_title(row, new_title):
    """The row with its candidate title replaced (prompt and reason), or None when not clean."""
    old = row['item']['title']
    reason = row['reason']
    hit = False
    for form in _forms(old):
        pattern = re.compile(r'(?<!\w)' + re.escape(form) + r'(?!\w)')
        if pattern.search(reason):
            hit = True
            reason = pattern.sub(lambda _m: spoken(new_title), reason)
    if not hit:
        return None
    left = _distinctive(old) - _distinctive(new_title)
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'\-]+", reason)}
    if left & words:
        return None
    out = dict(row, id=row['id'] + '-swap', reason=reason, augmented='title-swap')
    out['item'] = dict(row['item'], title=new_title)
    return out


def title_pools(train_rows, held_out_titles, catalog_titles=()):
    """{domain: [titles]} for LLMXRec domains, without any held-out candidate title."""
    pools = collections.defaultdict(set)
    held = {t.lower() for t in held_out_titles}
    for r in train_rows:
        if not r['source'].startswith('llmxrec'):
            continue
        for t in [r['item']['title']] + [h['title'] for h in r['user'].get('history') or []]:
            pools[r['domain']].add(t)
    pools['game'].update(catalog_titles)
    return {d: sorted(t for t in ts if t.lower() not in held and 3 <= len(sanitize_title(t)) <= 60 and sanitize_title(t) == t)
            for d, ts in pools.items()}


def augment(train_rows, pools, rng, counts):
    """Title-swapped copies of the train rows (see module doc); counts why rows were not copied."""
    out = []
    for r in train_rows:
        if not r['source'].startswith('llmxrec') or r.get('augmented'):
            continue
        pool = pools.get(r['domain'])
        if not pool:
            continue
        taken = {r['item']['title'].lower()} | {h['title'].lower() for h in r['user'].get('history') or []}
        for copy in range(COPIES.get(r['domain'], 1)):
            for _ in range(5):
                new = pool[rng.randrange(len(pool))]
                if new.lower() not in taken:
                    break
            else:
                continue
            taken.add(new.lower())
            swapped = swap_title(r, new)
            if swapped is None:
                counts['augment: %s: no copy (title not cleanly in reason)' % r['source']] += 1
                break
            swapped['id'] = '%s-swap%d' % (r['id'], copy + 1)
            counts['augment: %s: title-swap copies added' % r['source']] += 1
            out.append(swapped)
    return out
