import gzip
import json
import os

from training import data as D


def test_decode_artifacts():
    assert D.decode_artifacts('ArcheBlade\\u2122') == 'ArcheBlade\u2122'
    assert D.decode_artifacts('u"Sid Meiers Civilization\\xae V"') == 'Sid Meiers Civilization\xae V'
    assert D.decode_artifacts("u'Plain'") == 'Plain'
    assert D.decode_artifacts('no escapes') == 'no escapes'
    assert D.decode_artifacts('Animation &amp; Modeling') == 'Animation & Modeling'


def test_check_reason():
    assert D.check_reason('') == 'empty-reason'
    assert D.check_reason('too short') == 'reason-too-short'
    assert D.check_reason("I'm sorry, but I cannot determine why you would like this game at all.") == 'refusal'
    assert D.check_reason('You will enjoy Rust because you like action games with friends.') is None
    assert D.check_reason('bad <|end|> marker inside a long enough reason text here') == 'special-marker-in-reason'


def _row(history, reason, title='Rust'):
    return {'id': 'x', 'domain': 'game', 'source': 's', 'user': {'history': [{'title': t, 'attributes': {}} for t in history]},
            'item': {'title': title, 'attributes': {}}, 'reason': reason}


def test_cites_unseen_history():
    hist = ['Old Forgotten Game'] + ['Game %d' % i for i in range(8)]
    assert D.cites_unseen_history(_row(hist, 'Since you played Old Forgotten Game, try Rust.'))
    assert not D.cites_unseen_history(_row(hist, 'Since you played Game 7, try Rust.'))
    # 'Title, The' is also matched as 'The Title'
    hist2 = ['English Patient, The'] + ['Movie %d' % i for i in range(8)]
    assert D.cites_unseen_history(_row(hist2, 'Like The English Patient, this film ...'))
    assert not D.cites_unseen_history(_row(hist2[1:], 'A film like Movie 3.'))


def test_split_is_user_and_item_disjoint():
    rows = []
    for u in range(60):
        for k in range(3):
            item = 'item%d' % ((u * 7 + k * 13) % 25)
            rows.append(({'id': '%d-%d' % (u, k)}, 'user%d' % u, item))
    counts = {}
    import collections
    counts = collections.Counter()
    splits = D.split_rows(rows, 13, 'src', counts)
    owner_u, owner_i = {}, {}
    kept = 0
    for split, part in splits.items():
        for row in part:
            kept += 1
            u, k = row['id'].split('-')
            item = 'item%d' % ((int(u) * 7 + int(k) * 13) % 25)
            assert owner_u.setdefault(u, split) == split
            assert owner_i.setdefault(item, split) == split
    assert kept + sum(counts.values()) == len(rows)
    assert all(len(splits[s]) > 0 for s in D.SPLITS)
    # seeded: the same split twice
    again = D.split_rows(rows, 13, 'src', collections.Counter())
    assert {s: [r['id'] for r in v] for s, v in again.items()} == {s: [r['id'] for r in v] for s, v in splits.items()}


