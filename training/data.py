"""Data preparation: read ../shared/data into the contract schema (HELPERS.md section 2), split, write JSONL.

Usage: python3 -m training.data --data ../shared/data --out training/out/data [--seed 13]

Sources
- llmxrec-rec-reasons: GPT-4 and GPT-3.5 reasons only (ChatGLM2/LLaMA2 contain refusals). MovieLens
  age/gender/occupation are dropped (privacy; a storefront has no such fields). Literal escape
  artefacts of the original export (`\\u2122`, `\\xae`, `u"..."`) are decoded.
- xrec-explanations (amazon, google, yelp test sets): user_summary -> user.profile, item_summary ->
  item.description, explanation -> reason, history empty; for the held-out part, XRec's own
  prediction is joined from xrec_outputs (by test_row) as `xrec_prediction`.
- The Amazon musical-instrument reviews are not used: no item metadata and no reason labels.
- MovieLens reasons that use the dropped age, gender or occupation ("As an engineer, ...") are
  rejected (`cites-dropped-demographics`): the prompt never shows them.
- The reasons file labelled Sasrec/GPT3.5 "ml-100k" holds MIND prompts (943 rows): they are rejected
  (`mislabelled-dataset`). Like `cites-dropped-demographics`, this rejection happens after the split,
  and the split keys use the titles before HTML unescaping, so these fixes did not move the split
  (the shipped model was fine-tuned from weights trained on the earlier data; see docs/training.md).
- Title-swap augmentation (training/augment.py) adds, to the train split only, copies of LLMXRec rows
  with another title in place of the candidate's, so the model learns to copy the item title.

Split: per source, seeded, by candidate item AND by user (no user and no candidate item in two
splits). Items are assigned first (largest first, to the split furthest below its target share),
then each user goes to the split holding most of its rows; rows whose item and user disagree are
rejected as `split-conflict`.

Rejections are counted by reason and printed; nothing is dropped silently. One rule is specific to
the prompt format: a training row whose reason cites a history title that is NOT among the last 8
history entries (the ones the prompt shows) is rejected (`cites-unseen-history`), so the model never
learns to cite things it cannot see.

Steam enrichment: the LLMXRec Steam prompts give only 2-6 tags per game, and GPT-4 added claims from
its own knowledge ("team-based", "open world") to about 40% of the reasons. Where a Steam title
matches the catalog (`catalog/steam_games.jsonl.gz`, exact title), its catalog tags and genres are
appended after the prompt's own tags (`steam_tags`, `genres`), as a storefront would pass them. Then a
training row whose reason names a catalog fact (a tag/genre/category of the vocabulary, spelled as in
the vocabulary: multi-word or hyphenated terms in any case, single words capitalized and not at a
sentence start) that its prompt does not show is rejected (`cites-unseen-fact`, train only).
"""
import argparse
import collections
import gzip
import hashlib
import html
import json
import os
import random
import re
import sys

from . import augment
from .prompt import LIMITS, attribute_facts, prompt_history, sanitize_title

SPLITS = ('train', 'valid', 'test')
TARGET = {'train': 0.8, 'valid': 0.1, 'test': 0.1}
LLMXREC_DOMAINS = {'ml-100k': ('movie', 'llmxrec-ml100k'), 'steam': ('game', 'llmxrec-steam'),
                   'mind_small_dev': ('news', 'llmxrec-mind')}
XREC_DOMAINS = {'amazon': 'book', 'google': 'business', 'yelp': 'business'}
KEEP_LLMS = ('GPT4', 'GPT3.5')
MIN_WORDS, MAX_WORDS = 6, 110

_REFUSAL = re.compile(r"\b(I'm sorry|I am sorry|as an AI|language model|I cannot|I can't|unable to (determine|provide)|not enough information)\b", re.I)
_U_WRAP = re.compile(r'^u(["\'])(.*)\1$', re.S)
_ESC = re.compile(r'\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|U[0-9a-fA-F]{8})')


def decode_artifacts(text):
    """Undo export artefacts: `u"..."` wrappers, literal \\uXXXX / \\xXX, and HTML entities (`&amp;`)."""
    if not isinstance(text, str):
        return text
    m = _U_WRAP.match(text)
    if m:
        text = m.group(2)
    text = _ESC.sub(lambda g: chr(int(g.group(1)[1:], 16)), text)
    return html.unescape(text) if '&' in text else text


