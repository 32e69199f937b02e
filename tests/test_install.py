"The installed project: what `make install` promises on a machine without CUDA."
import configparser
import importlib.metadata
import json
from pathlib import Path

import torch

import posttrain
from posttrain.models import embedded_gguf

from conftest import ROOT


def settings():
    config = configparser.ConfigParser(delimiters=['='])
    config.read(ROOT / 'settings.ini')
    return config['DEFAULT']


def test_package_is_the_repository_lib():
    assert Path(posttrain.__file__).resolve().parent == ROOT / 'lib' / 'posttrain'
    assert posttrain.__version__ == settings()['version'] == importlib.metadata.version('posttrain')


def test_nbdev_settings_that_the_workflow_relies_on():
    cfg = settings()
    assert cfg['lib_path'] == 'lib/posttrain' and cfg['nbs_path'] == 'nbs'
    assert cfg['allowed_cell_metadata_keys'] == 'tags', 'papermill parameters tags must survive nbdev_clean'
    assert cfg['update_pyproject'] == 'False' and cfg['tst_flags'] == 'slow gpu'
    assert not (ROOT / 'lib' / 'pyproject.toml').exists()
    assert importlib.metadata.version('nbdev').startswith('2.4.')


def test_cpu_machine_has_the_local_torch_wheel():
    if not torch.cuda.is_available():
        assert torch.__version__.split('+')[0] == '2.13.0'


def test_embedded_model_is_installed():
    assert embedded_gguf().stat().st_size > 50_000_000


def test_paper_notebooks_keep_their_parameters_cell():
    notebooks = sorted((ROOT / 'nbs' / 'paper').glob('*.ipynb'))
    assert notebooks
    for path in notebooks:
        cells = json.loads(path.read_text())['cells']
        tagged = [c for c in cells if 'parameters' in c.get('metadata', {}).get('tags', [])]
        assert len(tagged) == 1, f'{path.name}: expected one cell tagged parameters'
        assert "preset = 'smoke'" in ''.join(tagged[0]['source']), f'{path.name}: the default preset must be smoke'
