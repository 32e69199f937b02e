"""The architecture, read from the imports: papers import components; components never import papers; papers never
import each other; the reproduce driver finds every paper's manifest without importing a paper by name."""
import ast
import importlib.util
import pkgutil

import pytest

import posttrain.papers
from conftest import ROOT
from posttrain.reproduce import collect_manifest

LIB = ROOT / 'lib' / 'posttrain'
MODULES = sorted(p for p in LIB.rglob('*.py') if p.name != '_modidx.py')
PAPERS = sorted(m.name for m in pkgutil.iter_modules(posttrain.papers.__path__))


def module_name(path) -> str:
    parts = path.relative_to(LIB.parent).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def imported(path) -> set[str]:
    "The modules a file imports (relative imports resolved), the names of `from x import name` included."
    name = module_name(path)
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import): found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name('.' * node.level + (node.module or ''), package) if node.level else node.module
            found |= {base} | {f'{base}.{a.name}' for a in node.names}
    return found


def test_the_rules_are_read_from_real_files():
    assert PAPERS == ['grape', 'r1k', 'smoltulu']
    assert 'posttrain.core' in imported(LIB / 'papers' / 'r1k.py') and 'posttrain.train' in imported(LIB / 'papers' / 'r1k.py')


@pytest.mark.parametrize('path', [p for p in MODULES if 'papers' not in p.parts], ids=module_name)
def test_components_never_import_papers(path):
    assert not {m for m in imported(path) if m.startswith('posttrain.papers')}, module_name(path)


@pytest.mark.parametrize('paper', PAPERS)
def test_papers_never_import_each_other(paper):
    others = {f'posttrain.papers.{p}' for p in PAPERS if p != paper}
    assert not {m for m in imported(LIB / 'papers' / f'{paper}.py') if '.'.join(m.split('.')[:3]) in others}


def test_the_driver_collects_every_paper_manifest():
    owners = {a.notebook.split('/')[1] for a in collect_manifest() if a.notebook.startswith('papers/')}
    assert owners == set(PAPERS)
    assert all((ROOT / 'nbs' / a.notebook).is_file() for a in collect_manifest() if a.presets)