def _unescape_free(text):
    """decode_artifacts without the HTML-entity step (split keys only)."""
    m = _U_WRAP.match(text)
    if m:
        text = m.group(2)
    return _ESC.sub(lambda g: chr(int(g.group(1)[1:], 16)), text)


def _read_jsonl_gz(path):
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)


def _attributes(entry):
    """Attribute map of a parsed LLMXRec entry (tags / genres / category+subcategory)."""
    attrs = {}
    for key in ('tags', 'genres', 'category', 'subcategory'):
        value = entry.get(key)
        if isinstance(value, list):
            value = [decode_artifacts(v) for v in value if isinstance(v, str) and v.strip() and v.strip().lower() != 'nan']
            if value:
                attrs[key] = value
        elif isinstance(value, str) and value.strip() and value.strip().lower() != 'nan':
            attrs[key] = decode_artifacts(value)
    return attrs


def _title_variants(title):
    """Spellings of a title a reason may use: 'English Patient, The' -> also 'The English Patient'."""
    title = title.strip()
    out = {title}
    m = re.match(r'^(.*), (The|A|An|Les|La|Le|Il|Das|Der|Die)$', title)
    if m:
        out.add('%s %s' % (m.group(2), m.group(1)))
        out.add(m.group(1))
    base = re.sub(r'\s*\([^)]*\)\s*$', '', title)  # trailing '(1995)' or '(Classic, 2005)'
    if base and base != title:
        out.add(base)
    return {v for v in out if len(v) >= 4}


def _mentions(text, title):
    """Does `text` cite `title`? Word boundaries; single-word titles must match case too."""
    for variant in _title_variants(title):
        flags = re.I if ' ' in variant else 0
        if re.search(r'(?<!\w)' + re.escape(variant) + r'(?!\w)', text, flags):
            return True
    return False


def cites_unseen_history(row):
    """True when the reason names a history title that the prompt (last 8 entries) does not show."""
    history = row['user'].get('history') or []
    shown = {h['title'].lower() for h in prompt_history(history)}
    shown.add(sanitize_title(row['item']['title']).lower())
    for h in history:
        title = sanitize_title(h.get('title'))
        if title and title.lower() not in shown and not any(title.lower() in s for s in shown) and _mentions(row['reason'], title):
            return True
    return False


def _prompt_facts(row):
    """Lower-cased facts and titles the prompt shows for this row."""
    shown = {sanitize_title(row['item']['title']).lower()}
    shown.update(f.lower() for f in attribute_facts(row['item'].get('attributes'), LIMITS['itemFacts']))
    for h in prompt_history(row['user'].get('history') or []):
        shown.add(h['title'].lower())
        shown.update(f.lower() for f in h['facts'])
    return shown


def fact_patterns(vocab):
    """Compiled patterns for the catalog facts that `cites_unseen_fact` looks for."""
    pats = []
    for term in vocab:
        if len(term) < 4:
            continue
        if ' ' in term or '-' in term:
            pats.append((term.lower(), re.compile(r'(?<!\w)' + re.escape(term) + r'(?!\w)', re.I)))
        elif term[:1].isupper():
            # A capitalized single word not at a sentence start ("an Open World" is caught above).
            pats.append((term.lower(), re.compile(r'(?<![.!?:]\s)(?<!^)(?<!\w)' + re.escape(term) + r'(?!\w)')))
    return pats


def cites_unseen_fact(row, patterns):
    """True when the reason names a vocabulary fact that the prompt does not show."""
    shown = _prompt_facts(row)
    text = row['reason']
    for low, pat in patterns:
        if low not in shown and not any(low in s for s in shown) and pat.search(text):
            return True
    return False


def cites_demographics(reason, user):
    """'cites-dropped-demographics' when a MovieLens reason uses the age, gender or occupation we drop."""
    if not isinstance(user, dict):
        return None
    occupation = str(user.get('occupation') or '').lower()
    if occupation not in ('', 'none', 'other') and re.search(r'(?<!\w)%ss?(?!\w)' % re.escape(occupation), reason, re.I):
        return 'cites-dropped-demographics'
    if re.search(r'\b(year-old|years old|male|female|gentleman|lady|as a (man|woman))\b', reason, re.I):
        return 'cites-dropped-demographics'
    age = user.get('age')
    if isinstance(age, int) and re.search(r'(?<!\d)%d(?!\d)' % age, reason):
        return 'cites-dropped-demographics'
    return None


