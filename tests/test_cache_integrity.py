"Caches are used only when whole: a stage without its final record, a truncated or misnamed file, changed outputs."
import json
from pathlib import Path

import pandas as pd
import pytest

import posttrain.papers.r1k as r1k
from posttrain.core import get_paths
from posttrain.stages import run_stage
from conftest import completion, teacher_for


@pytest.fixture
def fake_evaluate(monkeypatch):
    "r1k.accuracy without lm-eval: each evaluation is counted; `fail[0] = True` makes the next one crash."
    calls, fail = [], [False]
    def evaluate(model, tokenizer, tasks, **kwargs):
        calls.append(tasks[0])
        if fail[0]: raise RuntimeError('killed mid-evaluation')
        values = [1.0, 0.0, 0.0, 0.0] if 'forward' in tasks[0] else [1.0, 1.0, 1.0, 0.0]
        items = pd.DataFrame({'task': tasks[0], 'item': [f'{tasks[0]}-{i}' for i in range(4)], 'metric': 'exact_match',
                              'value': values})
        return pd.DataFrame({'metric': ['exact_match'], 'value': [sum(values) / 4]}), items
    monkeypatch.setattr(r1k, 'load_model', lambda model, dtype: (None, None))
    monkeypatch.setattr(r1k, 'evaluate', evaluate)
    return calls, fail


def accuracy_record(root) -> Path:
    [run_dir] = [p for p in get_paths(root).stages.glob('r1k-eval-*') if p.is_dir()]
    return run_dir / 'record.json'


def test_stage_without_its_final_record_is_run_again(fake_evaluate, tmp_path):
    calls, fail = fake_evaluate
    scale = r1k.scale_of('smoke')
    fail[0] = True
    with pytest.raises(RuntimeError): r1k.accuracy(scale, 'tiny', root=tmp_path)
    assert not accuracy_record(tmp_path).exists()
    fail[0] = False
    scores = r1k.accuracy(scale, 'tiny', root=tmp_path)
    assert {k: scores[k] for k in ('forward', 'reverse', 'average')} == {'forward': 0.25, 'reverse': 0.75, 'average': 0.5}
    assert scores['items']['forward'] == {'formula_forward-0': 1.0, 'formula_forward-1': 0.0, 'formula_forward-2': 0.0,
                                          'formula_forward-3': 0.0}
    assert calls == ['formula_forward', 'formula_forward', 'formula_reverse']
    r1k.accuracy(scale, 'tiny', root=tmp_path)
    assert len(calls) == 3, 'a finished stage is reused'


@pytest.mark.parametrize('damage, message', [
    (lambda text: text[:len(text) // 2], 'unusable run record'),  # truncated JSON
    (lambda text: text.replace('"hash": "', '"hash": "0', 1), 'hash does not match its directory'),
    (lambda text: '\udcff', 'unusable run record'),  # not UTF-8
])
def test_damaged_stage_record_is_reported_and_recomputed(fake_evaluate, tmp_path, capsys, damage, message):
    calls, _ = fake_evaluate
    scale = r1k.scale_of('smoke')
    first = r1k.accuracy(scale, 'tiny', root=tmp_path)
    record = accuracy_record(tmp_path)
    text = record.read_text()
    record.write_bytes(damage(text).encode('utf-8', 'surrogateescape'))
    assert r1k.accuracy(scale, 'tiny', root=tmp_path) == first and len(calls) == 4
    err = capsys.readouterr().err
    assert message in err and str(record) in err
    assert json.loads(record.read_text())['hash'] == json.loads(text)['hash'], 'the record was written anew'


def test_changed_stage_output_is_reported_and_recomputed(tmp_path, capsys):
    runs = []
    def build(run_dir):
        runs.append(run_dir)
        (run_dir / 'model').mkdir(exist_ok=True)
        (run_dir / 'model' / 'weights.bin').write_bytes(b'\x00' * 64)
        return {'model': run_dir / 'model'}
    first = run_stage('build', {}, build, root=tmp_path)
    weights = Path(first['run_dir']) / 'model' / 'weights.bin'
    weights.write_bytes(b'\x00' * 32)  # truncated after the stage finished
    run_stage('build', {}, build, root=tmp_path)
    assert len(runs) == 2 and "output 'model'" in capsys.readouterr().err and weights.stat().st_size == 64
    weights.unlink()
    run_stage('build', {}, build, root=tmp_path)
    assert len(runs) == 3 and 'was changed or corrupted' in capsys.readouterr().err


def test_damaged_teacher_cache_files_are_requested_again(stub, tmp_path, capsys):
    server = stub(lambda body: completion(body['messages'][-1]['content'].upper()))
    conversations = [[{'role': 'user', 'content': text}] for text in ('a', 'b', 'c')]
    teacher = teacher_for(server.url, max_workers=1, cache_dir=tmp_path)
    assert teacher.complete(conversations) == ['A', 'B', 'C'] and len(server.bodies) == 3
    files = sorted(tmp_path.glob('*.json'), key=lambda p: json.loads(p.read_text())['reply'])
    files[0].write_text(files[0].read_text()[:20])  # truncated
    files[1].write_bytes(b'\xff\xfe not json')  # not UTF-8
    files[2].write_text(json.dumps({**json.loads(files[2].read_text()), 'reply': 'forged'}))  # still its request: kept
    assert teacher.complete(conversations) == ['A', 'B', 'forged'] and len(server.bodies) == 5
    err = capsys.readouterr().err
    assert err.count('ignoring unusable cached reply') == 2 and str(files[0]) in err and str(files[1]) in err
    files[2].write_text(json.dumps({**json.loads(files[2].read_text()), 'model': 'other'}))  # another request's file
    assert teacher.complete(conversations)[2] == 'C' and 'answers another request' in capsys.readouterr().err

