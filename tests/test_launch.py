"""Launched stages: a notebook run by papermill trains SFT, DPO (with and without cached reference log-probs) and a
reward model in its kernel, then under `accelerate launch` of two gloo processes at the same global batch; the losses
and weights agree. Bad launch settings fail before anything trains."""
import json
from pathlib import Path

import papermill as pm
import pytest
import torch
from safetensors.torch import load_file

from conftest import ROOT
from posttrain.models import model_path
from posttrain.reproduce import KERNEL_NAME, LANGUAGE

NOTEBOOK = Path(__file__).with_name('launched_stages.ipynb')


def run_notebook(folder: Path, **parameters) -> dict:
    output = folder / f"launched-{parameters.get('processes', 1)}.json"
    pm.execute_notebook(NOTEBOOK, folder / f'{output.stem}.ipynb', kernel_name=KERNEL_NAME, language=LANGUAGE, cwd=str(folder),
                        parameters={'root': str(folder), 'output': str(output), **parameters}, progress_bar=False)
    return json.loads(output.read_text())


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp('launch')
    one = run_notebook(folder, processes=1)
    two = run_notebook(folder, processes=2, accelerate_config=str(ROOT / 'configs/accelerate/cpu-2proc.yaml'))
    return one, two


def weights(stage: dict) -> dict: return load_file(Path(stage['model_dir']) / 'model.safetensors')


@pytest.mark.parametrize('stage', ['sft', 'dpo', 'dpo cached reference', 'reward'])
def test_two_processes_train_like_one(trained, stage):
    one, two = (t['stages'][stage] for t in trained)
    assert (one['batch_size'], two['batch_size']) == (4, 2), 'the global batch stays 4'
    assert one['model_dir'] != two['model_dir'], 'a launched stage is a stage of its own'
    assert two['losses'] == pytest.approx(one['losses'], rel=1e-4)
    start, ours, reference = load_file(Path(model_path('tiny')) / 'model.safetensors'), weights(two), weights(one)
    assert ours.keys() == reference.keys()
    # What training changed, compared as one vector: float sums in another order (two processes, one thread each)
    # move it by 4e-6 to 2e-5 of its norm (measured); Adam turns a tiny gradient's noise into a step of about the
    # learning rate, so single weights can differ by 2% of the largest step, and are not compared one by one.
    shared = sorted(start.keys() & ours.keys())
    update = {name: torch.cat([(w[k] - start[k]).flatten() for k in shared]) for name, w in (('ours', ours), ('ref', reference))}
    assert (update['ours'] - update['ref']).norm() <= 1e-3 * update['ref'].norm(), stage
    for new in ours.keys() - start.keys():  # the reward model's fresh head
        assert torch.allclose(ours[new], reference[new], rtol=1e-3, atol=1e-4), new


@pytest.mark.parametrize('options, message', [
    (['--processes', '64'], '--processes 64: more processes than devices'),
    (['--processes', 'two'], '--processes two: not a whole number >= 1'),
    (['--accelerate-config', 'nowhere.yaml'], '--accelerate-config nowhere.yaml: no such file'),
])
def test_bad_launch_settings_fail_before_anything_runs(run, options, message):
    result = run('posttrain', 'reproduce', '--preset', 'smoke', '--only', 'r1k_sft', *options)
    assert result.returncode == 2 and message in result.stderr, result.stderr