def check_reason(reason):
    """None when usable, else the rejection reason."""
    if not isinstance(reason, str) or not reason.strip():
        return 'empty-reason'
    if '<|' in reason or '|>' in reason:
        return 'special-marker-in-reason'
    words = len(reason.split())
    if words < MIN_WORDS:
        return 'reason-too-short'
    if words > MAX_WORDS:
        return 'reason-too-long'
    if _REFUSAL.search(reason):
        return 'refusal'
    return None


def clean_reason(text):
    text = decode_artifacts(text).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return re.sub(r'\s+', ' ', text)


def load_steam_catalog(root):
    """{lower-cased title: {'steam_tags': [...], 'genres': [...]}} from the Steam catalog, if present."""
    path = os.path.join(root, 'catalog', 'steam_games.jsonl.gz')
    if not os.path.exists(path):
        return {}
    out = {}
    for g in _read_jsonl_gz(path):
        title = g.get('title') or g.get('app_name')
        if not isinstance(title, str) or not title.strip():
            continue
        attrs = {}
        for key, src in (('steam_tags', 'tags'), ('genres', 'genres')):
            vals = [decode_artifacts(v) for v in (g.get(src) or []) if isinstance(v, str) and v.strip()]
            if vals:
                attrs[key] = vals
        if attrs:
            out.setdefault(title.strip().lower(), attrs)
    return out


def enrich(entry, catalog):
    """Appends catalog facts after the entry's own attributes (prompt facts keep their order)."""
    extra = catalog.get(entry['title'].strip().lower())
    if extra:
        entry['attributes'] = dict(entry['attributes'], **{k: v for k, v in extra.items() if k not in entry['attributes']})
    return entry


def load_llmxrec(root, counts):
    """Rows from llmxrec-rec-reasons with their user and item keys for the split."""
    prompts = {p['prompt_id']: p for p in _read_jsonl_gz(os.path.join(root, 'prompts.jsonl.gz'))}
    catalog = load_steam_catalog(root)
    rows = []
    for r in _read_jsonl_gz(os.path.join(root, 'reasons.jsonl.gz')):
        if r.get('llm') not in KEEP_LLMS:
            counts['llm-not-used (%s)' % r.get('llm')] += 1
            continue
        p = prompts.get(r.get('prompt_id'))
        # The prompt's dataset is the truth: one source file (Sasrec/GPT3.5/ml-100k) holds MIND prompts.
        dataset = p.get('dataset') if p else r.get('dataset')
        if dataset not in LLMXREC_DOMAINS or r.get('dataset') not in LLMXREC_DOMAINS:
            counts['unknown-dataset'] += 1
            continue
        domain, source = LLMXREC_DOMAINS[dataset]
        group = LLMXREC_DOMAINS[r['dataset']][1]  # split group: the file's own label (keeps the split stable)
        parsed = p and p.get('parsed')
        if not parsed or not isinstance(parsed.get('candidate'), dict):
            counts['%s: missing-or-unparsed-prompt' % source] += 1
            continue
        cand = parsed['candidate']
        title = decode_artifacts(cand.get('title') or '')
        if not sanitize_title(title):
            counts['%s: empty-item-title' % source] += 1
            continue
        history = []
        for h in parsed.get('history') or []:
            if isinstance(h, dict) and sanitize_title(decode_artifacts(h.get('title') or '')):
                history.append({'title': decode_artifacts(h['title']), 'attributes': _attributes(h)})
        item = {'title': title, 'attributes': _attributes(cand)}
        if domain == 'game':
            history = [enrich(h, catalog) for h in history]
            item = enrich(item, catalog)
        reason = clean_reason(r.get('response') or '')
        bad = check_reason(reason)
        if bad:
            counts['%s: %s' % (source, bad)] += 1
            continue
        row = {'id': '%s-%s' % (source, r['id']), 'domain': domain, 'source': source,
               'user': {'history': history}, 'item': item,
               'reason': reason, '_group': group}
        # Rejected after the split (so the split of the other rows does not move): see prepare().
        late = ('mislabelled-dataset (reasons file says %s)' % r['dataset']) if dataset != r['dataset'] else \
            cites_demographics(reason, parsed.get('user'))
        if late:
            row['_reject'] = late
        # Split keys use the titles before HTML unescaping, so that fix did not move the split.
        raw = [_unescape_free(h.get('title') or '') for h in parsed.get('history') or []
               if isinstance(h, dict) and sanitize_title(decode_artifacts(h.get('title') or ''))]
        user_key = hashlib.sha1(json.dumps(raw).encode()).hexdigest()
        rows.append((row, user_key, _unescape_free(cand.get('title') or '').lower()))
    return rows


