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
    # cells flagged slow, gpu or hub (the hub-only language tables) are skipped by nbdev_test; the hub ones run in test_hub_smoke
    assert cfg['update_pyproject'] == 'False' and cfg['tst_flags'] == 'slow gpu hub'
    assert not (ROOT / 'lib' / 'pyproject.toml').exists()
    assert importlib.metadata.version('nbdev').startswith('2.4.')


def test_torch_build_matches_the_machine():
    """Without CUDA: the local CPU wheel that constraints/cpu.txt pins. With CUDA: a CUDA build, as recent as
    settings.ini requires, that computes on the GPU."""
    release = tuple(int(part) for part in torch.__version__.split('+')[0].split('.')[:2])
    if torch.cuda.is_available():
        [minimum] = [r.removeprefix('torch>=') for r in settings()['requirements'].split() if r.startswith('torch>=')]
        assert torch.version.cuda and '+cpu' not in torch.__version__, torch.__version__
        assert release >= tuple(int(part) for part in minimum.split('.')), (torch.__version__, minimum)
        assert torch.arange(4, device='cuda').sum().item() == 6
    else:
        pins = [line for line in (ROOT / 'constraints' / 'cpu.txt').read_text().splitlines() if line.startswith('torch==')]
        assert pins == [f"torch=={torch.__version__.split('+')[0]}"], (pins, torch.__version__)


def test_embedded_model_is_installed():
    assert embedded_gguf().stat().st_size > 50_000_000


def test_paper_notebooks_keep_their_parameters_cell():
    "Every notebook `posttrain reproduce` runs (the papers' table notebooks, the benchmarks) has one parameters cell."
    notebooks = sorted([*(ROOT / 'nbs' / 'papers').glob('*/[a-z]*.ipynb'), *(ROOT / 'nbs' / 'bench').glob('*.ipynb')])
    assert {p.parent.name for p in notebooks} == {'grape', 'r1k', 'smoltulu', 'bench'}, notebooks
    for path in notebooks:
        cells = json.loads(path.read_text())['cells']
        tagged = [c for c in cells if 'parameters' in c.get('metadata', {}).get('tags', [])]
        assert len(tagged) == 1, f'{path.name}: expected one cell tagged parameters'
        assert "preset = 'smoke'" in ''.join(tagged[0]['source']), f'{path.name}: the default preset must be smoke'
