"""The stage cache knows the code: a training stage reruns when the training code or a tracked package changes, and
not when plotting or table code changes.

A fresh process imports a private copy of the library and trains the tiny model through `train_stage`; between calls
it edits that copy's files as a developer would (the key is read from the files on disk, as a new process would) and
puts a newer peft's metadata first on the path, as an upgrade would."""
import json
import shutil
import subprocess
import sys

from conftest import ROOT

STEPS = '''
import json, sys
from pathlib import Path
from posttrain.tasks import build_suite
from posttrain.train import TrainConfig, train_stage

base = Path(sys.argv[1])
cfg = TrainConfig(epochs=1, learning_rate=1e-3, batch_size=4, lora_r=None, max_length=256, dtype='float32',
                  save_strategy='no')
records = build_suite('formula_forward', 'train', 4, seed=0)


def train():
    record = train_stage('sft', 'tiny', records, cfg, root=base / 'project')
    return {'run_dir': record['run_dir'], 'started': record['timings']['started'], 'code': record['code']}


def edit(module, addition):
    path = base / 'lib' / 'posttrain' / module
    path.write_text(path.read_text() + addition)


steps = {'first': train(), 'again': train()}
edit('papers/smoltulu.py', "\\n\\ndef _edited_plot(ax): ax.set_title('a change to plotting code')\\n")
edit('reports.py', "\\n\\ndef _edited_table(table): return table.round(2)\\n")
steps['plot and table edited'] = train()
edit('train.py', "\\n\\n# a comment changes no syntax tree\\n")
steps['comment added'] = train()
edit('train.py', "\\n\\ndef _edited(): return 'a change to the training code'\\n")
steps['training code edited'] = train()
upgrade = base / 'packages' / 'peft-99.0.0.dist-info'  # what pip leaves for an upgraded package
upgrade.mkdir(parents=True)
(upgrade / 'METADATA').write_text('Metadata-Version: 2.1\\nName: peft\\nVersion: 99.0.0\\n')
steps['peft upgraded'] = train()
print(json.dumps(steps))
'''


def test_editing_the_code_reruns_exactly_the_stages_it_can_change(tmp_path):
    shutil.copytree(ROOT / 'lib' / 'posttrain', tmp_path / 'lib' / 'posttrain',
                    ignore=shutil.ignore_patterns('__pycache__'))
    (tmp_path / 'packages').mkdir()
    env = {'PYTHONPATH': f"{tmp_path / 'packages'}:{tmp_path / 'lib'}", 'HF_HUB_OFFLINE': '1',
           'HF_DATASETS_OFFLINE': '1', 'PATH': '/usr/bin:/bin', 'HOME': str(ROOT.home())}
    done = subprocess.run([sys.executable, '-c', STEPS, str(tmp_path)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    steps = json.loads(done.stdout.strip().splitlines()[-1])
    first = steps['first']
    assert 'posttrain.train' in first['code']['modules'], 'the copy, not the installed library, was imported'
    assert not any(m.startswith(('posttrain.papers', 'posttrain.reports')) for m in first['code']['modules'])

    for unchanged in ('again', 'plot and table edited', 'comment added'):
        assert steps[unchanged] == first, f'{unchanged}: the finished stage must be reused'
    edited = steps['training code edited']
    assert edited['run_dir'] != first['run_dir'] and edited['started'] > first['started'], 'training code edited'
    upgraded = steps['peft upgraded']
    assert upgraded['run_dir'] not in (first['run_dir'], edited['run_dir']) and upgraded['started'] > edited['started']
    assert upgraded['code']['packages']['peft'] == '99.0.0' != first['code']['packages']['peft']
