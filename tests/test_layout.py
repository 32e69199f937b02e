"""The architecture, read from the imports: papers import components; components never import papers; papers never
import each other; the reproduce driver finds every paper's manifest without importing a paper by name."""
import pkgutil

import pytest

import posttrain
import posttrain.papers
from conftest import ROOT
from posttrain.reproduce import collect_manifest
from posttrain.stages import project_imports  # the same reading of the imports that keys the stage cache

MODULES = sorted(m.name for m in pkgutil.walk_packages(posttrain.__path__, 'posttrain.') if m.name != 'posttrain._modidx')
PAPERS = sorted(m.name for m in pkgutil.iter_modules(posttrain.papers.__path__))


def test_the_rules_are_read_from_real_files():
    assert PAPERS == ['grape', 'r1k', 'smoltulu']
    assert {'posttrain.core', 'posttrain.train'} <= project_imports('posttrain.papers.r1k')


@pytest.mark.parametrize('module', [m for m in MODULES if not m.startswith('posttrain.papers')])
def test_components_never_import_papers(module):
    assert not {m for m in project_imports(module) if m.startswith('posttrain.papers')}


@pytest.mark.parametrize('paper', PAPERS)
def test_papers_never_import_each_other(paper):
    others = {f'posttrain.papers.{p}' for p in PAPERS if p != paper}
    assert not project_imports(f'posttrain.papers.{paper}') & others


def test_the_driver_collects_every_paper_manifest():
    owners = {a.notebook.split('/')[1] for a in collect_manifest() if a.notebook.startswith('papers/')}
    assert owners == set(PAPERS)
    assert all((ROOT / 'nbs' / a.notebook).is_file() for a in collect_manifest() if a.presets)