def test_prepare_on_a_tiny_synthetic_tree(tmp_path, capsys):
    root = tmp_path / 'llmxrec-rec-reasons'
    root.mkdir()
    prompts, reasons = [], []
    for i in range(40):
        pid = 'p%d' % i
        prompts.append({'prompt_id': pid, 'dataset': 'steam', 'instruction': '',
                        'parsed': {'domain': 'game', 'user': None,
                                   'history': [{'title': 'H%d\\u2122' % (i % 9), 'tags': ['Action', 'nan']}],
                                   'candidate': {'title': 'C%d' % (i % 6), 'tags': ['Indie']}}})
        for j, llm in enumerate(['GPT4', 'GPT3.5', 'LLaMA2']):
            reasons.append({'id': i * 3 + j, 'dataset': 'steam', 'rec_model': 'BPR-MF', 'llm': llm, 'row': i,
                            'prompt_id': pid, 'response': 'You should play C%d because you like action games a lot (%s, %d).' % (i % 6, llm, i)})
    reasons.append({'id': 999, 'dataset': 'steam', 'llm': 'GPT4', 'prompt_id': 'missing', 'response': 'x y z w v u t s'})
    with gzip.open(root / 'prompts.jsonl.gz', 'wt') as f:
        f.write('\n'.join(json.dumps(p) for p in prompts))
    with gzip.open(root / 'reasons.jsonl.gz', 'wt') as f:
        f.write('\n'.join(json.dumps(r) for r in reasons))
    splits, counts = D.prepare(str(tmp_path), seed=1)
    total = sum(len(v) for v in splits.values())
    assert counts['llm-not-used (LLaMA2)'] == 40
    assert counts['llmxrec-steam: missing-or-unparsed-prompt'] == 1
    assert total - sum(1 for s in splits.values() for r in s if r.get('augmented')) + sum(n for k, n in counts.items() if not k.startswith('augment: ')) == len(reasons)
    row = splits['train'][0]
    assert set(row) >= {'id', 'domain', 'source', 'user', 'item', 'reason'}
    assert row['user']['history'][0]['title'].endswith('\u2122')
    assert row['user']['history'][0]['attributes'] == {'tags': ['Action']}
    D.write_prepared(splits, counts, str(tmp_path / 'out'))
    for name in ('train', 'valid', 'test', 'xrec_test'):
        assert os.path.exists(tmp_path / 'out' / ('%s.jsonl' % name))
    D.summarize(splits, counts)
    assert 'rejected rows by reason' in capsys.readouterr().out


def test_fixture_rows_follow_the_contract():
    here = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'fixtures')
    for split in ('train', 'valid', 'test'):
        rows = D.read_jsonl(os.path.join(here, '%s.jsonl' % split))
        assert rows
        for r in rows:
            assert isinstance(r['reason'], str) and r['reason']
            assert isinstance(r['item']['title'], str) and r['item']['title']
            assert isinstance(r['user']['history'], list)


def test_title_swap_augmentation():
    import collections
    import random
    from training import augment as A
    row = {'id': 'r', 'domain': 'movie', 'source': 'llmxrec-ml100k',
           'user': {'history': [{'title': 'Fargo', 'attributes': {}}]},
           'item': {'title': 'Godfather, The', 'attributes': {'genres': ['Crime']}},
           'reason': 'You will love The Godfather because you liked Fargo.'}
    out = A.swap_title(row, 'Rock, The')
    assert out['item']['title'] == 'Rock, The' and out['reason'] == 'You will love The Rock because you liked Fargo.'
    assert out['item']['attributes'] == {'genres': ['Crime']} and out['augmented'] == 'title-swap'
    # a partial mention left behind means no copy
    partial = dict(row, item={'title': 'Counter-Strike: Global Offensive', 'attributes': {}},
                   reason='Play Counter-Strike: Global Offensive; Counter-Strike fans love it.')
    assert A.swap_title(partial, 'Portal 2') is None
    counts = collections.Counter()
    pools = A.title_pools([row], held_out_titles=['Heat'], catalog_titles=[])
    assert 'Heat' not in pools['movie']
    copies = A.augment([row], {'movie': ['Heat', 'Casablanca']}, random.Random(0), counts)
    assert len(copies) == 1 and copies[0]['item']['title'] in ('Heat', 'Casablanca')


def test_cites_demographics():
    user = {'age': 24, 'gender': 'M', 'occupation': 'engineer'}
    assert D.cites_demographics('As an engineer, you will like it.', user) == 'cites-dropped-demographics'
    assert D.cites_demographics('At 24 you will like it.', user) == 'cites-dropped-demographics'
    assert D.cites_demographics('You will like its engineering marvels.', user) is None
    assert D.cites_demographics('Anything', None) is None