def load_xrec(root, counts):
    rows = []
    for ds, domain in XREC_DOMAINS.items():
        folder = os.path.join(root, ds)
        if not os.path.isdir(folder):
            counts['xrec-%s: folder-missing' % ds] += 1
            continue
        source = 'xrec-' + ds
        preds = {}
        for o in _read_jsonl_gz(os.path.join(folder, 'xrec_outputs.jsonl.gz')):
            if o.get('test_row') is not None and isinstance(o.get('xrec_prediction'), str):
                preds[o['test_row']] = o['xrec_prediction']
        for t in _read_jsonl_gz(os.path.join(folder, 'test.jsonl.gz')):
            title = decode_artifacts(t.get('title'))
            if not isinstance(title, str) or not sanitize_title(title):
                counts['%s: empty-item-title' % source] += 1
                continue
            reason = clean_reason(t.get('explanation') or '')
            bad = check_reason(reason)
            if bad:
                counts['%s: %s' % (source, bad)] += 1
                continue
            user = {'history': []}
            if isinstance(t.get('user_summary'), str) and t['user_summary'].strip():
                user['profile'] = decode_artifacts(t['user_summary'].strip())
            item = {'title': title, 'attributes': {}}
            if isinstance(t.get('item_summary'), str) and t['item_summary'].strip():
                item['description'] = decode_artifacts(t['item_summary'].strip())
            row = {'id': '%s-%s' % (source, t['row']), 'domain': domain, 'source': source,
                   'user': user, 'item': item, 'reason': reason}
            if t['row'] in preds:
                row['xrec_prediction'] = preds[t['row']]
            rows.append((row, 'u%s' % t['uid'], 'i%s' % t['iid']))
    return rows


def split_rows(rows, seed, source, counts):
    """{split: [row]} with no user and no candidate item in two splits (see module doc)."""
    rng = random.Random('%s/%s' % (seed, source))
    item_rows = collections.Counter(item for _, _, item in rows)
    items = sorted(item_rows)
    rng.shuffle(items)
    items.sort(key=lambda i: -item_rows[i])  # stable: ties keep the seeded order
    total = len(rows)
    assigned = {s: 0 for s in SPLITS}
    item_split = {}
    for item in items:
        split = max(SPLITS, key=lambda s: TARGET[s] * total - assigned[s])
        item_split[item] = split
        assigned[split] += item_rows[item]
    user_votes = collections.defaultdict(collections.Counter)
    for _, user, item in rows:
        user_votes[user][item_split[item]] += 1
    user_split = {}
    for user in sorted(user_votes):
        votes = user_votes[user]
        best = max(votes.values())
        user_split[user] = rng.choice(sorted(s for s in votes if votes[s] == best))
    out = {s: [] for s in SPLITS}
    for row, user, item in rows:
        if user_split[user] != item_split[item]:
            counts['%s: split-conflict (user and item in different splits)' % source] += 1
            continue
        out[item_split[item]].append(row)
    return out


