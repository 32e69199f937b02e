"The committed results: every output under figures/cpu/ is accounted for by the manifest and has honest provenance."
import json

import pytest

from posttrain.reproduce import collect_manifest

from conftest import ROOT

FIGURES = ROOT / 'figures' / 'cpu'
PROVENANCE = sorted(FIGURES.glob('*.provenance.json'))
MANIFEST = collect_manifest()


def test_cpu_outputs_are_committed():
    assert PROVENANCE, 'figures/cpu/ must hold the cpu preset outputs with their provenance'


@pytest.mark.parametrize('path', PROVENANCE, ids=lambda p: p.name)
def test_provenance_names_a_manifest_notebook_and_its_parameters(path):
    record = json.loads(path.read_text())
    owners = [a for a in MANIFEST if a.covered('cpu') and path.name in a.outputs]
    assert owners, f'{path.name}: no manifest entry covering the cpu preset lists this output'
    assert all((ROOT / 'nbs' / a.notebook).is_file() for a in owners), f'{path.name}: its notebook does not exist'
    assert {f'nbs/{a.notebook}' for a in owners} == {record['notebook']}
    assert record['preset'] == 'cpu'
    assert record['auto_dtype']['dtype'] in ('float32', 'bfloat16')  # what dtype='auto' meant on the machine
    for artifact in owners:  # the papermill parameters the manifest passes are the ones the notebook recorded
        assert all(record['parameters'].get(k) == v for k, v in artifact.parameters.items())
    assert len(record['git']['commit']) == 40 and record['git']['dirty'] is False
    assert all((FIGURES / name).is_file() for name in record['outputs'])
