"""The stage cache knows the code: a training stage reruns when the training code or a tracked package changes, and
not when plotting or table code changes.

Each step trains the tiny model through `train_stage` in a fresh process that imports a private copy of the library,
which the test then edits as a developer would."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

TRAIN = '''
import json, sys
from posttrain.tasks import build_suite
from posttrain.train import TrainConfig, train_stage
cfg = TrainConfig(epochs=1, learning_rate=1e-3, batch_size=4, lora_r=None, max_length=256, dtype='float32',
                  save_strategy='no')
record = train_stage('sft', 'tiny', build_suite('formula_forward', 'train', 4, seed=0), cfg, root=sys.argv[1])
print(json.dumps({'run_dir': record['run_dir'], 'started': record['timings']['started']}))
'''


@pytest.fixture(scope='module')
def project(tmp_path_factory):
    "A copy of the library to edit, a folder for the stage cache, and `train()`: the stage's run dir and start time."
    base = tmp_path_factory.mktemp('stage-cache')
    shutil.copytree(ROOT / 'lib' / 'posttrain', base / 'lib' / 'posttrain',
                    ignore=shutil.ignore_patterns('__pycache__'))
    packages = base / 'packages'  # first on the path: where the test puts a newer version of a package
    packages.mkdir()

    def train() -> dict:
        env = {'PYTHONPATH': f"{packages}:{base / 'lib'}", 'HF_HUB_OFFLINE': '1', 'HF_DATASETS_OFFLINE': '1',
               'PATH': '/usr/bin:/bin', 'HOME': str(Path.home())}
        done = subprocess.run([sys.executable, '-c', TRAIN, str(base / 'project')], env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    def edit(module: str, addition: str) -> None:
        path = base / 'lib' / 'posttrain' / module
        path.write_text(path.read_text() + addition)

    return train, edit, packages


def test_editing_the_code_reruns_exactly_the_stages_it_can_change(project):
    train, edit, packages = project
    first = train()
    assert train() == first, 'nothing changed: the finished stage is reused'

    edit('papers/smoltulu.py', "\n\ndef _edited_plot(ax): ax.set_title('a change to plotting code')\n")
    assert train() == first, "a paper's plotting code does not reach a training stage"
    edit('train.py', "\n\n# a comment changes no syntax tree\n")
    assert train() == first, 'a comment is not a code change'

    edit('train.py', "\n\ndef _edited(): return 'a change to the training code'\n")
    retrained = train()
    assert retrained['run_dir'] != first['run_dir'] and retrained['started'] > first['started']

    (packages / 'trl-99.0.0.dist-info').mkdir()  # what pip leaves for an upgraded package
    (packages / 'trl-99.0.0.dist-info' / 'METADATA').write_text('Metadata-Version: 2.1\nName: trl\nVersion: 99.0.0\n')
    upgraded = train()
    assert upgraded['run_dir'] not in (first['run_dir'], retrained['run_dir']), 'a new TRL retrains'
    record = json.loads((Path(upgraded['run_dir']) / 'record.json').read_text())
    assert record['code']['packages']['trl'] == '99.0.0' and 'posttrain.train' in record['code']['modules']
    assert not any(m.startswith('posttrain.papers') for m in record['code']['modules'])