def prepare(data_dir, seed=13, augment_titles=True):
    """Returns ({split: rows}, counts): rejections by reason, plus `augment: ...` notes (training.augment)."""
    counts = collections.Counter()
    by_source = collections.defaultdict(list)
    llm_dir = os.path.join(data_dir, 'llmxrec-rec-reasons')
    if os.path.isdir(llm_dir):
        for entry in load_llmxrec(llm_dir, counts):
            by_source[entry[0]['_group']].append(entry)
    xrec_dir = os.path.join(data_dir, 'xrec-explanations')
    if os.path.isdir(xrec_dir):
        for entry in load_xrec(xrec_dir, counts):
            by_source[entry[0]['source']].append(entry)
    if not by_source:
        raise SystemExit('no usable data under %s (expected llmxrec-rec-reasons/ and/or xrec-explanations/)' % data_dir)
    splits = {s: [] for s in SPLITS}
    seen = set()
    for source in sorted(by_source):
        deduped = []
        for entry in by_source[source]:
            key = json.dumps([entry[0]['user'], entry[0]['item'], entry[0]['reason']], sort_keys=True)
            if key in seen:
                counts['%s: duplicate' % source] += 1
                continue
            seen.add(key)
            deduped.append(entry)
        for split, rows in split_rows(deduped, seed, source, counts).items():
            splits[split].extend(rows)
    for split in SPLITS:
        kept = []
        for row in splits[split]:
            row.pop('_group', None)
            late = row.pop('_reject', None)
            if late:
                counts['%s: %s' % (row['source'], late)] += 1
            else:
                kept.append(row)
        splits[split] = kept
    kept = []
    patterns = fact_patterns(facts_vocab(splits['train']))
    for row in splits['train']:
        if cites_unseen_history(row):
            counts['%s: cites-unseen-history (train only)' % row['source']] += 1
        elif cites_unseen_fact(row, patterns):
            counts['%s: cites-unseen-fact (train only)' % row['source']] += 1
        else:
            kept.append(row)
    splits['train'] = kept
    if augment_titles:
        held = [r['item']['title'] for s in ('valid', 'test') for r in splits[s]]
        catalog = sorted({decode_artifacts(g.get('title') or g.get('app_name') or '') for g in _read_jsonl_gz(
            os.path.join(llm_dir, 'catalog', 'steam_games.jsonl.gz'))} - {''}) if os.path.exists(
            os.path.join(llm_dir, 'catalog', 'steam_games.jsonl.gz')) else []
        pools = augment.title_pools(splits['train'], held, catalog)
        splits['train'] += augment.augment(splits['train'], pools, random.Random('%s/augment' % seed), counts)
    for s in SPLITS:
        random.Random('%s/order/%s' % (seed, s)).shuffle(splits[s])
    return splits, counts


def write_jsonl(path, rows):
    with open(path, 'w', encoding='utf-8') as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + '\n')


def read_jsonl(path):
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def facts_vocab(rows):
    """Every attribute value (tags/genres/categories) seen in the rows, first spelling kept."""
    seen = {}
    for row in rows:
        entries = [row['item']] + list(row['user'].get('history') or [])
        for e in entries:
            for value in (e.get('attributes') or {}).values():
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, str) and v.strip():
                        seen.setdefault(v.strip().lower(), v.strip())
    return sorted(seen.values(), key=str.lower)


def summarize(splits, counts, out=None):
    out = out or sys.stdout
    print('prepared rows by split and source:', file=out)
    for s in SPLITS:
        by = collections.Counter(r['source'] for r in splits[s])
        print('  %-6s %6d  %s' % (s, len(splits[s]), dict(sorted(by.items()))), file=out)
    rejected = {k: n for k, n in counts.items() if not k.startswith('augment: ')}
    print('rejected rows by reason (%d in all):' % sum(rejected.values()), file=out)
    for key, n in sorted(rejected.items()):
        print('  %6d  %s' % (n, key), file=out)
    notes = {k: n for k, n in counts.items() if k.startswith('augment: ')}
    if notes:
        print('augmentation (train only, see training/augment.py):', file=out)
        for key, n in sorted(notes.items()):
            print('  %6d  %s' % (n, key[len('augment: '):]), file=out)


def write_prepared(splits, counts, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for s in SPLITS:
        write_jsonl(os.path.join(out_dir, '%s.jsonl' % s), splits[s])
    xrec = [r for r in splits['test'] if 'xrec_prediction' in r]
    write_jsonl(os.path.join(out_dir, 'xrec_test.jsonl'), xrec)
    with open(os.path.join(out_dir, 'stats.json'), 'w') as f:
        json.dump({'rows': {s: len(splits[s]) for s in SPLITS}, 'xrec_test': len(xrec),
                   'rejected': dict(sorted(counts.items()))}, f, indent=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='folder holding llmxrec-rec-reasons/ and xrec-explanations/')
    ap.add_argument('--out', required=True, help='output folder for train/valid/test/xrec_test.jsonl')
    ap.add_argument('--seed', type=int, default=13)
    args = ap.parse_args(argv)
    splits, counts = prepare(args.data, args.seed)
    write_prepared(splits, counts, args.out)
    summarize(splits, counts)


if __name__ == '__main__':
    main()
